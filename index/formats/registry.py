"""The readers by format name, and :func:`read_bytes`: sniff the bytes, pick the reader, read.

Every way in (a file, an upload, a URL) goes through :func:`read_bytes`, so
a format is read the same whichever way it came.
"""

from __future__ import annotations

import importlib
from functools import cache

from index.decoding import check_characters, decode
from index.errors import UnsupportedFormatError
from index.formats.contract import KINDS, Reader, ReadLimits
from index.formats.sniff import sniff_binary, text_kind
from index.models import RawArticle

#: Format name → "module:class" of its reader (imported on first use: pdfium and python-docx are heavy).
READERS = {
    "pdf": "index.formats.pdf:PdfReader",
    "docx": "index.formats.docx:DocxReader",
    "html": "index.formats.html:HtmlReader",
    "markdown": "index.formats.markdown:MarkdownReader",
    "text": "index.formats.text:TextReader",
}
_NAMES = {"pdf": "PDF", "docx": "Word (.docx)", "html": "HTML", "markdown": "markdown", "text": "plain text"}
assert set(READERS) == set(KINDS)


@cache
def reader(kind: str) -> Reader:
    """The reader of format ``kind`` (one of :data:`~index.formats.contract.KINDS`)."""
    module, _, name = READERS[kind].partition(":")
    made: Reader = getattr(importlib.import_module(module), name)()
    return made


def sniff(data: bytes, source: str, name: str = "", media_type: str = "", charset: str | None = None) -> str:
    """The format of ``data``: magic bytes first, then (for text) the name, media type and first lines."""
    kind = sniff_binary(data, source)
    if kind is not None:
        return kind
    text = check_characters(decode(data, source, charset=charset), source)
    return text_kind(text, name, media_type)


def read_bytes(
    data: bytes,
    source: str,
    limits: ReadLimits | None = None,
    *,
    name: str = "",
    media_type: str = "",
    charset: str | None = None,
    url: str | None = None,
) -> RawArticle:
    """The article in ``data`` read by the reader its format needs; refused when that format is off."""
    limits = limits or ReadLimits()
    kind = sniff(data, source, name, media_type, charset)
    if kind not in limits.kinds:
        allowed = ", ".join(_NAMES[k] for k in limits.kinds)
        raise UnsupportedFormatError(
            f"{source} is {_NAMES[kind]}, a format this library does not accept (its settings allow "
            f"{allowed}). Give the article in one of those, or ask whoever runs it to allow {_NAMES[kind]}."
        )
    return reader(kind).read(data, source, limits, url=url, charset=charset)
