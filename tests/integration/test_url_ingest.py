"""Adding by URL from a real HTTP server on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support import Page, static_site

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
    with static_site({"/story": Page(PAGE.encode("utf-8"))}) as url:
        yield url


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
