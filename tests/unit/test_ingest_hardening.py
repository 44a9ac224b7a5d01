"""Hostile and unusual input to ``add``: special files, encodings, control characters, non-articles.

Every refusal is checked for its error type and for a message naming the problem.
URL cases use a real HTTP server on 127.0.0.1 (allowed with ``allow_private``).
"""

from __future__ import annotations

import base64
import http.server
import io
import json
import os
import random
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from index.errors import (
    AddressRefusedError,
    InputError,
    InputTooLargeError,
    NotAnArticleError,
    NotRegularFileError,
    NotTextError,
)
from index.extract import MIN_PROSE_WORDS, check_article, prose_words
from index.fetch import FetchPolicy
from index.ingest import MAX_BYTES, decode, read_file, read_source, read_stdin, read_text, read_url

ROOT = Path(__file__).resolve().parents[2]
DEV = ROOT / "evals" / "data" / "dev.jsonl"
SEED = ROOT / "examples" / "articles" / "cluster-munitions-dallas-express.txt"

#: A short but real news item: two sentences, 31 words.
SHORT_NEWS = (
    "The city council voted 7-2 on Tuesday to close Main Street to cars on weekends. "
    "The mayor said the trial would start in June and last until the end of September."
)
WESTERN = (
    "The mayor’s office said on Tuesday that the “new” café near the river would open in May — "
    "two months late. José María, who runs it, said the delay cost €20,000 and “a lot of sleep”."
)


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _dev_articles() -> dict[str, str]:
    # Read the JSONL directly: importing evals would load the whole assistant stack.
    records = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {r["article_id"]: r["text"] for r in records}


# --- special files ---------------------------------------------------------------------------


@pytest.mark.timeout(10)
def test_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    with pytest.raises(NotRegularFileError, match=r"named pipe \(FIFO\), not a file.*add -"):
        read_file(fifo)


@pytest.mark.timeout(10)
def test_dev_zero_is_refused_quickly():
    with pytest.raises(NotRegularFileError, match="/dev/zero is a device, not a file"):
        read_source("/dev/zero")


def test_socket_is_refused(tmp_path):
    path = tmp_path / "s.sock"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        with pytest.raises(NotRegularFileError, match="is a socket, not a file"):
            read_file(path)


def test_folder_is_refused(tmp_path):
    with pytest.raises(NotRegularFileError, match="is a folder"):
        read_file(tmp_path)


def test_file_larger_than_the_limit_is_refused_before_reading(tmp_path):
    path = tmp_path / "big.txt"
    with path.open("wb") as f:
        f.truncate(MAX_BYTES + 1)  # sparse: no disk used
    with pytest.raises(InputTooLargeError, match=r"is 5\.0 MB, larger than the 5 MB limit"):
        read_file(path)


@pytest.mark.timeout(30)
def test_size_cap_holds_when_the_file_claims_size_zero():
    # /proc files report st_size 0; pagemap is far larger than the cap (8 bytes per page).
    path = Path("/proc/self/pagemap")
    try:
        os.close(os.open(path, os.O_RDONLY))
    except OSError as e:
        pytest.skip(f"{path} cannot be read here: {e}")
    assert path.stat().st_size == 0
    with pytest.raises(InputTooLargeError, match="larger than the 5 MB limit"):
        read_file(path)


def test_type_checks_raise_input_error():
    with pytest.raises(InputError, match=r"^The text must be a string, not int\.$"):
        read_text(12345)  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"^The title must be a string or None, not int\.$"):
        read_text(SHORT_NEWS, title=5)  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"^The source must be a string, not NoneType\.$"):
        read_text(SHORT_NEWS, source=None)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="The text must be a string, not bytes"):
        read_text(SHORT_NEWS.encode())  # type: ignore[arg-type]
    with pytest.raises(InputError, match="The source must be a path or a URL string, not int"):
        read_source(7)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="The path must be a string or a Path, not list"):
        read_file([])  # type: ignore[arg-type]


def test_pasted_text_larger_than_the_limit_is_refused():
    with pytest.raises(InputTooLargeError, match="more than the 5,000,000 limit"):
        read_text("a" * (MAX_BYTES + 1))


