"""The people panel in a real browser: who is quoted in the open article, and what one of them said."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

SEED = Path(__file__).resolve().parents[2] / "examples" / "articles" / "cluster-munitions-dallas-express.txt"


def test_the_people_panel_lists_speakers_and_shows_a_persons_quotes_with_sentence_ids(
    page: Any, shot: Any
) -> None:
    from playwright.sync_api import expect

    page.get_by_role("tab", name="File").click()
    page.locator("#add-file input[type=file]").set_input_files(str(SEED))
    expect(page.locator("#add-status .add-status.ok")).to_be_visible()  # added, or already stored
    expect(page.locator(".lib-card.selected")).to_contain_text("cluster-munitions-dallas-express.txt")

    page.locator("#people-panel").get_by_text("People quoted").click()
    page.locator("#people-pick input").click()
    kirby = page.get_by_role("option", name=re.compile("John Kirby"))
    expect(kirby).to_contain_text("coordinator for strategic communications")
    expect(page.get_by_role("option", name=re.compile("Oleksandr Syrskyi \\(2\\)"))).to_be_visible()
    kirby.click()

    shown = page.locator("#people-quotes")
    expect(shown.locator(".people-quote")).to_have_count(1)
    expect(shown).to_contain_text("They are using them appropriately.")
    expect(shown.locator("footer")).to_contain_text("s3 s4 s5")
    shot(page, "people-panel")
