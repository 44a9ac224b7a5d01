"""Reading in place and honest states, in a real Chromium at laptop and phone sizes: the citation
popover, suggested questions made from the article, a question held while the server is away,
labels that never wrap, a destructive Remove, and clear refusals."""

from __future__ import annotations

import os
import re
import signal
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import DESKTOP, PHONE, SLOW_MS, add_pasted, ask, new_context, start_serve
from tests.support import SEED, free_port, stop

pytestmark = pytest.mark.e2e

KIRBY_QUESTION = "Who said cluster munitions are effective?"


def _expect() -> Any:
    from playwright.sync_api import expect

    return expect


def _add_seed(page: Any) -> None:
    expect = _expect()
    if page.locator(".lib-card", has_text="cluster-munitions-dallas-express.txt").count():
        page.locator(".lib-card", has_text="cluster-munitions-dallas-express.txt").first.click()
    else:
        page.get_by_role("tab", name="File").click()
        page.locator("#add-file input[type=file]").set_input_files(str(SEED))
        expect(page.locator("#add-status .add-status.ok:not(.stale)")).to_contain_text("sentences")
    expect(page.locator(".lib-card.selected")).to_contain_text("cluster-munitions-dallas-express.txt")


def _one_line(page: Any, selector: str) -> bool:
    """True when the element's label is laid out on a single line."""
    return bool(page.evaluate(
        """(sel) => { const el = document.querySelector(sel); const range = document.createRange();
                      range.selectNodeContents(el);
                      const tops = new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top)));
                      return tops.size === 1 && el.scrollWidth <= el.clientWidth + 1; }""",
        selector,
    ))


def test_a_citation_reads_in_place_and_opens_in_the_article(page: Any, shot: Any) -> None:
    expect = _expect()
    _add_seed(page)
    # Suggested questions come from this article's own people and numbers.
    chips = page.locator("#chat .suggestion")
    # The first screen may still show the newest article's suggestions until the pick is applied.
    expect(chips.filter(has_text="John Kirby").first).to_be_visible()
    suggested = chips.all_inner_texts()
    assert "What did John Kirby say?" in suggested and "Who is John Kirby?" in suggested, suggested
    assert any("how many countries" in q for q in suggested), suggested

    answer = ask(page, KIRBY_QUESTION)
    view = page.locator("#article-view")
    page.wait_for_timeout(600)  # the view's own scroll to the first cited sentence settles
    before = view.evaluate("(v) => v.scrollTop")
    marker = answer.locator(".answer-text .cite-marker").first
    target = marker.get_attribute("data-target")
    marker.hover()  # hovering is enough on a laptop
    pop = page.locator("#cite-pop")
    expect(pop).to_be_visible()
    title = page.locator("#article-view .article-title").inner_text()
    expect(pop.locator(".cite-pop-title")).to_have_text(title)
    cited = page.locator(f"#{target}").inner_text()
    expect(pop.locator(".cite-pop-cited")).to_have_text(cited)
    expect(pop.locator(".cite-pop-near")).not_to_have_count(0)  # a neighbour gives the context
    assert view.evaluate("(v) => v.scrollTop") == before, "the popover moved the article view"
    assert marker.get_attribute("title") is None  # no browser tooltip under the popover
    shot(page, "laptop-citation-popover")

    marker.click()
    pop.locator(".cite-pop-open").click()
    expect(pop).to_be_hidden()
    expect(page.locator(f"#{target}")).to_be_in_viewport()
    # The article's header stays visible above the sentence.
    header = page.locator("#article-view .article-header")
    expect(header).to_be_in_viewport()
    sentence_box, header_box = page.locator(f"#{target}").bounding_box(), header.bounding_box()
    assert header_box["y"] + header_box["height"] <= sentence_box["y"] + 1, (header_box, sentence_box)
    shot(page, "laptop-open-in-article")


