"""Test files in every format, made in the test: PDFs printed from HTML by Debian's Chromium,
.docx built with python-docx, and hand-written PDFs for the damaged, encrypted and bomb cases.
Nothing is downloaded."""

from __future__ import annotations

import io
import struct
import subprocess
import zlib
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"

#: A news article whose facts sit on known pages (page breaks are forced) of the printed PDF.
HEADLINE = "Council Approves Elm Street Bridge Replacement"
PAGE_1 = (
    "RIVERTON — The city council voted 6-1 on Tuesday night to approve a $300 million replacement "
    "of the Elm Street bridge, ending two years of debate over the 1958 span."
)
PAGE_2 = (
    "State inspectors rated the bridge's deck in poor condition in 2022 and lowered its weight limit "
    "to 15 tons, which forced fire trucks to take a longer route."
)
PAGE_2B = "The state will pay $180 million of the cost, and the city will borrow the rest through a bond."
PAGE_3 = "Construction is expected to begin in June 2026, and the old bridge will stay open until 2029."
#: A long paragraph that wraps over many lines (and a word hyphenated at a line's end).
LONG = (
    "Council member Tom Greer cast the only vote against the plan, saying the city should have sought "
    "more federal money first. He said the state's offer came late and the council did not ask for "
    "more. Residents who spoke at the meeting mostly backed the plan, and several said the detour had "
    "added twenty minutes to their commute for two years."
)


def article_html(columns: bool = False) -> str:
    """The article as a printable page; ``columns`` sets page 3 in two columns."""
    style = "body{font:12pt serif;margin:1.5cm} .cols{column-count:2;column-gap:1cm} .narrow{width:9em}"
    cols = f'<div class="cols"><p>{LONG}</p><p>{LONG.replace("Residents", "Neighbours")}</p></div>'
    return (
        f"<!doctype html><html lang=en><head><title>Bridge report</title><style>{style}</style></head><body>"
        f"<h1>{HEADLINE}</h1><p>By Lee Park</p><p>{PAGE_1}</p><p>{LONG}</p>"
        f'<p style="page-break-before:always">{PAGE_2}</p><p>{PAGE_2B}</p>'
        '<p class="narrow">The plan also pays for new infra-<br>structure under the bridge deck.</p>'
        f'<p style="page-break-before:always">{PAGE_3}</p>{cols if columns else ""}</body></html>'
    )


def print_pdf(html: str, folder: Path, name: str = "report", header_footer: bool = True) -> bytes:
    """``html`` printed to PDF by headless Chromium (with its running header, footer and page numbers)."""
    source = folder / f"{name}.html"
    target = folder / f"{name}.pdf"
    source.write_text(html, encoding="utf-8")
    args = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={folder / 'chromium-profile'}", f"--print-to-pdf={target}",
    ]
    if not header_footer:
        args.append("--no-pdf-header-footer")
    subprocess.run([*args, source.as_uri()], check=True, timeout=120, capture_output=True)
    return target.read_bytes()


def png(width: int = 400, height: int = 300) -> bytes:
    """A grey PNG image (a page a scanner made, as far as text goes)."""
    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    body = chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + body


def hand_pdf(objects: list[bytes | str], trailer: str = "") -> bytes:
    """A PDF of ``objects`` (numbered from 1; 1 is the catalog) with a correct cross-reference table."""
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        data = body if isinstance(body, bytes) else body.encode()
        out += f"{number} 0 obj\n".encode() + data + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R {trailer}>>\n".encode()
    out += f"startxref\n{xref}\n%%EOF\n".encode()
    return out


_PAGES = ["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>"]


def encrypted_pdf() -> bytes:
    """A PDF encrypted with a user password (not the empty one)."""
    return hand_pdf(
        [*_PAGES, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
         f"<< /Filter /Standard /V 1 /R 2 /O <{'11' * 32}> /U <{'22' * 32}> /P -4 >>"],
        trailer=f"/Encrypt 4 0 R /ID [<{'33' * 16}> <{'33' * 16}>] ",
    )


def bomb_pdf(megabytes: int = 300) -> bytes:
    """A one-page PDF whose content stream is ~0.3 MB that inflates to ``megabytes`` MB."""
    compressor = zlib.compressobj(9)
    chunk = b" " * (1 << 20)
    data = b"".join(compressor.compress(chunk) for _ in range(megabytes)) + compressor.flush()
    stream = f"<< /Length {len(data)} /Filter /FlateDecode >>\nstream\n".encode() + data + b"\nendstream"
    page = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>"
    return hand_pdf([*_PAGES, page, stream])


def docx_bytes(paragraphs: list[str], title: str | None = None, headings: dict[int, str] | None = None,
               table: list[list[str]] | None = None) -> bytes:
    """A .docx: an optional Title paragraph, then ``paragraphs`` (a heading before index i if given),
    then an optional table."""
    import docx

    document = docx.Document()
    if title:
        document.add_heading(title, 0)
    for i, text in enumerate(paragraphs):
        if headings and i in headings:
            document.add_heading(headings[i], 1)
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, cell in enumerate(row):
                grid.cell(r, c).text = cell
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
