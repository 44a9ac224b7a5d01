"""Clear messages for what the page's add controls cannot take, naming the problem and the way out.

The readers (:mod:`index.ingest`) refuse a binary file as "not text": a reader who dropped
a PDF deserves to hear "PDF files can't be added yet", with what to do instead. Pasted text
too short to be an article is told so in the terms of pasting, not of web pages.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from index.errors import InputError
from index.extract import MIN_PROSE_WORDS, prose_words

#: File name endings of document types the readers cannot take, and how readers call them.
DOCUMENT_KINDS = {
    ".pdf": "PDF",
    ".docx": "Word (.docx)",
    ".doc": "Word (.doc)",
    ".odt": "OpenDocument (.odt)",
    ".rtf": "RTF",
    ".epub": "EPUB",
    ".pages": "Pages",
    ".xlsx": "Excel",
    ".pptx": "PowerPoint",
}
_IMAGE_KINDS = {
    ".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".gif": "GIF", ".webp": "WebP", ".heic": "HEIC",
}
#: What a file's first bytes say it is, when its name does not.
_MAGIC = ((b"%PDF-", "PDF"), (b"{\\rtf", "RTF"), (b"\xd0\xcf\x11\xe0", "Word (.doc)"),
          (b"\x89PNG", "PNG"), (b"\xff\xd8\xff", "JPEG"), (b"GIF8", "GIF"))


def file_kind(path: str | Path, name: str) -> str | None:
    """The kind of document or image a file is (by its name, else its first bytes); None when unknown."""
    suffix = Path(name).suffix.lower()
    if suffix in DOCUMENT_KINDS or suffix in _IMAGE_KINDS:
        return DOCUMENT_KINDS.get(suffix) or _IMAGE_KINDS[suffix]
    try:
        with open(path, "rb") as f:
            head = f.read(8)
    except OSError:
        return None
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head.startswith(b"PK") and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
        if any(n.startswith("word/") for n in names):
            return "Word (.docx)"
    return None


def unreadable_file(kind: str) -> str:
    """The one message for a file of a type the product cannot read."""
    if kind in _IMAGE_KINDS.values():
        return f"{kind} images can't be added: the assistant reads text. Paste it or give the page's link."
    return f"{kind} files can't be added yet: paste the text or give the page's link."


def refuse_short_paste(text: str) -> None:
    """Raise :class:`InputError` when pasted text is too short to be an article."""
    words = prose_words(text) if text.strip() else 0
    if text.strip() and words < MIN_PROSE_WORDS:
        raise InputError(
            f"That is too short to add as an article ({words} word{'s' if words != 1 else ''} in full "
            f"sentences; an article has at least {MIN_PROSE_WORDS}). Paste the article's whole text."
        )