@pytest.mark.parametrize("size", ["laptop", "phone"])
def test_labels_fit_remove_looks_destructive_and_cut_questions_say_so(browser: Any, web_url: str,
                                                                     size: str) -> None:
    expect = _expect()
    context = new_context(browser, web_url, **(PHONE if size == "phone" else DESKTOP))
    try:
        page = context.new_page()
        page.set_default_timeout(SLOW_MS)
        page.goto(web_url)
        expect(page.locator("#library .lib-card").first).to_be_attached()
        expect(page.locator("#ask-btn")).to_have_text("Ask", timeout=SLOW_MS)  # the model may be loading
        assert _one_line(page, "#ask-btn")

        box = page.locator("#question textarea")
        box.fill("why " * 600)  # 2,400 characters: the box keeps 2,000
        assert len(box.input_value()) == 2_000
        expect(page.locator("#question-limit")).to_contain_text("Questions stop at 2,000 characters")
        box.fill("")

        if size == "phone":
            page.locator("#drawer-open").tap()
        card = page.locator("#library .lib-card:not([data-scope='__all__'])").first
        if not card.count():
            if not page.get_by_role("tab", name="File").is_visible():
                page.locator("#add-panel .label-wrap").click()
            _add_seed(page)
        card.click()
        if size == "phone":
            page.locator("#drawer-open").tap()
        page.locator("#remove-btn").click()
        confirm = page.locator("#remove-confirm")
        expect(confirm).to_be_visible()
        colour = confirm.evaluate("(b) => getComputedStyle(b).backgroundColor")
        assert colour == "rgb(220, 38, 38)", colour  # red: it deletes
        assert _one_line(page, "#remove-confirm")
        page.locator("#remove-cancel").click()
        expect(page.locator("#remove-confirm-box")).to_be_hidden()
    finally:
        context.close()


def test_getting_ready_fits_the_ask_button(browser: Any, tmp_path: Path) -> None:
    """The Ask button's longest label, the real one: a server whose model waits (no page has
    been seen: the page's events are refused, and the wait is long) sends "Getting ready…"."""
    expect = _expect()
    served = start_serve(tmp_path, free_port(), {"ARTICLE_ASSISTANT_WEB__WARM_UP_DELAY_S": "3600"})
    try:
        for size in (DESKTOP, PHONE):
            context = new_context(browser, served.url, **size)
            try:
                page = context.new_page()
                page.set_default_timeout(SLOW_MS)
                page.route(re.compile(r".*/gradio_api/queue/.*"), lambda route: route.abort())
                page.goto(served.url)
                ask = page.locator("#ask-btn")
                expect(ask).to_have_text("Getting ready…")
                expect(ask).to_be_disabled()
                assert _one_line(page, "#ask-btn"), f"'Getting ready…' wraps at {size['viewport']}"
            finally:
                context.close()
    finally:
        stop(served.proc)


def test_short_pasted_text_is_told_it_is_too_short(page: Any) -> None:
    expect = _expect()
    page.get_by_role("tab", name="Paste").click()
    page.locator("#add-text textarea").fill("lol")
    page.locator("#add-text-btn").click()
    error = page.locator("#add-status .add-status.error")
    expect(error).to_contain_text("too short to add as an article (0 words in full sentences")
    expect(error).not_to_contain_text("login")


def test_a_question_asked_while_the_server_is_away_is_kept_then_sent(browser: Any, tmp_path: Path,
                                                                     shot: Any) -> None:
    """The server stops answering (SIGSTOP): the question is not lost but held, marked "not
    sent" with "Ask again"; when the server answers again (SIGCONT) it is sent by itself."""
    expect = _expect()
    served = start_serve(tmp_path, free_port())
    context = new_context(browser, served.url)
    try:
        page = context.new_page()
        page.set_default_timeout(SLOW_MS)
        page.goto(served.url)
        add_pasted(
            page,
            "The council met on Tuesday to vote on the budget for the new riverside park. "
            "The mayor said the budget is final after a long meeting.",
        )
        expect(page.locator("#add-status .add-status.ok")).to_contain_text("Added")
        expect(page.locator("#ask-btn")).to_have_text("Ask")

        os.kill(served.proc.pid, signal.SIGSTOP)
        try:
            page.locator("#question textarea").fill("What did the mayor say?")
            page.locator("#ask-btn").click()
            notice = page.locator("#question-limit")
            expect(notice).to_contain_text("Not sent yet: no connection to the server", timeout=20_000)
            expect(notice.locator(".unsent-retry")).to_have_text("Ask again")
            expect(page.locator("#question textarea")).to_have_value("What did the mayor say?")
            shot(page, "question-held")
        finally:
            os.kill(served.proc.pid, signal.SIGCONT)
        answer = page.locator(".msg.bot:not(.streaming)")
        expect(answer).to_have_count(1, timeout=SLOW_MS)
        expect(page.locator(".msg.user")).to_have_text("What did the mayor say?")
        expect(answer).to_contain_text("budget")  # answered, sure or with the closest sentences
        expect(notice.locator(".unsent-retry")).to_have_count(0)
    finally:
        context.close()
        stop(served.proc)


