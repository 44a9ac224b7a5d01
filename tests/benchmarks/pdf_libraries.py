"""Benchmark: pypdfium2 against pypdf on the PDFs the tests print with Chromium.

Not a test (figures are reported, never asserted). pypdf is not a dependency:
install it (``pip install pypdf``) in the environment, or point ``--pypdf DIR``
at a ``pip install --target DIR pypdf``. Run::

    .venv/bin/python -m tests.benchmarks.pdf_libraries [--pypdf DIR]

For each PDF (the test article with two columns, the same without Chromium's
header and footer, and a 39-page one), each library's raw text: ms a page
(mean of 3), how many of the article's five paragraphs are found whole once
lines are joined, ligature characters left (U+FB00-FB06), and whether the
word hyphenated across two lines comes back whole. Then the project's reader
(child process, layout) end to end.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
import tempfile
import time
from pathlib import Path

from tests import formats_support as fs

PARAGRAPHS = [fs.PAGE_1, fs.LONG, fs.PAGE_2, fs.PAGE_2B, fs.PAGE_3]


def _flat(text: str) -> str:
    return " ".join(text.replace("\r", "").replace("\ufffe", "").split())


def _pdfium(data: bytes) -> tuple[str, int]:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    return "\n".join(page.get_textpage().get_text_range() for page in doc), len(doc)


def _pypdf(data: bytes) -> tuple[str, int]:
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pypdf", help="a folder holding pypdf (pip install --target)")
    args = parser.parse_args()
    if args.pypdf:
        sys.path.append(args.pypdf)
    from index.formats.registry import read_bytes

    folder = Path(tempfile.mkdtemp())
    extra = "".join(f"<p>{fs.LONG} ({i})</p>" for i in range(400))
    long_html = fs.article_html(columns=True).replace("</body>", extra + "</body>")
    files = {
        "columns": fs.print_pdf(fs.article_html(columns=True), folder, "columns"),
        "plain": fs.print_pdf(fs.article_html(), folder, "plain", header_footer=False),
        "long": fs.print_pdf(long_html, folder, "long"),
    }
    for name, data in files.items():
        for library, extract in (("pypdfium2", _pdfium), ("pypdf", _pypdf)):
            started = time.perf_counter()
            for _ in range(3):
                text, pages = extract(data)
            ms = (time.perf_counter() - started) / 3 * 1000 / pages
            flat = _flat(text)
            whole = sum(_flat(p) in flat for p in PARAGRAPHS)
            ligatures = len(re.findall("[\ufb00-\ufb06]", text))
            print(f"{name:8} {library:9} {pages:3} pages {ms:6.2f} ms/page  paragraphs whole {whole}/5  "
                  f"ligatures {ligatures}  hyphenated word whole {'infrastructure' in flat}")
        started = time.perf_counter()
        raw = read_bytes(data, name)
        print(f"{name:8} reader    {time.perf_counter() - started:.2f} s  paragraphs whole "
              f"{sum(_flat(p) in _flat(raw.text) for p in PARAGRAPHS)}/5  furniture left "
              f"{('file:' in raw.text) + ('Bridge report' in raw.text)}  pages {len(raw.pages)}")


if __name__ == "__main__":
    main()
