"""The web chat's first screen, phone layout, honest states and copying, in a real Chromium.

Timings are measured and written to test-artifacts/first-screen.json (and printed), never asserted.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import ARTIFACTS, PHONE, SLOW_MS, add_pasted, ask, new_context, start_serve
from tests.support import free_port, stop

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "examples" / "articles" / "cluster-munitions-dallas-express.txt"
KIRBY_QUESTION = "Who said cluster munitions are effective?"
PARK = (
    "Council Approves New Park Budget\n\n"
    "The council met on Tuesday to vote on the budget for the new riverside park. "
    "The mayor said the budget is final after a long meeting. "
    "Residents cheered when the result was read out in the hall.\n\n"
    "Work on the park starts in March, the city engineer said. "
    "The park should open to the public next spring."
)


def _expect() -> Any:
    from playwright.sync_api import expect

    return expect


def _open(browser: Any, url: str, **options: Any) -> tuple[Any, Any, list[str]]:
    context = new_context(browser, url, **options)
    page = context.new_page()
    page.set_default_timeout(SLOW_MS)
    _expect().set_options(timeout=SLOW_MS)  # the first add may wait for the model to load
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    return context, page, errors


def _add_pasted(page: Any, text: str, title: str = "") -> None:
    add_pasted(page, text, title)
    _expect()(page.locator("#add-status .add-status.ok:not(.stale)")).to_contain_text("sentences")


def _in_viewport(page: Any, selector: str) -> bool:
    return bool(page.evaluate(
        """(sel) => { const r = document.querySelector(sel).getBoundingClientRect();
                      return r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth; }""",
        selector,
    ))


class _HangingLLM:
    """An OpenAI-compatible address that accepts a request and answers nothing until released:
    a question asked through it stays in flight for as long as the test needs."""

    def __init__(self) -> None:
        release = self.release = threading.Event()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                release.wait(60)
                self.send_error(503, "released")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()


@pytest.fixture
def hanging_llm() -> Iterator[_HangingLLM]:
    llm = _HangingLLM()
    try:
        yield llm
    finally:
        llm.close()


def test_first_screen_restart_and_refresh_mid_answer(browser: Any, tmp_path: Path, hanging_llm: _HangingLLM,
                                                     shot: Any) -> None:
    """Start → usable page (timed); one article selected on load; a stopped server is shown, a
    restarted one offers a reload; a question in flight survives a refresh as interrupted, with a retry."""
    expect = _expect()
    port = free_port()
    served = start_serve(tmp_path, port)
    timings: dict[str, float] = {"http_200_s": served.answered - served.started}
    context, page, errors = _open(browser, served.url)
    try:
        # -- first screen: the layout and library at once; Ask says so while the model loads
        opened = time.monotonic()
        page.goto(served.url)
        expect(page.locator(".lib-card").first).to_be_visible()
        library_at = time.monotonic()
        timings["page_to_library_s"] = library_at - opened
        timings["start_to_library_s"] = library_at - served.started
        ask = page.locator("#ask-btn")
        timings["ask_was_getting_ready"] = float("Getting ready" in ask.inner_text())
        expect(page.locator("#chat .placeholder")).to_be_visible()
        expect(ask).to_have_text("Ask")
        expect(ask).to_be_enabled()
        timings["start_to_ask_ready_s"] = time.monotonic() - served.started
        timings["load_average_1min"] = os.getloadavg()[0]  # the machine is shared: context for the numbers
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "first-screen.json").write_text(json.dumps(timings, indent=2) + "\n")
        print(f"\nfirst screen: {json.dumps(timings)}")

        # -- the right article in view: added, then selected on a fresh load
        _add_pasted(page, PARK)
        expect(page.locator(".lib-card.selected .lib-title")).to_have_text("Council Approves New Park Budget")
        fresh, first, _ = _open(browser, served.url)
        try:
            first.goto(served.url)
            headline = "Council Approves New Park Budget"
            expect(first.locator(".lib-card.selected .lib-title")).to_have_text(headline)
            expect(first.locator(".article-view .article-title")).to_have_text(headline)
            expect(first.locator(".lib-card.selected .lib-meta")).to_contain_text("pasted text · added ")
        finally:
            fresh.close()

        # -- the server goes away: the page says so, with a retry
        stop(served.proc)
        banner = page.locator("#connection-banner")
        expect(banner).to_contain_text("Lost the connection to the server", timeout=20_000)
        banner.locator(".connection-retry").click()
        expect(banner).to_contain_text("Lost the connection")
        shot(page, "10-connection-lost")

        # -- it comes back (restarted, answering through a model that never replies): reload offered
        env = {
            "ARTICLE_ASSISTANT_ANSWER__ANSWERER": "llm",
            "ARTICLE_ASSISTANT_LLM__BASE_URL": hanging_llm.url,
            "ARTICLE_ASSISTANT_LLM__MODEL": "hangs",
            "ARTICLE_ASSISTANT_LLM__RETRIES": "0",
        }
        served = start_serve(tmp_path, port, env)
        expect(banner).to_contain_text("The server restarted", timeout=30_000)
        banner.locator(".connection-retry").click()  # "Reload"
        expect(page.locator(".lib-card.selected .lib-title")).to_have_text("Council Approves New Park Budget")
        expect(page.locator("#connection-banner")).to_have_count(0)

        # -- a question in flight, then a refresh: shown as interrupted, and asked again on request
        expect(page.locator("#ask-btn")).to_have_text("Ask")
        page.locator("#question textarea").fill("What did the mayor say?")
        page.locator("#ask-btn").click()
        expect(page.locator(".msg.bot.streaming")).to_be_visible()
        page.wait_for_timeout(500)  # the state with the pending question reaches localStorage
        page.reload()
        interrupted = page.locator(".msg.bot.interrupted")
        expect(interrupted).to_contain_text("interrupted before its answer arrived")
        expect(page.locator(".msg.user")).to_have_text("What did the mayor say?")
        shot(page, "11-interrupted")
        interrupted.locator(".retry").click()
        expect(page.locator(".msg.bot.streaming")).to_be_visible()
        expect(page.locator(".msg.bot.interrupted")).to_have_count(0)
        expect(page.locator(".msg.user")).to_have_text("What did the mayor say?")
    finally:
        context.close()
        hanging_llm.release.set()
        stop(served.proc)
    assert not errors, errors


def test_phone_and_desktop_layouts(browser: Any, web_url: str, shot: Any) -> None:
    """Phone: chat first, the library a drawer, the article a sheet; laptop: three columns, the
    library folding to a rail."""
    expect = _expect()
    context, page, errors = _open(browser, web_url, **PHONE)
    try:
        page.goto(web_url)
        expect(page.locator("#library .lib-card").first).to_be_attached()
        expect(page.locator("#phone-bar")).to_be_visible()
        # Opens at the top with the chat and the question box; no sideways scrolling.
        assert page.evaluate("scrollY") == 0
        assert _in_viewport(page, "#chat") and _in_viewport(page, "#question")
        expect(page.locator("#library-panel")).to_be_hidden()
        expect(page.locator("#article-panel")).to_be_hidden()
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")

        page.locator("#drawer-open").tap()
        expect(page.locator("#library .lib-card").first).to_be_visible()
        paste = page.get_by_role("tab", name="Paste")
        if page.locator(".lib-card").count() > 1:  # folded once the library has articles
            expect(paste).to_be_hidden()
            page.locator("#add-panel .label-wrap").click()
        expect(paste).to_be_visible()
        seed = SEED.read_text(encoding="utf-8") + "\n\nThis copy of the article was pasted on a phone."
        _add_pasted(page, seed, title="Cluster munitions in Ukraine")
        selected = page.locator("#library .lib-card.selected")
        expect(selected).to_contain_text("Cluster munitions in Ukraine")
        assert _in_viewport(page, "#add-status .add-status.ok")  # the result, by the control
        shot(page, "phone-drawer")
        selected.tap()  # choosing an article closes the drawer and shows its chat
        expect(page.locator("#library-panel")).to_be_hidden()
        expect(page.locator("#chat .placeholder")).to_contain_text("Cluster munitions in Ukraine")

        answer = ask(page, KIRBY_QUESTION)
        expect(answer.locator(".answer-text")).to_contain_text("John Kirby")
        page.wait_for_timeout(400)
        expect(answer.locator(".answer-text")).to_be_in_viewport()  # not scrolled away to the article
        shot(page, "phone-answer")

        marker = answer.locator(".answer-text .cite-marker").first
        target = marker.get_attribute("data-target")
        marker.tap()  # the cited sentence in place, with its neighbours and the article's title
        pop = page.locator("#cite-pop")
        expect(pop).to_be_visible()
        expect(pop.locator(".cite-pop-title")).to_have_text("Cluster munitions in Ukraine")
        expect(pop.locator(".cite-pop-near").first).to_be_visible()
        box = pop.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
        expect(page.locator("#article-panel")).to_be_hidden()
        shot(page, "phone-citation")
        pop.locator(".cite-pop-open").tap()  # the article as a sheet over the chat, at the sentence
        expect(page.locator("#article-panel")).to_be_visible()
        expect(page.locator(f"#{target}")).to_be_in_viewport()
        expect(page.locator("#article-view .article-title")).to_be_in_viewport()
        shot(page, "phone-article")
        page.locator("#sheet-close").tap()
        expect(page.locator("#article-panel")).to_be_hidden()
        page.evaluate("scrollTo(0, 0)")
        page.wait_for_timeout(300)
        shot(page, "phone")
    finally:
        context.close()
    assert not errors, errors

    context, page, errors = _open(browser, web_url)
    try:
        page.goto(web_url)
        page.locator(".lib-card", has_text="Cluster munitions in Ukraine").click()
        expect(page.locator(".article-view .article-title")).to_have_text("Cluster munitions in Ukraine")
        boxes = [page.locator(p).bounding_box() for p in ("#library-panel", "#chat-panel", "#article-panel")]
        assert boxes[0]["x"] < boxes[1]["x"] < boxes[2]["x"], boxes  # three columns side by side
        assert max(b["y"] for b in boxes) - min(b["y"] for b in boxes) < 40, boxes
        for pane in ("#chat", "#article-view"):
            assert page.evaluate(f"getComputedStyle(document.querySelector('{pane}')).overflowY") == "auto"
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
        expect(page.locator("#phone-bar")).to_be_hidden()

        page.locator("#rail-toggle").click()  # the library folds to a narrow rail, and stays folded
        expect(page.locator("#library")).to_be_hidden()
        assert page.locator("#library-panel").bounding_box()["width"] <= 70
        page.reload()
        expect(page.locator("#rail-toggle")).to_have_attribute("aria-expanded", "false")
        expect(page.locator(".lib-card").first).to_be_attached()
        page.wait_for_function("document.querySelector('#library-panel').getBoundingClientRect().width <= 70")
        page.wait_for_timeout(300)  # the columns settle
        wide = [page.locator(p).bounding_box() for p in ("#chat-panel", "#article-panel")]
        assert wide[0]["x"] < 120 and wide[0]["width"] > boxes[1]["width"], (wide, boxes)
        shot(page, "laptop-rail")
        page.locator("#rail-toggle").click()
        expect(page.locator("#library .lib-card").first).to_be_visible()
    finally:
        context.close()
    assert not errors, errors


def test_copy_an_answer_and_a_link_to_a_sentence(page: Any, browser: Any, web_url: str) -> None:
    expect = _expect()
    _add_pasted(page, PARK.replace("riverside", "lakeside"), title="Lakeside park <budget>")
    answer = ask(page, "What did the mayor say?")
    copy = answer.locator(".copy-answer")
    copy.click()
    expect(copy).to_have_text("Copied ✓")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == copy.get_attribute("data-copied")
    cited = answer.locator(".citation-text").first.inner_text()
    lines = copied.splitlines()
    assert lines[0] == "**What did the mayor say?**"
    assert any(line.startswith(f"> [1] {cited} (s") for line in lines), lines
    assert lines[-1] == "Source: *Lakeside park <budget>*, pasted text"

    article_id = page.locator(".article-view [data-article-id]").get_attribute("data-article-id")
    chosen = page.locator(".article-view .sentence", has_text="Work on the park starts in March")
    sid = chosen.get_attribute("data-sid")
    chosen.click()
    link = page.locator("#sentence-link")
    link.click()
    expect(link).to_have_text("Link copied ✓")
    url = page.evaluate("navigator.clipboard.readText()")
    assert url == f"{web_url}#a={article_id}&s={sid}"

    other, opened, errors = _open(browser, web_url)
    try:
        opened.goto(url)
        expect(opened.locator(".lib-card.selected .lib-title")).to_have_text("Lakeside park <budget>")
        sentence = opened.locator(f"#sent-{article_id}-{sid}")
        expect(sentence).to_have_class("sentence linked focus flash")
        expect(sentence).to_be_in_viewport()
        expect(sentence).to_contain_text("Work on the park starts in March")
        opened.goto(f"{web_url}#a=000000000000&s=s1")
        opened.reload()
        expect(opened.locator("#question-limit")).to_contain_text("not in this library")
    finally:
        other.close()
    assert not errors, errors


def test_questions_are_checked_in_the_page(page: Any, web: Any) -> None:
    expect = _expect()
    _add_pasted(page, PARK.replace("riverside", "hillside"), title="Hillside park")
    notice = page.locator("#question-limit")
    box = page.locator("#question textarea")
    page.locator("#ask-btn").click()
    expect(notice).to_contain_text("Type a question")
    box.fill("   ")
    box.press("Enter")
    expect(notice).to_contain_text("Type a question")

    box.fill("why " * 25_000)  # 100,000 characters
    assert len(box.input_value()) <= 2_000  # the box refuses more
    page.evaluate("""() => { const t = document.querySelector('#question textarea');
        t.value = 'x'.repeat(100000); t.dispatchEvent(new Event('input', {bubbles: true})); }""")
    page.locator("#ask-btn").click()
    expect(notice).to_contain_text("keep it under 2,000")
    page.wait_for_timeout(500)
    expect(page.locator(".msg.user")).to_have_count(0)
    stored = page.evaluate("Object.keys(localStorage).reduce((n, k) => n + localStorage[k].length, 0)")
    assert stored < 20_000, stored
    assert "Traceback" not in web.log.read_text()


def test_stale_status_and_toasts_are_cleared_and_control_characters_hidden(page: Any, tmp_path: Path) -> None:
    expect = _expect()
    text = "Storm \x1b[31mwarning\x1b[0m issued for the coast on Friday.\x0c The harbour closed early."
    _add_pasted(page, text, title="Storm \x1b[1mwarning\x1b[0m")
    view = page.locator(".article-view")
    expect(view).to_contain_text("Storm warning issued for the coast on Friday.")
    shown = view.inner_text() + page.locator("#library").inner_text()
    assert "[31m" not in shown and "[0m" not in shown and "\x1b" not in shown and "\x0c" not in shown

    ok = page.locator("#add-status .add-status.ok")
    expect(ok).to_be_visible()
    page.get_by_role("tab", name="File").click()
    bad = tmp_path / "report.pdf"
    bad.write_bytes(b"%PDF-1.4 not an article")
    page.locator("#add-file input[type=file]").set_input_files(str(bad))
    expect(ok).to_be_hidden()  # the old "Added…" no longer stands next to the new complaint
    refusal = page.locator("#add-status .add-status.error")
    # The PDF reader names what is wrong with this one (a damaged PDF), in place.
    expect(refusal).to_contain_text("report.pdf is not a PDF that can be read")
    expect(page.locator(".toast-body")).to_have_count(0)  # one message, in place: no vanishing toasts
    page.locator("#question textarea").fill("When did the harbour close?")
    page.locator("#ask-btn").click()
    expect(page.locator(".toast-body")).to_have_count(0)
    expect(page.locator(".msg.bot:not(.streaming)")).to_have_count(1)
