"""The library panel at 10,000 articles, in a real Chromium at laptop and phone sizes.

The library is built once per session through the real write path (generated short
articles, :mod:`tests.e2e.biglib`); its build time and the pages' weights go to
test-artifacts/library.json, never asserted.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import ARTIFACTS, DESKTOP, PHONE, ROOT, SLOW_MS, Served, new_context, start_serve
from tests.e2e.weigh import weigh
from tests.support import free_port, stop

pytestmark = pytest.mark.e2e

N = 10_000
PER_PAGE = 50  # settings.web.library_page's default
FIGURES: dict[str, Any] = {}


def _expect() -> Any:
    from playwright.sync_api import expect

    return expect


def _record(**figures: Any) -> None:
    FIGURES.update(figures)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "library.json").write_text(json.dumps(FIGURES, indent=2) + "\n")


def _build(workdir: Path, n: int) -> float:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    t0 = time.monotonic()
    subprocess.run([sys.executable, "-m", "tests.e2e.biglib", str(workdir / "data"), str(n)],
                   env=env, cwd=ROOT, check=True, capture_output=True, timeout=1800)
    return time.monotonic() - t0


@pytest.fixture(scope="session")
def big_web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`serve` over a library of 10,000 generated articles (built once per session)."""
    workdir = tmp_path_factory.mktemp("big")
    _record(build_10000_s=round(_build(workdir, N), 1), load_average_1min=os.getloadavg()[0])
    served = start_serve(workdir, free_port())
    try:
        yield served
    finally:
        stop(served.proc)


def _open(browser: Any, url: str, **options: Any) -> tuple[Any, Any, list[str]]:
    context = new_context(browser, url, **options)
    page = context.new_page()
    page.set_default_timeout(SLOW_MS)
    _expect().set_options(timeout=SLOW_MS)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    _expect()(page.locator(".lib-card").first).to_be_attached()  # on a phone, in the drawer
    return context, page, errors


def _drawer(page: Any, size: str) -> None:
    """On a phone, open the library's drawer (choosing an article closes it)."""
    if size == "phone" and not page.locator("#library-panel").is_visible():
        page.locator("#drawer-open").tap()
    _expect()(page.locator("#library .lib-card").first).to_be_visible()


def _type(box: Any, text: str) -> None:
    """Replace the box's text as a reader does, key by key (Gradio reacts to typing)."""
    box.click()
    box.press("Control+a")
    box.press("Backspace")
    if text:
        box.press_sequentially(text)


def _count(page: Any) -> int:
    """The library's size as its count line says ("10,000 articles, newest first")."""
    text = page.locator(".lib-count").inner_text()
    found = re.search(r"([\d,]+) (?:articles|article)\b", text) or re.search(r"of ([\d,]+)", text)
    assert found, text
    return int(found[1].replace(",", ""))


def _in_viewport(page: Any, selector: str) -> bool:
    return bool(page.evaluate(
        """(sel) => { const el = document.querySelector(sel); if (!el) return false;
                      const r = el.getBoundingClientRect();
                      return r.height > 0 && r.top >= 0 && r.bottom <= innerHeight; }""",
        selector,
    ))


def test_page_weight_and_time_to_usable_at_1_and_10000(browser: Any, big_web: Served,
                                                        tmp_path: Path) -> None:
    one_dir = tmp_path / "one"
    _record(build_1_s=round(_build(one_dir, 1), 1))
    one = start_serve(one_dir, free_port())
    try:
        for name, served in (("1", one), ("10000", big_web)):
            for size, options in (("laptop", DESKTOP), ("phone", PHONE)):
                context = new_context(browser, served.url, **options)
                try:
                    first = weigh(context, served.url)  # a first visit: nothing cached
                    again = weigh(context, served.url)  # the same browser again: static files cached
                finally:
                    context.close()
                _record(**{f"{name}_{size}_first": first, f"{name}_{size}_again": again})
                assert first["status"] == 200
                # Never more than one page of cards (and "All articles"), whatever the library's size.
                assert first["cards"] <= PER_PAGE + 2, first
    finally:
        stop(one.proc)
    print(f"\nlibrary figures: {json.dumps(FIGURES)}")


