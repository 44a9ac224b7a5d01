"""Reading files, URLs and pasted text: clear errors for bad input."""

from __future__ import annotations

import pytest

from index.errors import InputError
from index.ingest import read_file, read_source, read_text


def test_text_file_is_kept_verbatim(tmp_path):
    path = tmp_path / "a.txt"
    text = "The council met on Tuesday to vote.\r\n\nThe mayor said “the budget is final” after the meeting."
    path.write_text(text, encoding="utf-8", newline="")
    raw = read_file(path)
    assert raw.text == text
    assert raw.source == str(path)


def test_markdown_title(tmp_path):
    path = tmp_path / "a.md"
    text = "# Big news\n\nSomething happened in the city today. The mayor said it was a surprise."
    path.write_text(text, encoding="utf-8")
    assert read_file(path).title == "Big news"


def test_html_main_text_and_metadata(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><title>Big news</title><meta name='author' content='Jane Doe'>"
        "<meta property='article:published_time' content='2023-07-20'></head><body>"
        "<nav>Home | About | Contact</nav><article><h1>Big news</h1>"
        "<p>The first paragraph of the article is long enough to count as main text here.</p>"
        "<p>“It works,” said Jane. Another paragraph follows with more words in it.</p>"
        "</article><footer>Share on Twitter</footer></body></html>",
        encoding="utf-8",
    )
    raw = read_file(path)
    assert "The first paragraph of the article" in raw.text
    assert "Home | About" not in raw.text
    assert "<p>" not in raw.text
    assert raw.title == "Big news"
    assert raw.byline == "Jane Doe"
    assert raw.date == "2023-07-20"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"  \n\t \n", "is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "is a PNG image, not an article.*no OCR"),
    ],
)
def test_bad_files_get_clear_errors(tmp_path, content, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        read_file(path)


def test_missing_path_and_folder(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_source(str(tmp_path / "nope.txt"))
    with pytest.raises(InputError, match="is a folder"):
        read_source(str(tmp_path))


def test_only_http_urls(tmp_path):
    with pytest.raises(InputError, match="only http and https"):
        read_source("ftp://example.com/a.txt")
    with pytest.raises(InputError, match="only http and https"):
        read_source("file:///etc/passwd")


def test_refused_url_is_a_fetch_error():
    from index.errors import FetchError
    from index.fetch import FetchPolicy
    from tests.support import free_port

    with pytest.raises(FetchError, match="Could not connect"):
        read_source(f"http://127.0.0.1:{free_port()}/article", FetchPolicy(allow_private=True))


def test_pasted_text_must_have_content():
    with pytest.raises(InputError, match="empty"):
        read_text("   \n ")
    text = "The council met on Tuesday. The mayor said the budget is final."
    assert read_text(text).source == "pasted text"