def test_every_reader_takes_the_cap_it_is_given(tmp_path):
    # One cap for files, text, stdin and URLs: the caller passes Settings.fetch.max_bytes on.
    path = _write(tmp_path, "a.txt", SHORT_NEWS.encode())
    small = len(SHORT_NEWS) - 1
    assert read_file(path).text == SHORT_NEWS
    with pytest.raises(InputTooLargeError, match=rf"larger than the {small / 1e6:g} MB limit"):
        read_file(path, max_bytes=small)
    with pytest.raises(InputTooLargeError, match=rf"larger than the {small / 1e6:g} MB limit"):
        read_source(str(path), FetchPolicy(max_bytes=small))
    with pytest.raises(InputTooLargeError, match=f"more than the {small:,} limit"):
        read_text(SHORT_NEWS, max_bytes=small)
    with pytest.raises(InputTooLargeError, match="Standard input holds more than"):
        read_stdin(io.BytesIO(SHORT_NEWS.encode()), max_bytes=small)
    assert read_stdin(io.BytesIO(SHORT_NEWS.encode())) == SHORT_NEWS


def test_the_cap_has_one_home():
    from assistant.settings import Settings
    from index.limits import MAX_ARTICLE_BYTES

    assert MAX_BYTES == FetchPolicy().max_bytes == Settings().fetch.max_bytes == MAX_ARTICLE_BYTES


# --- decoding ---------------------------------------------------------------------------------


def test_ordinary_utf8_files_read_exactly_as_before(tmp_path):
    """Sentence IDs depend on the text: UTF-8 (with or without BOM) decodes as ``utf-8-sig`` did."""
    for name, text in [("seed", SEED.read_text(encoding="utf-8")), *_dev_articles().items()][:12]:
        data = text.encode("utf-8")
        for i, raw in enumerate((data, b"\xef\xbb\xbf" + data)):
            path = _write(tmp_path, f"a{i}.txt", raw)
            assert read_file(path).text == raw.decode("utf-8-sig") == text, name


@pytest.mark.parametrize("text", [WESTERN, SHORT_NEWS], ids=["western", "ascii"])
@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_are_text(tmp_path, encoding, text):
    # "utf-16"/"utf-32" write a BOM; "-le"/"-be" write none (charset-normalizer finds those).
    # ASCII text in UTF-16 without a BOM is valid UTF-8 full of NULs: it must not be read as that.
    path = _write(tmp_path, "a.txt", text.encode(encoding))
    assert read_file(path).text == text


@pytest.mark.parametrize(
    "text",
    [
        WESTERN,
        "The new café near the river costs €5 a cup — twice the old price, the owner said.",
        "Le président a déclaré mardi que l’économie française « résiste » — malgré la crise.",
    ],
)
def test_windows_1252_is_read(tmp_path, text):
    path = _write(tmp_path, "a.txt", text.encode("cp1252"))
    assert read_file(path).text == text


def test_other_legacy_encodings_go_to_charset_normalizer():
    for text, codec in [
        ("Türkiye Cumhurbaşkanı salı günü yaptığı açıklamada ekonominin güçlü olduğunu söyledi.", "cp1254"),
        ("Президент России заявил во вторник, что новые санкции не повлияют на экономику страны.", "cp1251"),
    ]:
        assert decode(text.encode(codec), "x") == text


def test_one_bad_byte_in_utf8_is_replaced_not_fatal(tmp_path):
    good = WESTERN.encode("utf-8")
    at = good.index(b"two months")
    path = _write(tmp_path, "a.txt", good[:at] + b"\xff" + good[at:])
    text = read_file(path).text
    assert text == WESTERN.replace("two months", "\ufffdtwo months")


def test_charset_from_http_is_preferred():
    text = "Привет мир, это новость дня."
    data = text.encode("koi8-r")
    assert decode(data, "x") != text  # too short for charset-normalizer to tell
    assert decode(data, "x", charset="koi8-r") == text
    # Browsers read "iso-8859-1" as Windows-1252, where 0x80 is the euro sign.
    assert decode("It costs €5.".encode("cp1252"), "x", charset="iso-8859-1") == "It costs €5."
    assert decode(b"plain", "x", charset="no-such-charset") == "plain"
    # ...but valid UTF-8 under a Latin-1 label is UTF-8 (a common server misconfiguration).
    utf8 = "The mayor’s café costs €5 — twice the old price."
    assert decode(utf8.encode(), "x", charset="iso-8859-1") == utf8


@pytest.mark.parametrize(
    "data",
    [
        b"\x00" * 4096,
        random.Random(0).randbytes(4096),
        b"\x00\x01\x02binary\xff\xfe",
        b"\x7fELF\x02\x01\x01" + b"\x00" * 9 + b"\x02\x00>\x00" * 50,
    ],
    ids=["zeros", "random", "mixed", "elf"],
)
def test_binary_files_are_not_text(tmp_path, data):
    with pytest.raises(NotTextError, match=r"is not text \(looks like binary data\)"):
        read_file(_write(tmp_path, "a.txt", data))