@pytest.mark.parametrize("size", ["laptop", "phone"])
def test_search_pages_and_counts_over_10000(browser: Any, big_web: Served, size: str, shot: Any) -> None:
    expect = _expect()
    context, page, errors = _open(browser, big_web.url, **(PHONE if size == "phone" else DESKTOP))
    try:
        _drawer(page, size)
        total = _count(page)
        assert total >= N
        cards = page.locator("#library .lib-card")
        assert cards.count() <= PER_PAGE + 1
        expect(page.locator(".lib-range")).to_have_text(f"1–{PER_PAGE} of {total:,}")
        # Newest first: the last generated article leads the first page.
        expect(cards.nth(1)).to_contain_text(f"plan {N - 1} approved")

        page.locator(".lib-page[data-rel=older]").click()
        expect(page.locator(".lib-range")).to_have_text(f"{PER_PAGE + 1}–{2 * PER_PAGE} of {total:,}")
        expect(cards.nth(1)).to_contain_text(f"plan {N - 1 - PER_PAGE} approved")

        # Search: titles, sources and dates, every word must match.
        search = page.locator("#library-search input, #library-search textarea").first
        _type(search, "harbour herald 2021-03")
        expect(page.locator("#library .library")).to_have_attribute("data-query", "harbour herald 2021-03")
        count = page.locator(".lib-count")
        expect(count).to_contain_text(f"of {total:,} match")
        matched = int(count.inner_text().split(" of ")[0].replace(",", ""))
        assert 0 < matched < PER_PAGE
        titles = page.locator("#library .lib-card:not([data-scope='__all__'])")
        expect(titles).to_have_count(matched)
        for i in range(matched):
            text = titles.nth(i).inner_text()
            assert "harbour" in text and "herald.example" in text and "2021-03" in text, text
        shot(page, f"library-search-{size}")

        # The selected article stays in view when the search leaves it out: pinned above.
        chosen = titles.first.get_attribute("data-scope")
        titles.first.click()
        expect(page.locator(".article-view .article-title")).to_be_attached()
        _drawer(page, size)
        _type(search, "no such words anywhere")
        expect(count).to_have_text(f"0 of {total:,} match")
        pinned = page.locator("#library .lib-card.pinned.selected")
        expect(pinned).to_have_attribute("data-scope", chosen)
        expect(page.locator(".library-empty")).to_contain_text("no such words anywhere")
        _type(search, "")
        expect(page.locator(".lib-range")).to_have_text(f"1–{PER_PAGE} of {total:,}")
    finally:
        context.close()
    assert not errors, errors


def test_an_add_shows_its_result_by_the_control_and_selects_the_new_article(browser: Any,
                                                                            big_web: Served) -> None:
    expect = _expect()
    context, page, errors = _open(browser, big_web.url)
    try:
        page.get_by_role("tab", name="Paste").click()
        page.locator("#add-title textarea, #add-title input").first.fill("Quay wall repairs begin in Lindow")
        page.locator("#add-text textarea").fill(
            "Repairs to the old quay wall in Lindow began on Monday after years of delay. "
            "The harbour master said the work would take eight months and cost two million pounds."
        )
        page.locator("#add-text-btn").click()
        status = page.locator("#add-status .add-status.ok:not(.stale)")
        expect(status).to_contain_text("Added")
        assert _in_viewport(page, "#add-status .add-status.ok"), "the add's result is off-screen"
        selected = page.locator("#library .lib-card.selected")
        expect(selected).to_contain_text("Quay wall repairs begin in Lindow")
        assert _in_viewport(page, "#library .lib-card.selected"), "the new article is off-screen"
        expect(page.locator(".lib-range")).to_contain_text(f"1–{PER_PAGE} of ")
    finally:
        context.close()
    assert not errors, errors
