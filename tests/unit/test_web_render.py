"""The web chat's pure parts: HTML rendering (always escaped), state handling, serve options."""

from __future__ import annotations

import html
import re

import pytest

from assistant.types import Answer, Citation
from assistant.web.app import is_loopback, parse_auth
from assistant.web.library import LibraryView, find, render_library
from assistant.web.render import (
    ALL,
    add_status,
    cited_articles,
    cited_pairs,
    render_articles,
    render_chat,
    sentence_anchor,
)
from assistant.web.state import history, normalise
from index.errors import ConfigError
from index.models import Article, ArticleSummary, Sentence

HOSTILE = '<script>alert(1)</script> <img src=x onerror="alert(2)"> ![x](http://e/x.png) [l](http://e/)'


def _library(summaries: list[ArticleSummary], scope: str) -> str:
    return render_library(find(summaries, LibraryView(), scope, 50), scope)


def _article(text: str = "First one. " + HOSTILE + "\n\nLast one.", title: str | None = None) -> Article:
    first, second = "First one.", HOSTILE
    s2 = text.index(second)
    s3 = text.index("Last one.")
    return Article(
        id="a1b2c3d4e5f6",
        text=text,
        sentences=(
            Sentence("s1", 0, len(first), first, 0),
            Sentence("s2", s2, s2 + len(second), second, 0),
            Sentence("s3", s3, s3 + len("Last one."), "Last one.", 1),
        ),
        title=title,
        source="/tmp/gradio/abc/story.txt",
        added_at="2026-01-02T03:04:05+00:00",
    )


def _turn(text: str, *citations: Citation, abstained: bool = False) -> dict:
    answer = Answer(text=text, citations=citations, abstained=abstained, confidence=0.5)
    return {"question": "Q <b>bold</b>?", "answer": answer.to_dict()}


def _cite(sid: str = "s2", low: bool = False) -> Citation:
    return Citation("a1b2c3d4e5f6", sid, 0, 1, HOSTILE, low_support=low)


def _no_live_html(page: str) -> None:
    assert "<script" not in page and "<img" not in page and "<b>" not in page
    assert not re.search(r"<a\s+href=\"http://e/", page)


def test_article_view_escapes_text_and_anchors_every_sentence() -> None:
    article = _article(title='<b>T</b> <img src=x onerror="alert(3)">')
    page = render_articles([article], {(article.id, "s2"): False})
    _no_live_html(page)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    for s in article.sentences:
        assert f'id="{sentence_anchor(article.id, s.id)}"' in page
    assert page.count('<p class="para">') == 2
    assert 'class="sentence cited" id="sent-a1b2c3d4e5f6-s2"' in page
    assert 'data-focus="sent-a1b2c3d4e5f6-s2"' in page


def test_article_view_marks_low_support_citations() -> None:
    article = _article()
    page = render_articles([article], {(article.id, "s1"): True})
    assert 'class="sentence cited low" id="sent-a1b2c3d4e5f6-s1"' in page


def test_answer_gets_numbered_markers_and_its_citations_with_ids() -> None:
    turn = _turn("John Kirby <i>said</i> it.", _cite("s2"), _cite("s3", low=True))
    page = render_chat([turn], "scope", {"a1b2c3d4e5f6": "Title"})
    _no_live_html(page)
    assert "Q &lt;b&gt;bold&lt;/b&gt;?" in page
    assert "&lt;i&gt;said&lt;/i&gt;" in page
    markers = re.findall(r'class="cite-marker( low)?" data-target="([^"]+)"[^>]*>(\d)<', page)
    assert ("", "sent-a1b2c3d4e5f6-s2", "1") in markers
    assert (" low", "sent-a1b2c3d4e5f6-s3", "2") in markers
    assert page.count('class="citation-id"><code class="sid">s2</code>') == 1
    assert "low support" in page


def test_markers_replace_bracketed_numbers_when_the_answer_has_them() -> None:
    page = render_chat([_turn("Kirby [1] and Putin [2].", _cite("s1"), _cite("s2"))], "s", {})
    answer = page.split('class="answer-text">')[1].split("</p>")[0]
    assert "[1]" not in answer and answer.index(">1<") < answer.index("Putin")


