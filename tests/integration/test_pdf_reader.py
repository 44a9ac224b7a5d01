"""PDF articles: real PDFs printed by Chromium (running header, footer, page numbers, columns),
read with pypdfium2 in its bounded child process; damaged, encrypted, scanned and bomb PDFs refused."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from index.build import prepare
from index.errors import InputError, InputTooLargeError, NotAnArticleError
from index.formats.contract import ReadLimits
from index.formats.registry import read_bytes
from index.ingest import read_file
from tests import formats_support as fs


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("pdfs")
    scanned = f'<!doctype html><body><img src="data:image/png;base64,{_b64(fs.png())}"></body>'
    return {
        "report": fs.print_pdf(fs.article_html(columns=True), folder, "report"),
        "plain": fs.print_pdf(fs.article_html(), folder, "plain", header_footer=False),
        "scanned": fs.print_pdf(scanned, folder, "scanned", header_footer=False),
    }


def _b64(data: bytes) -> str:
    import base64

    return base64.b64encode(data).decode()


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_a_printed_pdf_reads_in_order_with_pages_and_no_furniture(printed, tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(printed["report"])
    raw = read_file(path)
    text = _flat(raw.text)
    # Reading order: every paragraph whole and in order, the columns one after the other.
    spots = [text.index(_flat(p)) for p in (fs.PAGE_1, fs.LONG, fs.PAGE_2, fs.PAGE_2B, fs.PAGE_3)]
    assert spots == sorted(spots)
    assert _flat(fs.LONG.replace("Residents", "Neighbours")) in text
    # Chromium's running header (date, title), footer (file URL) and page numbers are gone.
    assert "file:" not in raw.text and "Bridge report" not in raw.text
    assert not re.search(r"\b\d/3\b", raw.text)
    # A word hyphenated at a line's end is joined again.
    assert "new infrastructure under" in text
    assert raw.title == fs.HEADLINE and raw.byline == "Lee Park"
    assert len(raw.pages) == 3 and raw.pages[0] == 0


def test_every_sentence_knows_its_page(printed):
    raw = read_bytes(printed["report"], "report.pdf")
    article, _ = prepare(raw)
    pages = {}
    for s in article.sentences:
        assert article.text[s.start : s.end] == s.text
        pages[s.text] = s.page
    assert pages[fs.PAGE_1] == 1 and pages[fs.PAGE_2] == 2 and pages[fs.PAGE_2B] == 2
    assert pages[fs.PAGE_3.split(", and")[0] + ", and the old bridge will stay open until 2029."] == 3
    assert [s.page for s in article.sentences] == sorted(s.page or 0 for s in article.sentences)
    assert fs.HEADLINE in {article.sentence(i).text for i in article.structural}


def test_the_same_pdf_named_txt_is_still_read_as_pdf(printed, tmp_path):
    path = tmp_path / "report.txt"
    path.write_bytes(printed["plain"])
    assert read_file(path).pages


def test_a_scanned_pdf_is_refused_saying_there_is_no_ocr(printed):
    with pytest.raises(NotAnArticleError, match=r"has no text layer \(a scanned PDF\?\).*no OCR.*Paste"):
        read_bytes(printed["scanned"], "scan.pdf")


def test_an_encrypted_pdf_is_refused_saying_what_to_do():
    with pytest.raises(InputError, match="encrypted PDF that needs a password.*without a password"):
        read_bytes(fs.encrypted_pdf(), "locked.pdf")


@pytest.mark.parametrize("cut", [40, 400, 4000])
def test_a_damaged_pdf_is_refused(printed, cut):
    with pytest.raises(InputError, match="damaged|no text"):
        read_bytes(printed["plain"][:cut], "cut.pdf")


def test_too_many_pages_or_too_much_text_is_refused(printed):
    with pytest.raises(InputTooLargeError, match="has 3 pages, more than the 2-page limit"):
        read_bytes(printed["plain"], "long.pdf", ReadLimits(max_pages=2))
    with pytest.raises(InputTooLargeError, match="more than 500 characters of text"):
        read_bytes(printed["plain"], "long.pdf", ReadLimits(max_chars=500))


def test_a_pdf_bomb_is_stopped_by_the_memory_limit_not_the_host():
    bomb = fs.bomb_pdf(300)
    assert len(bomb) < 1_000_000
    with pytest.raises(InputTooLargeError, match="memory limit"):
        read_bytes(bomb, "bomb.pdf", ReadLimits(memory_mb=256, seconds=60))


def test_a_pdf_that_takes_too_long_is_stopped():
    with pytest.raises(InputTooLargeError, match="took longer than 0.01 s"):
        read_bytes(fs.bomb_pdf(8), "slow.pdf", ReadLimits(seconds=0.01))


def test_a_pdf_format_left_out_by_the_settings_is_refused(printed):
    with pytest.raises(InputError, match="is PDF, a format this library does not accept"):
        read_bytes(printed["plain"], "x.pdf", ReadLimits(kinds=("text", "html")))


def test_the_pdf_file_is_read_from_any_folder(printed, tmp_path, monkeypatch):
    """The reader's child process finds the package wherever the user runs the command from."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PYTHONPATH", raising=False)
    assert read_bytes(printed["plain"], "x.pdf").pages
    assert Path.cwd() == tmp_path
