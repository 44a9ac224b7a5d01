"""The web chat lists the library from its summaries and reads only the articles it shows."""

from __future__ import annotations

from assistant.web.handlers import ChatHandlers
from assistant.web.render import ALL

TEXTS = [f"Story {i}\n\nThe council met on day {i}. The mayor said plan {i} was ready." for i in range(6)]


def test_views_read_only_the_articles_they_show(assistant, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    ids = [assistant.add_text(t, title=f"Story {i}").article.id for i, t in enumerate(TEXTS)]
    read: list[str] = []
    real_get = assistant.get

    def counting_get(article_id: str):  # type: ignore[no-untyped-def]
        read.append(article_id)
        return real_get(article_id)

    def no_list():  # type: ignore[no-untyped-def]
        raise AssertionError("the web chat read every article")

    monkeypatch.setattr(assistant, "get", counting_get)
    monkeypatch.setattr(assistant, "articles", no_list)
    handlers = ChatHandlers(assistant)

    library, _chat, article_view, *_ = handlers.view({"scope": ids[3], "chats": {}, "pending": None})
    assert all(f"Story {i}" in library for i in range(6))
    assert set(read) == {ids[3]} and "plan 3 was ready" in article_view

    read.clear()
    monkeypatch.setattr("assistant.web.handlers.SUGGEST_SCAN", 2)  # example questions look at 2
    library, _chat, article_view, *_ = handlers.view({"scope": ALL, "chats": {}, "pending": None})
    assert "Ask across 6 articles" in library
    # The newest two read for the suggestions; nothing cited yet: no article shown.
    assert read == ids[::-1][:2] and "was ready" not in article_view


def test_a_streamed_repaint_reads_no_article(assistant, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Through the page's own ask handler: the frames before the answer is settled (the question,
    the streamed text) read no article; only the settled answer's article view does."""
    assistant.add_text(TEXTS[0], title="Story 0")
    handlers = ChatHandlers(assistant)
    read: list[str] = []
    real_get = assistant.get

    def counting_get(article_id: str):  # type: ignore[no-untyped-def]
        read.append(article_id)
        return real_get(article_id)

    state = {"scope": ALL, "chats": {}, "pending": None}
    handlers.view(state)  # the page as first shown (example questions may read an article)
    monkeypatch.setattr(assistant, "get", counting_get)
    reads_per_frame = []
    frames = []
    for frame in handlers.ask("What did the mayor say?", state):
        frames.append(frame)
        reads_per_frame.append(len(read))
        read.clear()
    assert len(reads_per_frame) >= 3  # the question, the streamed text, the settled answer
    assert reads_per_frame[:-1] == [0] * (len(reads_per_frame) - 1)
    assert "plan 0 was ready" in frames[-1][0]
