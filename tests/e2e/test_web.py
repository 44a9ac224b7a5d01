"""The web chat in a real browser: add, ask, click a citation, refresh, inert HTML, errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import add_pasted, ask

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "examples" / "articles" / "cluster-munitions-dallas-express.txt"
KIRBY_QUESTION = "Who said cluster munitions are effective?"

HOSTILE_TEXT = (
    "The council met on Tuesday to discuss the new park. "
    'The mayor said <script>window.__pwned = "script"</script> the budget is final. '
    'A photo <img src=x onerror="window.__pwned = \'img\'"> shows the empty lot.\n\n'
    "Critics posted ![a cat](http://127.0.0.1:1/cat.png) and [a link](http://127.0.0.1:1/) online. "
    "The park opens next spring."
)


# Records whether a partly revealed answer (with its caret) was ever in the page.
_WATCH_STREAMING = """() => {
  window.__sawStreaming = false;
  new MutationObserver(() => {
    if (document.querySelector('.msg.bot.streaming .caret')) window.__sawStreaming = true;
  }).observe(document.body, {childList: true, subtree: true});
}"""


def _expect() -> Any:
    from playwright.sync_api import expect

    return expect


def test_seed_article_answer_citation_and_refresh(page: Any, shot: Any) -> None:
    expect = _expect()
    shot(page, "01-empty")
    page.get_by_role("tab", name="File").click()
    page.locator("#add-file input[type=file]").set_input_files(str(SEED))
    expect(page.locator("#add-status .add-status.ok")).to_contain_text("sentences")
    selected = page.locator(".lib-card.selected")
    expect(selected).to_contain_text("cluster-munitions-dallas-express.txt")
    expect(selected).to_contain_text("15 sentences")
    expect(page.locator(".article-view .sentence").first).to_be_visible()
    shot(page, "02-seed-added")

    page.evaluate(_WATCH_STREAMING)
    answer = ask(page, KIRBY_QUESTION)
    expect(answer.locator(".answer-text")).to_contain_text("John Kirby")
    assert page.evaluate("window.__sawStreaming") is True, "the answer was not revealed progressively"
    markers = answer.locator(".answer-text .cite-marker")
    expect(markers.first).to_have_text("1")
    expect(answer.locator(".citation")).to_have_count(markers.count())
    # Every citation shows its sentence ID and the stored sentence text.
    first_id = answer.locator(".citation-id .sid").first.inner_text().strip()
    assert first_id.startswith("s"), first_id
    expect(page.locator(".article-view .sentence.cited").first).to_be_visible()
    shot(page, "03-answer")

    target = markers.first.get_attribute("data-target")
    assert target and target.endswith(f"-{first_id}"), (target, first_id)
    markers.first.click()  # the sentence in a popover; the article view stays put
    expect(page.locator("#cite-pop .cite-pop-cited")).to_have_text(
        answer.locator(".citation-text").first.inner_text())
    page.locator("#cite-pop .cite-pop-open").click()
    sentence = page.locator(f"#{target}")
    expect(sentence).to_have_class("sentence cited focus flash")
    expect(sentence).to_be_in_viewport()
    expect(sentence).to_have_text(answer.locator(".citation-text").first.inner_text())
    shot(page, "04-citation-clicked")

    page.reload()
    expect(page.locator(".msg.user")).to_have_text(KIRBY_QUESTION)
    restored = page.locator(".msg.bot")
    expect(restored).to_have_count(1)
    expect(restored.locator(".answer-text")).to_contain_text("John Kirby")
    expect(page.locator(".lib-card.selected")).to_contain_text("cluster-munitions-dallas-express.txt")
    expect(page.locator(f"#{target}")).to_have_class("sentence cited")
    page.locator(".msg.bot .citation").first.click()  # a source line opens the article at once
    expect(page.locator(f"#{target}")).to_be_in_viewport()
    shot(page, "05-after-refresh")


def test_article_html_is_shown_as_text_and_never_runs(page: Any, shot: Any) -> None:
    expect = _expect()
    title = '<b>Park</b> news <img src=x onerror="window.__pwned = \'title\'">'
    add_pasted(page, HOSTILE_TEXT, title=title)
    expect(page.locator("#add-status .add-status.ok")).to_contain_text("Added")
    view = page.locator(".article-view")
    expect(view).to_contain_text('<script>window.__pwned = "script"</script>')
    expect(view).to_contain_text("<img src=x onerror=")
    expect(view).to_contain_text("![a cat](http://127.0.0.1:1/cat.png)")
    expect(view).to_contain_text("[a link](http://127.0.0.1:1/)")
    expect(page.locator(".lib-card.selected .lib-title")).to_have_text(title)

    answer = ask(page, "What did the mayor say?")
    expect(answer).to_contain_text("window.__pwned")
    shot(page, "06-inert-article")

    assert page.evaluate("window.__pwned") is None
    for where in ("#library", "#chat", "#article-view", "#add-status"):
        assert page.locator(f"{where} script, {where} img, {where} b").count() == 0, where
    assert page.locator("#article-view .article-body a, #chat a").count() == 0


def test_refused_url_shows_an_error_in_the_page(page: Any, shot: Any) -> None:
    expect = _expect()
    page.locator("#add-url textarea, #add-url input").first.fill("http://127.0.0.1:1/nothing")
    page.locator("#add-url-btn").click()
    error = page.locator("#add-status .add-status.error")
    # The server's own network is off limits to the Link box unless the operator allows it.
    expect(error).to_contain_text("Refused http://127.0.0.1:1/nothing: 127.0.0.1 is a loopback address")
    expect(error).to_contain_text("pass --allow-private-urls to `add` or `serve`")  # an option serve has
    expect(page.locator("body")).not_to_contain_text("Traceback")
    shot(page, "07-bad-url")


def test_a_server_path_in_the_link_box_is_not_read(page: Any) -> None:
    expect = _expect()
    page.locator("#add-url textarea, #add-url input").first.fill("/etc/passwd")
    page.locator("#add-url-btn").click()
    expect(page.locator("#add-status .add-status.error")).to_contain_text("not a web link")
    expect(page.locator("#library")).not_to_contain_text("root:")


def test_empty_text_and_empty_question_are_explained(page: Any) -> None:
    expect = _expect()
    add_pasted(page, "   \n  ")
    expect(page.locator("#add-status .add-status.error")).to_contain_text("empty")
    page.locator("#ask-btn").click()
    expect(page.locator("#question-limit")).to_contain_text("Type a question")  # refused in the page


def test_remove_asks_for_confirmation(page: Any) -> None:
    expect = _expect()
    add_pasted(page, "The lighthouse keeper retired in 1990. The light was automated a year later.",
               title="Lighthouse")
    card = page.locator(".lib-card", has_text="Lighthouse")
    expect(card).to_have_class("lib-card selected")
    page.locator("#remove-btn").click()
    confirm = page.locator("#remove-confirm-box")
    expect(confirm).to_contain_text("Remove Lighthouse")
    page.locator("#remove-cancel").click()
    expect(confirm).to_be_hidden()
    expect(card).to_have_count(1)
    page.locator("#remove-btn").click()
    page.locator("#remove-confirm").click()
    expect(card).to_have_count(0)
    expect(page.locator(".lib-card.selected")).to_contain_text("All articles")


def test_an_article_removed_elsewhere_gives_a_message_not_a_traceback(page: Any, browser: Any,
                                                                      web_url: str) -> None:
    expect = _expect()
    add_pasted(page, "The ferry leaves at noon. The captain said the sea is calm.", title="Ferry")
    expect(page.locator(".lib-card.selected")).to_contain_text("Ferry")

    other = browser.new_context()
    try:
        elsewhere = other.new_page()
        elsewhere.goto(web_url)
        elsewhere.locator(".lib-card", has_text="Ferry").click()
        expect(elsewhere.locator(".lib-card.selected")).to_contain_text("Ferry")
        elsewhere.locator("#remove-btn").click()
        elsewhere.locator("#remove-confirm").click()
        expect(elsewhere.locator(".lib-card", has_text="Ferry")).to_have_count(0)
    finally:
        other.close()

    page.locator("#question textarea").fill("What did the captain say?")
    page.locator("#ask-btn").click()
    expect(page.locator(".toast-body")).to_contain_text("no longer in the library")
    expect(page.locator("#question textarea")).to_have_value("What did the captain say?")
    expect(page.locator(".msg.bot")).to_have_count(0)
    page.reload()
    expect(page.locator(".lib-card.selected")).to_contain_text("All articles")
