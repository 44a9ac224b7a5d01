"""The first screen comes in the page's own HTML, Gradio's files are cached for good, and a full
page of cards never hides the library's controls on a phone.

Real `serve` over a generated library of a little more than a page (:mod:`tests.e2e.biglib`),
real Chromium.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import PHONE, ROOT, SLOW_MS, Served, new_context, start_serve
from tests.support import free_port, stop

pytestmark = pytest.mark.e2e

N = 55
PER_PAGE = 50  # settings.web.library_page's default


@pytest.fixture(scope="module")
def paged_web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    workdir = tmp_path_factory.mktemp("first-screen")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-m", "tests.e2e.biglib", str(workdir / "data"), str(N)],
                   env=env, cwd=ROOT, check=True, capture_output=True, timeout=600)
    served = start_serve(workdir, free_port())
    try:
        yield served
    finally:
        stop(served.proc)


def test_the_library_is_in_the_page_and_assets_are_immutable(paged_web: Served) -> None:
    page = httpx.get(paged_web.url, timeout=30)
    assert page.status_code == 200
    # The first page of the library, newest first, is in the HTML itself (Gradio's config).
    library = _value(page.text, "library")
    titles = re.findall(r'<span class="lib-title">([^<]*)</span>', library)
    assert titles[0] == "All articles" and len(titles) == PER_PAGE + 1, titles
    assert [int(t.split()[-2]) for t in titles[1:]] == list(range(N - 1, N - 1 - PER_PAGE, -1)), titles
    assert "placeholder" in _value(page.text, "chat")  # the chat's welcome, with its suggestions
    assets = re.findall(r'src="\./(assets/index-[^"]+\.js)"', page.text)
    assert assets, "Gradio's entry script is not in the page"
    script = httpx.get(paged_web.url + assets[0], timeout=30)
    assert script.status_code == 200
    assert script.headers["cache-control"] == "public, max-age=31536000, immutable"
    # The page itself is not cached: it carries the current library.
    assert "immutable" not in page.headers.get("cache-control", "")


def _value(html: str, elem_id: str) -> str:
    """The value of the component ``elem_id`` in the config Gradio put in ``html``."""
    found = re.search(r"window\.gradio_config = (\{.*?\});</script>", html, re.S)
    assert found, "no config in the page"
    config = json.loads(found.group(1))
    values = [c["props"].get("value") for c in config["components"] if c["props"].get("elem_id") == elem_id]
    assert len(values) == 1 and isinstance(values[0], str), values
    return values[0]


def test_the_page_is_usable_without_its_load_event(browser: Any, paged_web: Served) -> None:
    """With Gradio's event queue refused, the library, its newest article and the question box
    still show: nothing on the first screen waits for a round trip after the page."""
    from playwright.sync_api import expect

    context = new_context(browser, paged_web.url)
    try:
        page = context.new_page()
        page.set_default_timeout(SLOW_MS)
        refused: list[str] = []

        def refuse(route: Any) -> None:
            refused.append(route.request.url)
            route.abort()

        page.route(re.compile(r".*/gradio_api/queue/.*"), refuse)
        page.goto(paged_web.url)
        cards = page.locator("#library .lib-card .lib-title")
        expect(cards.first).to_be_visible()
        expect(cards.nth(1)).to_have_text(re.compile(rf"plan {N - 1} approved$"))
        expect(page.locator("#question textarea")).to_be_enabled()
        expect(page.locator("#question textarea")).to_be_focused()  # on a laptop, ready for typing
        expect(page.locator("#chat .placeholder")).to_be_visible()
        page.wait_for_timeout(500)
        assert refused, "the page sent no events: the test refused nothing"
    finally:
        context.close()


def test_a_new_article_shows_in_the_next_page(browser: Any, paged_web: Served) -> None:
    """The HTML is made afresh for each page: an article added since is in the next one."""
    from playwright.sync_api import expect

    title = "Quarry Lane footbridge reopens"
    assert title not in httpx.get(paged_web.url, timeout=30).text
    context = new_context(browser, paged_web.url)
    try:
        page = context.new_page()
        page.set_default_timeout(SLOW_MS)
        expect.set_options(timeout=SLOW_MS)  # the first add may wait for the model to load
        page.goto(paged_web.url)
        expect(page.locator("#library .lib-card").first).to_be_visible()
        page.get_by_role("tab", name="Paste").click()
        page.locator("#add-title textarea, #add-title input").first.fill(title)
        page.locator("#add-text textarea").fill(
            "The Quarry Lane footbridge reopened on Monday after repairs. "
            "The engineer said the new deck will last forty years."
        )
        page.locator("#add-text-btn").click()
        expect(page.locator("#add-status .add-status.ok:not(.stale)")).to_contain_text("sentences")
    finally:
        context.close()
    assert title in httpx.get(paged_web.url, timeout=30).text


def _on_screen(page: Any, selector: str) -> bool:
    return bool(page.evaluate(
        """(sel) => { const r = document.querySelector(sel).getBoundingClientRect();
                      return r.height > 0 && r.top >= 0 && r.bottom <= innerHeight; }""",
        selector,
    ))


def test_remove_is_at_hand_above_a_full_page_of_cards_on_a_phone(browser: Any, paged_web: Served,
                                                                  shot: Any) -> None:
    from playwright.sync_api import expect

    context = new_context(browser, paged_web.url, **PHONE)
    try:
        page = context.new_page()
        page.set_default_timeout(SLOW_MS)
        page.goto(paged_web.url)
        page.locator("#drawer-open").tap()
        cards = page.locator("#library .lib-card")
        expect(cards).to_have_count(PER_PAGE + 1)  # a full page, and "All articles"
        cards.nth(40).tap()  # far down the drawer; choosing it closes the drawer
        expect(page.locator("#library-panel")).to_be_hidden()
        page.locator("#drawer-open").tap()
        expect(page.locator("#remove-btn")).to_be_enabled()
        # Above the cards, not after them.
        assert page.evaluate("""() => Boolean(document.querySelector('#remove-btn').compareDocumentPosition(
            document.querySelector('#library')) & Node.DOCUMENT_POSITION_FOLLOWING)""")
        panel = page.locator("#library-panel")
        for scrolled in ("the drawer as it opened", "the drawer's top", "the drawer's bottom"):
            if scrolled != "the drawer as it opened":
                panel.evaluate(f"(p) => {{ p.scrollTop = {0 if 'top' in scrolled else 'p.scrollHeight'}; }}")
            assert _on_screen(page, "#remove-btn"), f"Remove is off screen at {scrolled}"
            assert _on_screen(page, "#library-search"), f"search is off screen at {scrolled}"
        shot(page, "phone-drawer-remove")
        page.locator("#remove-btn").tap()
        confirm = page.locator("#remove-confirm-box")
        expect(confirm).to_contain_text(re.compile(r"plan \d+ approved"))
        assert _on_screen(page, "#remove-confirm")
        page.locator("#remove-cancel").tap()
        expect(confirm).to_be_hidden()
        expect(cards).to_have_count(PER_PAGE + 1)
    finally:
        context.close()


def test_a_card_chosen_on_the_first_screen_waits_for_the_load_event(browser: Any, paged_web: Served) -> None:
    """A card clicked before the page's load event has answered is picked after it (the load's
    answer, the browser's own state, would otherwise undo the pick)."""
    from playwright.sync_api import expect

    config = httpx.get(f"{paged_web.url}config", timeout=30).raise_for_status().json()
    library = {c["id"] for c in config["components"] if c["props"].get("elem_id") == "library"}
    pick = {d["id"] for d in config["dependencies"] if any(t[0] in library and t[1] == "pick"
                                                           for t in d["targets"])}
    assert pick, "no pick event in the page's config"
    context = new_context(browser, paged_web.url)
    try:
        page = context.new_page()
        page.set_default_timeout(SLOW_MS)
        held: list[Any] = []
        sent: list[int] = []
        release = False

        def hold(route: Any) -> None:
            sent.append((route.request.post_data_json or {}).get("fn_index"))
            if release:
                route.continue_()
            else:
                held.append(route)

        page.route(re.compile(r".*/gradio_api/queue/join.*"), hold)
        page.goto(paged_web.url)
        card = page.locator("#library .lib-card:not([data-scope='__all__'])").first
        title = card.locator(".lib-title").inner_text()
        card.click()
        page.wait_for_timeout(500)
        assert held and not pick & set(sent), sent  # the load event went out, the pick did not
        release = True
        for route in held:
            route.continue_()
        expect(page.locator("#article-view .article-title")).to_have_text(title)
        expect(page.locator("#library .lib-card.selected .lib-title")).to_have_text(title)
        assert pick & set(sent), sent
    finally:
        context.close()
