"""Word (.docx) with python-docx: paragraphs in order, headings as structure, tables flattened.

The stored text is one line per non-empty paragraph, blank lines between
them. Paragraphs styled as a heading (or the document's Title) are headings,
marked as structure; the Title-styled paragraph, else the first heading, else
the document's title property, is the title. Tables are flattened in place
(:mod:`index.formats.tables`) and the user is told. A .docx is a ZIP archive:
its parts are checked against the size limit before any is unpacked, so a
ZIP bomb is refused without inflating it.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

from index.errors import InputError, InputTooLargeError
from index.formats import tables
from index.formats.contract import ReadLimits
from index.models import RawArticle
from index.structure import text_metadata

#: Unpacked XML may be this many times the text limit (markup is verbose), no more.
XML_PER_CHAR = 20


class DocxReader:
    """Reads a Word .docx file."""

    kind = "docx"

    def read(
        self, data: bytes, source: str, limits: ReadLimits, url: str | None = None, charset: str | None = None
    ) -> RawArticle:
        _check_archive(data, source, limits)
        import docx

        try:
            document = docx.Document(io.BytesIO(data))
        except Exception as e:  # python-docx raises KeyError, lxml errors, ValueError... on a damaged file
            raise InputError(
                f"{source} is a damaged Word file ({type(e).__name__}). "
                "Open it in Word or LibreOffice, save it again as .docx, and add that."
            ) from e
        blocks, headings, title, flattened = _blocks(document)
        text = "\n\n".join(blocks)
        if len(text) > limits.max_chars:
            raise InputTooLargeError(
                f"{source} holds {len(text):,} characters of text, more than the {limits.max_chars:,} "
                "limit for one article. Save the article on its own and add that."
            )
        props = document.core_properties
        title = title or (headings[0] if headings else None) or (props.title or "").strip() or None
        found = text_metadata(text, title)
        return RawArticle(
            text=text, source=source, title=title,
            byline=found.byline or (props.author or "").strip() or None,
            date=found.date, url=url, headings=tuple(headings),
            notes=(tables.note(flattened),) if flattened else (),
        )


def _check_archive(data: bytes, source: str, limits: ReadLimits) -> None:
    """Refuse a .docx whose parts would unpack to more than the limit (declared sizes: zipfile
    never inflates a member past its declared size)."""
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as e:
        raise InputError(f"{source} is a damaged Word file ({e}). Save it again as .docx and add it.") from e
    unpacked = sum(info.file_size for info in infos)
    if unpacked > XML_PER_CHAR * limits.max_chars:
        raise InputTooLargeError(
            f"{source} unpacks to {unpacked / 1e6:,.0f} MB, more than one article "
            "(a ZIP bomb, or a document full of images?). Save the article's text as .docx or PDF."
        )


def _blocks(document: Any) -> tuple[list[str], list[str], str | None, int]:
    """Paragraph and flattened table lines in body order; heading texts; the Title paragraph."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    blocks: list[str] = []
    headings: list[str] = []
    title: str | None = None
    flattened = 0
    for element in document.element.body.iterchildren():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = Paragraph(element, document)
            text = " ".join(paragraph.text.split())
            if not text:
                continue
            blocks.append(text)
            style = (paragraph.style.name if paragraph.style is not None else "") or ""
            if style == "Title" or style.startswith("Heading"):
                headings.append(text)
                if style == "Title" and title is None:
                    title = text
        elif tag == "tbl":
            table = Table(element, document)
            rows = [[cell.text for cell in row.cells] for row in table.rows]
            blocks.extend(tables.flatten(rows))
            flattened += 1
    return blocks, headings, title, flattened