def _readiness_events(url: str) -> set[int]:
    """The page's events that tell it whether the model is ready (they update the Ask button)."""
    config = httpx.get(f"{url}config", timeout=30).raise_for_status().json()
    ask = {c["id"] for c in config["components"] if c.get("props", {}).get("elem_id") == "ask-btn"}
    return {d["id"] for d in config["dependencies"]
            if ask & set(d["outputs"]) and any(t[1] in ("load", "tick") for t in d["targets"])}


def test_a_question_held_across_a_server_restart_is_restored_after_the_reload(browser: Any, tmp_path: Path,
                                                                             shot: Any) -> None:
    """The server is stopped and started again (a new process: the page's session is gone): the
    question asked meanwhile is held, the page offers a reload, and the reloaded page has the
    question back, marked not sent, and asks it on "Ask again"."""
    expect = _expect()
    port = free_port()
    served = start_serve(tmp_path, port)
    context = new_context(browser, served.url)
    try:
        page = context.new_page()
        page.set_default_timeout(SLOW_MS)
        expect.set_options(timeout=SLOW_MS)
        page.goto(served.url)
        add_pasted(
            page,
            "The ferry to Arran was cancelled on Friday because of the storm. "
            "The harbour master said the crossing would resume on Sunday morning.",
        )
        expect(page.locator("#add-status .add-status.ok")).to_contain_text("Added")
        expect(page.locator("#ask-btn")).to_have_text("Ask")

        stop(served.proc)
        question = "What did the harbour master say?"
        page.locator("#question textarea").fill(question)
        page.locator("#ask-btn").click()
        notice = page.locator("#question-limit")
        expect(notice).to_contain_text("Not sent yet: no connection to the server", timeout=20_000)

        # The new server loads its model only once a page has been shown (or after an hour), and the
        # page is not told it is ready until the test lets it: Ask says "Getting ready…" for sure.
        served = start_serve(tmp_path, port, {"ARTICLE_ASSISTANT_WEB__WARM_UP_DELAY_S": "3600"})
        readiness = _readiness_events(served.url)
        held_back: list[Any] = []  # held, not refused: a refused event makes Gradio reload the page

        def hold_readiness(route: Any) -> None:
            if not released and (route.request.post_data_json or {}).get("fn_index") in readiness:
                held_back.append(route)
            else:
                route.continue_()

        released = False
        page.route(re.compile(r".*/gradio_api/queue/join.*"), hold_readiness)
        banner = page.locator("#connection-banner")
        expect(banner).to_contain_text("The server restarted", timeout=30_000)
        expect(page.locator(".msg.user")).to_have_count(0)  # not sent into a session that is gone
        banner.locator(".connection-retry").click()  # "Reload"
        expect(page.locator("#connection-banner")).to_have_count(0)
        expect(page.locator("#question textarea")).to_have_value(question)
        expect(notice).to_contain_text("This question was not sent (the server was away).")
        shot(page, "question-restored-after-restart")
        # "Ask again" while the new server loads its model ("Getting ready…", Ask disabled): the
        # question waits for Ask; it is not clicked into a disabled button and lost.
        expect(page.locator("#ask-btn")).to_have_text("Getting ready…")
        notice.locator(".unsent-retry").click()
        expect(notice).to_contain_text("sent as soon as the model is ready")
        page.wait_for_timeout(1_000)
        expect(page.locator(".msg.user")).to_have_count(0)
        assert held_back, "the page asked nothing about the model: the test held nothing back"
        released = True  # the page learns the model is ready, and the question goes
        for route in held_back:
            route.continue_()
        answer = page.locator(".msg.bot:not(.streaming)")
        expect(answer).to_have_count(1)
        expect(page.locator(".msg.user")).to_have_text(question)
        expect(answer).to_contain_text("Sunday")
        expect(notice.locator(".unsent-retry")).to_have_count(0)
        page.reload()  # sent: it is not held any more
        expect(page.locator(".msg.user")).to_have_text(question)
        expect(page.locator("#question textarea")).to_have_value("")
    finally:
        context.close()
        stop(served.proc)
