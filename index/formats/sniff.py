"""Which format some bytes are in, from the bytes first and the name or media type second.

A PDF saved as ``report.txt`` is still a PDF, and a page served as
``application/octet-stream`` may well be one: magic bytes decide for binary
formats (``%PDF-``; a ZIP archive holding ``word/document.xml``), and known
formats with no reader are named in the refusal (old Word .doc, images, other
archives). Text is HTML when it says so (its name, its media type, or an
``<html>`` start), markdown when its name or media type says so or it opens
with front matter, else plain text.
"""

from __future__ import annotations

import io
import zipfile

from index.errors import NotTextError

_HTML_SUFFIXES = (".html", ".htm", ".xhtml")
_MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd")
#: Binary formats without a reader: their magic bytes and what to tell the user.
_REFUSED = (
    (b"\xd0\xcf\x11\xe0", "an old Word (.doc) or Office file", "Save it as .docx or PDF and add that"),
    (b"{\\rtf", "an RTF document", "Save it as .docx, PDF or plain text and add that"),
    (b"\x89PNG", "a PNG image", "This tool has no OCR: paste the article's text instead"),
    (b"\xff\xd8\xff", "a JPEG image", "This tool has no OCR: paste the article's text instead"),
    (b"GIF8", "a GIF image", "This tool has no OCR: paste the article's text instead"),
    (b"II*\x00", "a TIFF image", "This tool has no OCR: paste the article's text instead"),
    (b"MM\x00*", "a TIFF image", "This tool has no OCR: paste the article's text instead"),
    (b"\x1f\x8b", "a gzip archive", "Unpack it and add the article file inside"),
    (b"7z\xbc\xaf", "a 7-Zip archive", "Unpack it and add the article file inside"),
)
#: How far into a file ``%PDF-`` may start (the PDF reference allows junk before it).
_PDF_WINDOW = 1024


def sniff_binary(data: bytes, source: str) -> str | None:
    """'pdf' or 'docx' for those formats, None for anything that may be text; refuses known others."""
    if b"%PDF-" in data[:_PDF_WINDOW]:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data, source)
    for magic, what, fix in _REFUSED:
        if data.startswith(magic):
            raise NotTextError(f"{source} is {what}, not an article this tool can read. {fix}.")
    return None


def _zip_kind(data: bytes, source: str) -> str:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise NotTextError(
            f"{source} is a damaged ZIP archive (or Office file). Save it again as .docx or PDF and add that."
        ) from None
    if "word/document.xml" in names:
        return "docx"
    what = "an OpenDocument file" if "content.xml" in names else "a ZIP archive"
    raise NotTextError(
        f"{source} is {what}, not a Word .docx. Save the article as .docx, PDF or plain text, "
        "or unpack the archive and add the article file inside."
    )


def text_kind(text: str, name: str = "", media_type: str = "") -> str:
    """'html', 'markdown' or 'text' for decoded text, from its name, media type and first lines."""
    name = name.lower()
    head = text.lstrip("\ufeff \t\r\n")[:500].lower()
    if name.endswith(_HTML_SUFFIXES) or "html" in media_type:
        return "html"
    if head.startswith("<!doctype html") or "<html" in head:
        return "html"
    if name.endswith(_MARKDOWN_SUFFIXES) or media_type == "text/markdown":
        return "markdown"
    if not name.endswith(".txt") and text.startswith("---\n") and "\n---\n" in text[:4000]:
        return "markdown"  # YAML front matter: a markdown note saved without its extension
    return "text"