# --- control characters -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("char", "name"),
    [("\x00", "NUL"), ("\x07", "BEL"), ("\x1b", "ESC"), ("\x7f", "DEL"), ("\x9b", "C1 control")],
)
def test_control_characters_in_pasted_text_are_refused(char, name):
    text = SHORT_NEWS.replace("The mayor", f"The {char}mayor")
    column = text.index(char) + 1
    with pytest.raises(NotTextError, match=rf"U\+{ord(char):04X} \({name}\), at line 1, column {column}\."):
        read_text(text)


def test_control_character_position_is_line_and_column():
    with pytest.raises(NotTextError, match=r"U\+0000 \(NUL\), at line 2, column 5\. .*remove it"):
        read_text(f"Headline\nThe \x00{SHORT_NEWS}")


def test_unpaired_surrogate_is_refused():
    with pytest.raises(NotTextError, match=r"unpaired surrogate, U\+D800"):
        read_text(SHORT_NEWS + "\ud800")


def test_control_character_in_a_file_is_refused(tmp_path):
    path = _write(tmp_path, "a.txt", (SHORT_NEWS + "\x08 More.").encode())
    with pytest.raises(NotTextError, match=r"U\+0008 \(BS\)"):
        read_file(path)


def test_terminal_colour_codes_are_removed():
    coloured = f"\x1b[1;31mBreaking\x1b[0m\n\x1b]0;title\x07{SHORT_NEWS}\x1b[K"
    assert read_text(coloured).text == f"Breaking\n{SHORT_NEWS}"


def test_whitespace_controls_are_kept():
    text = f"{SHORT_NEWS}\r\n\tIndented.\f\vEnd.\r"
    assert read_text(text).text == text


# --- non-articles -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Home Log in",
        "Home\nLog in\n",
        "Sign in to continue",
        "Home\nNews\nSport\nLog in\nSign in to continue.\nForgot your password?\nCreate an account",
    ],
)
def test_login_and_index_pages_are_refused(text):
    with pytest.raises(NotAnArticleError, match=r"t look like an article: it has only \d+ words? of prose"):
        read_text(text)


def test_short_sentence_like_menu_items_are_not_prose():
    menu = "Log in.\nSign up.\nForgot password?\nHelp.\nContact us.\nPrivacy policy.\nTerms of use."
    with pytest.raises(NotAnArticleError, match="only 0 words of prose"):
        read_text(menu)


def test_login_page_as_html_is_refused(tmp_path):
    html = (
        "<html><head><title>Log in</title></head><body><nav><a href='/'>Home</a></nav><form>"
        "<h1>Log in</h1><p>Sign in to continue</p><input name=user><button>Log in</button>"
        "</form></body></html>"
    )
    with pytest.raises(NotAnArticleError, match="doesn't look like an article|found no article text"):
        read_file(_write(tmp_path, "login.html", html.encode()))


@pytest.mark.parametrize(
    ("text", "what"),
    [
        (
            "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
            "4 0 obj << /Length 44 >> stream\nBT /F1 12 Tf 72 712 Td (The mayor said the budget is final. "
            "The park opens next spring, the council said.) Tj ET\nendstream endobj\n%%EOF\n",
            "PDF",
        ),
        (json.dumps({"headline": "Budget final", "body": SHORT_NEWS, "tags": ["city", "roads"]}), "JSON"),
        (json.dumps([{"title": SHORT_NEWS}, {"title": SHORT_NEWS}], indent=2), "JSON"),
        (json.dumps([2024, SHORT_NEWS], indent=2), "JSON"),
        ('{"title": "' + SHORT_NEWS + '", "body": "truncated', "JSON"),
        (
            '<?xml version="1.0"?>\n<rss version="2.0"><channel><title>News</title><item><title>'
            + SHORT_NEWS + "</title></item></channel></rss>",
            "news feed",
        ),
        (
            f"<feed xmlns='http://www.w3.org/2005/Atom'><entry><summary>{SHORT_NEWS}</summary></entry></feed>",
            "news feed",
        ),
        (
            "body { margin: 0; padding: 0; }\n.nav a { color: #333; text-decoration: none; }\n"
            "@media (max-width: 600px) { .nav { display: none; } }\n",
            "code",
        ),
        (
            "const x = document.querySelector('#a');\n"
            "x.addEventListener('click', () => { alert('The mayor said the budget is final.'); });\n"
            "function f(a, b) { return a + b; }\n",
            "code",
        ),
        (base64.encodebytes(SHORT_NEWS.encode() * 20).decode(), "encoded data"),
        ("\n".join(f"{i},{i * 3.5},{i * i},2024-01-{i % 28 + 1:02d}" for i in range(60)), "digits"),
    ],
    ids=[
        "pdf", "json-object", "json-array", "json-parsed", "json-truncated",
        "rss", "atom", "css", "js", "base64", "csv",
    ],
)
def test_non_prose_is_refused(tmp_path, text, what):
    with pytest.raises(NotAnArticleError, match=f"doesn't look like an article: it looks like .*{what}"):
        read_text(text)
    # A file is sniffed: PDF bytes go to the PDF reader, which finds this one damaged.
    with pytest.raises(InputError, match=what):
        read_file(_write(tmp_path, "doc.txt", text.encode()))


