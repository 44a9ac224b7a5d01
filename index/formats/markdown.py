"""Markdown: rendered to plain text with markdown-it-py, so that no markup reaches a sentence.

The stored text is the rendered text: one line per paragraph, heading or list
item, blank lines between them (a soft-wrapped paragraph becomes one line).
Emphasis, links and inline code keep their words; images, raw HTML and code
blocks are left out; tables are flattened (:mod:`index.formats.tables`). The
title is the front matter's ``title`` or the first level-1 heading; front
matter's ``author`` and ``date`` are the byline and date. Articles stored
before markdown was rendered keep their text and sentence IDs: this applies
to new adds only.
"""

from __future__ import annotations

import re
from typing import Any

from index.decoding import check_characters, decode
from index.formats import tables
from index.formats.contract import ReadLimits
from index.models import RawArticle
from index.structure import text_metadata

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<body>.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_FIELD = re.compile(r"^(?P<key>[A-Za-z_][\w-]*)\s*:\s*(?P<value>.*?)\s*$")
_BYLINE_KEYS = ("author", "authors", "byline", "by")


class MarkdownReader:
    """Reads a markdown note or article."""

    kind = "markdown"

    def read(
        self, data: bytes, source: str, limits: ReadLimits, url: str | None = None, charset: str | None = None
    ) -> RawArticle:
        text = check_characters(decode(data, source, charset=charset), source)
        return render_article(text, source, url)


def render_article(markdown: str, source: str, url: str | None = None) -> RawArticle:
    """The article a markdown text renders to, with its metadata."""
    fields, body = front_matter(markdown)
    blocks, headings, first_h1, flattened = _render(body)
    text = "\n\n".join(blocks)
    title = fields.get("title") or first_h1
    found = text_metadata(text, title)
    byline = next((fields[k] for k in _BYLINE_KEYS if fields.get(k)), None) or found.byline
    notes = (tables.note(flattened),) if flattened else ()
    return RawArticle(text=text, source=source, title=title, byline=byline,
                      date=fields.get("date") or found.date, url=url, headings=tuple(headings), notes=notes)


def front_matter(markdown: str) -> tuple[dict[str, str], str]:
    """Simple ``key: value`` front matter (lower-cased keys, quotes removed) and the text after it."""
    found = _FRONT_MATTER.match(markdown)
    if not found:
        return {}, markdown
    fields: dict[str, str] = {}
    for line in found.group("body").splitlines():
        field = _FIELD.match(line)
        if field and field.group("value"):
            value = field.group("value").strip("\"'[] ")
            fields.setdefault(field.group("key").lower(), value)
    return fields, markdown[found.end():]


def _render(markdown: str) -> tuple[list[str], list[str], str | None, int]:
    """Blocks of plain text, heading texts, the first level-1 heading, tables flattened."""
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    blocks: list[str] = []
    headings: list[str] = []
    first_h1: str | None = None
    rows: list[list[str]] = []
    flattened = 0
    heading_tag: str | None = None
    in_cell = False
    for token in tokens:
        if token.type == "heading_open":
            heading_tag = token.tag
        elif token.type == "heading_close":
            heading_tag = None
        elif token.type == "table_open":
            rows = []
        elif token.type == "tr_open":
            rows.append([])
        elif token.type in ("th_open", "td_open", "th_close", "td_close"):
            in_cell = token.type.endswith("_open")
        elif token.type == "table_close":
            blocks.extend(tables.flatten(rows))
            flattened += 1
            rows = []
        elif token.type == "inline":
            line = _inline_text(token.children or [])
            if in_cell and rows:
                rows[-1].append(line)
            elif line:
                blocks.append(line)
                if heading_tag or _captioned(token.children or []):
                    headings.append(line)
                    if heading_tag == "h1" and first_h1 is None:
                        first_h1 = line
    return blocks, headings, first_h1, flattened


def _inline_text(children: list[Any]) -> str:
    """The words of an inline run: text and code kept, marks dropped, images and raw HTML left out."""
    parts: list[str] = []
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return " ".join("".join(parts).split())


def _captioned(children: list[Any]) -> bool:
    """An image with words beside it in one paragraph ("![…](ferry.jpg)" then "*Commuters wait …*"):
    the words are its caption, structure like a heading."""
    return any(c.type == "image" for c in children) and any(
        c.type == "text" and c.content.strip() for c in children
    )
