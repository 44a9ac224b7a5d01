"""The PDF reader's child process: open a PDF with pdfium and print its lines as JSON.

Run as ``python -m index.formats.pdf_worker MAX_PAGES MAX_CHARS MEMORY_MB`` with
the PDF on standard input. pdfium is C code reading untrusted bytes: a PDF bomb
(a stream that inflates to gigabytes, a page that takes minutes) must cost this
process, not the one serving the user, so the address space is capped here
before pdfium is loaded, and the parent (:mod:`index.formats.pdf`) kills it
after its deadline. The output is ``{"pages": [...], "title": ..., "author": ...}``,
or ``{"error": kind, ...}`` for a PDF that cannot be read.
"""

from __future__ import annotations

import json
import resource
import sys
from typing import Any

#: Characters sampled per line for its font size: the median of a few is enough and keeps
#: a page to a few hundred calls into pdfium rather than one per character.
_SIZE_SAMPLES = 5


def main(argv: list[str]) -> int:
    max_pages, max_chars, memory_mb = int(argv[0]), int(argv[1]), int(argv[2])
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # pdfium aborts when memory runs out: no core file
    data = sys.stdin.buffer.read()
    try:
        result = _read(data, max_pages, max_chars)
    except MemoryError:
        result = {"error": "memory"}
    sys.stdout.write(json.dumps(result))
    return 0


def _read(data: bytes, max_pages: int, max_chars: int) -> dict[str, Any]:
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        return {"error": "password" if "password" in str(e).lower() else "malformed", "detail": str(e)}
    count = len(doc)
    if count > max_pages:
        return {"error": "pages", "pages": count}
    pages, total = [], 0
    for index in range(count):
        page = doc[index]
        width, height = page.get_size()
        textpage = page.get_textpage()
        lines = _lines(textpage)
        total += sum(len(line[0]) for line in lines)
        if total > max_chars:
            return {"error": "chars", "pages": index + 1}
        images = sum(1 for _ in page.get_objects(filter=[3], max_depth=2))  # 3: FPDF_PAGEOBJ_IMAGE
        pages.append({"width": width, "height": height, "lines": lines, "images": images})
        textpage.close()
        page.close()
    meta = doc.get_metadata_dict()
    return {"pages": pages, "title": meta.get("Title") or None, "author": meta.get("Author") or None}


def _lines(textpage: Any) -> list[list[Any]]:
    """``[text, left, bottom, right, top, size, end_bottom]`` of each line pdfium's text breaks into:
    ``bottom`` is the first character's, ``end_bottom`` the last's (pdfium puts a word hyphenated
    across two lines, and the rest of the lower line, on the upper one)."""
    import pypdfium2.raw as raw

    text = textpage.get_text_range()
    out: list[list[Any]] = []
    start = 0
    for piece in text.split("\n"):
        end = start + len(piece)
        line = piece.rstrip("\r")
        inked = [i for i in range(start, start + len(line)) if not text[i].isspace()]
        if inked:
            first, last = inked[0], inked[-1]
            left, bottom, _, top = textpage.get_charbox(first)
            _, bottom2, right, top2 = textpage.get_charbox(last)
            step = max(1, len(inked) // _SIZE_SAMPLES)
            sizes = sorted(raw.FPDFText_GetFontSize(textpage, i) for i in inked[::step])
            out.append([line, left, bottom, right, max(top, top2), sizes[len(sizes) // 2], bottom2])
        start = end + 1
    return out


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
