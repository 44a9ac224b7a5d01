"""PDF: text with pypdfium2 (pdfium), in a child process bounded in time and memory; pages kept.

Chosen over pypdf by measurement (see the README's "Formats and languages"):
on the same Chromium-printed PDFs pdfium was 6-10x faster, split ligatures
("ﬁ") into letters and kept soft-hyphenated words whole, where pypdf left
"ﬁ" and cut "infra structure" in two. Both are permissively licensed
(pypdfium2: Apache-2.0 or BSD-3-Clause; pdfium: BSD-3-Clause).

The stored text is the extracted text (:mod:`index.formats.pdf_layout`), so
offsets point into it, and :attr:`~index.models.RawArticle.pages` records
where each page starts: a sentence's page is the page its first character is
on. There is no OCR: a scanned PDF is refused, saying so.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from index.decoding import CONTROL
from index.errors import InputError, InputTooLargeError, NotAnArticleError
from index.formats.contract import ReadLimits
from index.formats.pdf_layout import Line, lay_out
from index.models import RawArticle
from index.structure import text_metadata

#: A PDF with fewer visible characters than this per page on average has no real text layer.
MIN_CHARS_PER_PAGE = 20
#: Titles that PDF producers write when the author set none.
_NO_TITLE = re.compile(r"^(untitled|document\d*|microsoft word - .*|.*\.(docx?|pdf|html?))$", re.I)
_ROOT = Path(__file__).resolve().parents[2]


class PdfReader:
    """Reads a PDF's text layer; see the module docstring."""

    kind = "pdf"

    def read(
        self, data: bytes, source: str, limits: ReadLimits, url: str | None = None, charset: str | None = None
    ) -> RawArticle:
        found = _extract(data, source, limits)
        pages = [[_clean(Line(*line)) for line in page["lines"]] for page in found["pages"]]
        visible = sum(len("".join(line.text.split())) for page in pages for line in page)
        if visible < MIN_CHARS_PER_PAGE * max(1, len(pages)):
            images = sum(page["images"] for page in found["pages"])
            what = "has no text layer (a scanned PDF?)" if images else "has no text in it"
            raise NotAnArticleError(
                f"{source} {what}: this tool reads a PDF's text and has no OCR. "
                "Paste the article's text instead, or add a PDF with selectable text."
            )
        layout = lay_out(pages)
        text = layout.text
        title = _title(layout.headings, found.get("title"))
        meta = text_metadata(text, title)
        return RawArticle(
            text=text,
            source=source,
            title=title,
            byline=meta.byline or _clean_name(found.get("author")),
            date=meta.date,
            url=url,
            headings=layout.headings,
            pages=layout.pages,
        )


def _clean(line: Line) -> Line:
    """pdfium marks a hyphen that only broke a line (U+FFFE or U+0002): inside a line it joined the
    word's halves, so the mark goes; at a line's end it is a hyphen for the layout to join over.
    Other control characters are not text."""
    text = re.sub(r"[\ufffe\x02]$", "-", line.text.rstrip())
    text = CONTROL.sub("", text.replace("\ufffe", "").replace("\x02", ""))
    return Line(text, line.left, line.bottom, line.right, line.top, line.size, line.end_bottom)


def _title(headings: tuple[str, ...], metadata_title: str | None) -> str | None:
    """The first heading (the largest type on page one), else the document's own title."""
    if headings:
        return headings[0]
    title = " ".join((metadata_title or "").split())
    return title if title and not _NO_TITLE.match(title) else None


def _clean_name(author: str | None) -> str | None:
    name = " ".join((author or "").split())
    return name or None


def _extract(data: bytes, source: str, limits: ReadLimits) -> dict[str, Any]:
    """Run :mod:`index.formats.pdf_worker` on ``data`` under ``limits``; its JSON, or an InputError."""
    path = os.pathsep.join(filter(None, [str(_ROOT), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path}
    command = [sys.executable, "-m", "index.formats.pdf_worker",
               str(limits.max_pages), str(limits.max_chars), str(limits.memory_mb)]
    try:
        done = subprocess.run(command, input=data, capture_output=True, timeout=limits.seconds, env=env,
                              check=False)
    except subprocess.TimeoutExpired:
        raise InputTooLargeError(
            f"{source}: reading this PDF took longer than {limits.seconds:g} s, so it was stopped "
            "(a very large or damaged PDF?). Save the pages you need as a smaller PDF, or paste the text."
        ) from None
    try:
        found: dict[str, Any] = json.loads(done.stdout)
    except ValueError:
        found = {"error": "memory" if done.returncode else "malformed", "detail": done.stderr[-300:]}
    error = found.get("error")
    if error:
        raise _error(error, found, source, limits)
    return found


def _error(kind: str, found: dict[str, Any], source: str, limits: ReadLimits) -> InputError:
    if kind == "password":
        return InputError(
            f"{source} is an encrypted PDF that needs a password. "
            "Open it, save or print it as a PDF without a password, and add that."
        )
    if kind == "pages":
        return InputTooLargeError(
            f"{source} has {found['pages']:,} pages, more than the {limits.max_pages:,}-page limit "
            "for one article. Save the pages of the article as a PDF of their own and add that."
        )
    if kind == "chars":
        return InputTooLargeError(
            f"{source} holds more than {limits.max_chars:,} characters of text (by page "
            f"{found['pages']}), more than one article. Save the article's pages as a PDF of their own."
        )
    if kind == "memory":
        return InputTooLargeError(
            f"{source}: reading this PDF needed more than the {limits.memory_mb:,} MB memory limit, "
            "so it was stopped (a damaged PDF, or one built to inflate?). Paste the article's text instead."
        )
    return InputError(
        f"{source} is not a PDF that can be read (damaged or incomplete: {found.get('detail') or kind}). "
        "Download it again, or paste the article's text instead."
    )
