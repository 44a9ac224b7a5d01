"""Adding by URL from a real HTTP server on loopback."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator

import pytest

from tests.support import free_port

PAGE = """<!doctype html><html><head><title>Kirby on cluster munitions</title>
<meta name="author" content="Staff Reporter">
<meta property="article:published_time" content="2023-07-21"></head>
<body><nav>Home | World | Politics | Subscribe</nav>
<article><h1>Kirby on cluster munitions</h1>
<p>President Joe Biden’s administration confirmed that the controversial cluster munitions it sent
to Ukraine are being deployed against Russian forces.</p>
<p>“They are using them appropriately. They’re using them effectively,” said John Kirby, the
National Security Council’s coordinator for strategic communications.</p>
</article><footer>Share this article</footer></body></html>"""


@pytest.fixture
def site() -> Iterator[str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
            if self.path == "/story":
                body = PAGE.encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
            else:
                body = b"not here"
                self.send_response(404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture
def assistant(settings, embedder):  # type: ignore[no-untyped-def]
    """An Assistant allowed to fetch this test's own loopback server."""
    from assistant.api import Assistant

    return Assistant(settings.with_(**{"fetch.allow_private": True}), embedder=embedder)


def test_add_by_url_extracts_main_text(assistant, site):
    result = assistant.add(f"{site}/story")
    article = result.article
    assert article.title == "Kirby on cluster munitions"
    assert article.byline == "Staff Reporter"
    assert article.date == "2023-07-21"
    assert article.url == f"{site}/story"
    assert "Home | World" not in article.text
    answer = assistant.ask("Who said cluster munitions are effective?", article=article.id)
    assert "John Kirby" in answer.text


def test_missing_page_is_a_clear_error(assistant, site):
    from index.errors import FetchError

    with pytest.raises(FetchError, match="HTTP 404"):
        assistant.add(f"{site}/gone")
    assert assistant.articles() == []