def test_abstention_is_rendered_apart_from_answers() -> None:
    page = render_chat([_turn("The article doesn't say.", abstained=True)], "s", {})
    assert 'class="msg bot abstained"' in page
    assert "Sources" not in page


def test_streaming_shows_only_the_revealed_prefix() -> None:
    pending = {"question": "Who?", "text": "John Kirby said so.", "reveal": 10}
    page = render_chat([], "s", {}, pending)
    assert "John Kirby" in page and "said so" not in page
    assert "caret" in page
    assert "thinking" in render_chat([], "s", {}, {"question": "Who?", "text": None})


def test_empty_chat_offers_suggestions_escaped() -> None:
    page = render_chat([], "<b>x</b>", {}, suggestions=('Say "<hi>"',))
    _no_live_html(page)
    assert 'data-question="Say &quot;&lt;hi&gt;&quot;"' in page


def test_library_lists_all_articles_then_each_with_source_date_and_count() -> None:
    article = _article(title="<b>Title</b>")
    page = _library([ArticleSummary.of(article)], article.id)
    _no_live_html(page)
    assert f'data-scope="{ALL}"' in page
    assert 'class="lib-card selected" data-scope="a1b2c3d4e5f6"' in page
    assert "story.txt · added 2026-01-02 · 3 sentences" in page
    assert "/tmp/gradio" not in page


def test_status_messages_are_escaped() -> None:
    assert "&lt;script&gt;" in add_status("<script>", ok=False)
    assert 'role="alert"' in add_status("bad", ok=False)


def test_cited_pairs_and_articles_follow_the_latest_answer() -> None:
    older = _turn("a", Citation("old", "s1", 0, 1, "x"))
    latest = _turn("b", _cite("s2", low=True))
    assert cited_pairs(latest) == {("a1b2c3d4e5f6", "s2"): True}
    assert cited_articles([older, latest]) == ["a1b2c3d4e5f6", "old"]


def test_state_from_the_browser_is_normalised() -> None:
    shown = {"query": "", "page": 0}
    assert normalise(None) == {"scope": ALL, "chats": {}, "pending": None, "library": shown}
    assert normalise({"scope": 3, "chats": {"x": "nope", "y": []}}) == {
        "scope": ALL, "chats": {"y": []}, "pending": None, "library": shown
    }
    kept = {"question": "Who?", "scope": "abc"}
    assert normalise({"pending": kept})["pending"] == kept
    for bad in ("Who?", {"question": "x" * 10_001, "scope": "abc"}, {"question": " ", "scope": "a"},
                {"question": "Who?", "scope": 3}):
        assert normalise({"pending": bad})["pending"] is None
    state = {"scope": "abc", "chats": {"abc": [{"q": 1}]}}
    copy = normalise(state)
    copy["chats"]["abc"].append({})
    assert state["chats"]["abc"] == [{"q": 1}]


def test_history_rebuilds_turns_with_their_citations() -> None:
    turns = history([_turn("Kirby.", _cite("s2"))])
    assert turns[0].answer == "Kirby." and turns[0].citations[0].sentence_id == "s2"


def test_auth_and_loopback() -> None:
    assert parse_auth("me:se:cret") == ("me", "se:cret")
    for bad in ("me", ":pw", "me:"):
        with pytest.raises(ConfigError):
            parse_auth(bad)
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5") and not is_loopback("example.org")


def test_serve_command_warns_on_a_public_address_without_auth(monkeypatch, tmp_path) -> None:
    from click.testing import CliRunner

    import assistant.web.app
    from assistant.cli import cli

    calls = []
    monkeypatch.setattr(assistant.web.app, "serve", lambda settings, **kw: calls.append(kw))
    runner = CliRunner()
    result = runner.invoke(cli, ["--data-dir", str(tmp_path), "serve", "--host", "0.0.0.0", "--port", "9999"])
    assert result.exit_code == 0, result.output
    assert "warning: serving on 0.0.0.0 without --auth" in result.output
    served = [{k: kw[k] for k in ("host", "port", "auth", "mcp")} for kw in calls]
    assert served == [{"host": "0.0.0.0", "port": 9999, "auth": None, "mcp": False}]

    result = runner.invoke(cli, ["--data-dir", str(tmp_path), "serve", "--auth", "me:pw"])
    assert "warning" not in result.output
    assert {k: calls[-1][k] for k in ("host", "port", "auth")} == {
        "host": "127.0.0.1", "port": 7860, "auth": ("me", "pw")
    }

    result = runner.invoke(cli, ["--data-dir", str(tmp_path), "serve", "--auth", "nopassword"])
    assert result.exit_code == 1
    assert "--auth takes USER:PASS" in result.output