def test_boilerplate_only_is_refused():
    with pytest.raises(NotAnArticleError, match="only boilerplate"):
        read_text("CLICK HERE TO GET THE DALLAS EXPRESS APP\nAuthor\n")


@pytest.mark.parametrize(
    "text",
    [
        SHORT_NEWS,
        "The lighthouse keeper retired in 1990. The light was automated a year later.",
        # Hard-wrapped lines are joined, so a wrapped paragraph counts as prose.
        "The city council voted on Tuesday to close Main Street\nto cars on weekends from June, the mayor\n"
        "said after the meeting.",
        # HTML typed into an article is prose, not markup (the web app's hostile-text test).
        'The mayor said <script>window.x = "s"</script> the budget is final. A photo '
        '<img src=x onerror="window.x = 1"> shows the empty lot. The park opens next spring.',
    ],
    ids=["31-words", "12-words", "hard-wrapped", "html-in-prose"],
)
def test_short_real_news_passes(text):
    assert read_text(text).text == text


def test_every_dev_article_and_the_seed_pass():
    articles = {"seed": SEED.read_text(encoding="utf-8"), **_dev_articles()}
    assert len(articles) == 56
    for name, text in articles.items():
        check_article(text, name)
        assert read_text(text).text == text, name
    smallest = min(prose_words(t) for t in articles.values())
    assert smallest >= 10 * MIN_PROSE_WORDS  # a wide margin: the smallest has 192


# --- URLs (a real server on loopback) -------------------------------------------------------


LOOPBACK = FetchPolicy(allow_private=True, deadline_s=10)
ARTICLE_HTML = (
    "<!doctype html><html><head><title>Council closes Main Street</title></head><body>"
    f"<nav>Home | News | Log in</nav><article><h1>Council closes Main Street</h1><p>{SHORT_NEWS}</p>"
    "<p>Shop owners said they feared losing customers, but cyclists welcomed the plan.</p></article>"
    "</body></html>"
)
PAGES: dict[str, tuple[str, bytes]] = {
    "/story": ("text/html; charset=utf-8", ARTICLE_HTML.encode()),
    "/legacy": ("text/plain; charset=windows-1252", WESTERN.encode("cp1252")),
    "/koi8": ("text/plain; charset=koi8-r", ("Москва. " + "Президент заявил во вторник, что санкции "
                                            "не повлияют на экономику страны. " * 2).encode("koi8-r")),
    "/json": ("text/plain", json.dumps({"headline": "x", "body": SHORT_NEWS}).encode()),
    "/login": ("text/html", b"<html><body><nav>Home</nav><h1>Log in</h1><p>Sign in</p></body></html>"),
}


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
            content_type, body = PAGES.get(self.path, ("text/plain", b"not here"))
            self.send_response(200 if self.path in PAGES else 404)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_url_html_is_extracted_and_checked(site):
    raw = read_url(f"{site}/story", LOOPBACK)
    assert SHORT_NEWS in raw.text
    assert "Log in" not in raw.text
    assert raw.title == "Council closes Main Street"
    assert raw.url == f"{site}/story"


def test_url_charset_header_is_used(site):
    assert read_url(f"{site}/legacy", LOOPBACK).text == WESTERN
    assert read_url(f"{site}/koi8", LOOPBACK).text.startswith("Москва. Президент заявил")


def test_url_json_and_login_are_not_articles(site):
    with pytest.raises(NotAnArticleError, match="JSON"):
        read_url(f"{site}/json", LOOPBACK)
    with pytest.raises(NotAnArticleError, match="doesn't look like an article|found no article text"):
        read_url(f"{site}/login", LOOPBACK)


def test_read_source_passes_the_policy_and_read_url_the_resolver(site):
    with pytest.raises(AddressRefusedError, match="only public web pages"):
        read_source(f"{site}/story")  # the default policy refuses loopback
    assert SHORT_NEWS in read_source(f"{site}/story", LOOPBACK).text
    port = site.rsplit(":", 1)[1]
    raw = read_url(f"http://news.test:{port}/story", LOOPBACK, resolver=lambda host, port: ["127.0.0.1"])
    assert SHORT_NEWS in raw.text
