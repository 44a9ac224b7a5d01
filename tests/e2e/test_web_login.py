"""`serve --auth` in a real browser: the login page works behind the login gate, and so does the app."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import SLOW_MS, Served, add_pasted, new_context, start_serve
from tests.support import free_port, stop

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    served = start_serve(tmp_path_factory.mktemp("login"), free_port(), options=["--auth", "reader:s3cret"])
    try:
        yield served
    finally:
        stop(served.proc)


def test_sign_in_then_add_and_remove_behind_the_login_gate(browser: Any, signed: Served,
                                                           tmp_path: Path) -> None:
    from playwright.sync_api import expect

    context = new_context(browser, signed.url)
    page = context.new_page()
    page.set_default_timeout(SLOW_MS)
    expect.set_options(timeout=SLOW_MS)
    refused: list[str] = []  # what the page asked for and the gate refused
    page.on("response", lambda r: refused.append(f"{r.status} {r.url}") if r.status in (401, 403) else None)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(signed.url)
        password = page.locator("input[type=password]")
        expect(password).to_be_visible()
        expect(page.locator("#library")).to_have_count(0)
        page.locator("input").first.fill("reader")
        password.fill("wrong")
        page.get_by_role("button", name="Login").click()
        expect(page.get_by_text("Incorrect credentials")).to_be_visible()
        page.locator("input").first.fill("reader")  # the form clears it after a failure
        password.fill("s3cret")
        page.get_by_role("button", name="Login").click()
        expect(page.locator(".lib-card").first).to_be_visible()

        add_pasted(page, "The harbour master retired in 2001. The port closed a year later.", title="Harbour")
        card = page.locator(".lib-card", has_text="Harbour")
        expect(card).to_have_class("lib-card selected")
        page.locator("#remove-btn").click()
        page.locator("#remove-confirm").click()
        expect(card).to_have_count(0)
        page.screenshot(path=str(tmp_path / "signed-in.png"))
    finally:
        context.close()
    assert not refused, f"the page was refused what it needs: {refused}"
    assert not errors, f"JavaScript errors in the page: {errors}"