def test_terminal_codes_and_control_characters_are_not_shown() -> None:
    text = "The \x1b[31mred\x1b[0m car stopped.\x0c It\x0bwas late.\n\nLast one."
    sentences = (Sentence("s1", 0, text.index("It") - 2, text[: text.index("It") - 2], 0),)
    article = Article(id="a1b2c3d4e5f6", text=text, sentences=sentences, title="\x1b[1mBold\x1b[0m title")
    page = render_articles([article], {}) + _library([ArticleSummary.of(article)], ALL)
    assert "\x1b" not in page and "[31m" not in page and "[0m" not in page and "\x0c" not in page
    assert "The red car stopped." in page and "Bold title" in page
    assert article.text == text  # only what is shown changes


def test_copy_gives_the_answer_its_quotations_and_source_as_markdown() -> None:
    turn = _turn("John Kirby said it [1].", _cite("s2"), _cite("s3"))
    page = render_chat([turn], "s", {"a1b2c3d4e5f6": "<b>Title</b>"}, sources={"a1b2c3d4e5f6": "https://e/x"})
    _no_live_html(page)
    copied = html.unescape(re.search(r'data-copy="([^"]*)"', page)[1])
    assert copied.splitlines() == [
        "**Q <b>bold</b>?**", "", "John Kirby said it [1].", "",
        f"> [1] {' '.join(HOSTILE.split())} (s2)", "", f"> [2] {' '.join(HOSTILE.split())} (s3)", "",
        "Source: *<b>Title</b>*, https://e/x",
    ]


def test_an_interrupted_question_is_offered_again_escaped() -> None:
    page = render_chat([], "s", {}, {"question": '<img src=x onerror="alert(1)">', "interrupted": True})
    _no_live_html(page)
    assert 'class="msg bot interrupted"' in page and "interrupted before its answer" in page
    assert 'class="retry" data-question="&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"' in page


def test_each_status_line_differs_from_the_last() -> None:
    assert add_status("Added", ok=True) != add_status("Added", ok=True)


def test_refused_questions_are_warnings_in_the_page(tmp_path, recwarn) -> None:
    import gradio as gr

    from assistant.api import Assistant
    from assistant.settings import Settings
    from assistant.web.handlers import ChatHandlers

    h = ChatHandlers(Assistant(Settings(data_dir=tmp_path)))
    state = {"scope": ALL, "chats": {}}
    for question in ("", "   ", "x" * 2_001):
        outputs = list(h.ask(question, state))  # no exception, so no traceback in the server's log
        assert outputs == [(gr.skip(),) * 4]  # nothing changes, the browser's state included
    said = [str(w.message) for w in recwarn]
    assert any("Type a question" in m for m in said) and any("2,001 characters" in m for m in said)


def test_ask_says_getting_ready_until_the_model_is_loaded(tmp_path) -> None:
    import threading

    import gradio as gr

    from assistant.api import Assistant
    from assistant.settings import Settings
    from assistant.web.handlers import ASK_LABEL, WARMING_LABEL, ChatHandlers

    ready = threading.Event()
    h = ChatHandlers(Assistant(Settings(data_dir=tmp_path)), ready)
    button, timer = h.readiness()
    assert button == gr.update(value=WARMING_LABEL, interactive=False) and timer == gr.skip()
    ready.set()
    button, timer = h.readiness()
    assert button == gr.update(value=ASK_LABEL, interactive=True) and isinstance(timer, gr.Timer)
    assert timer.active is False  # the page stops polling
