"""The library panel's search and paging, suggested questions and refusals: pure functions."""

from __future__ import annotations

import pytest

from assistant.web.library import LibraryView, find, newest_first, page_of, render_library
from assistant.web.refusals import refuse_short_paste
from assistant.web.render import ALL
from assistant.web.state import normalise
from assistant.web.suggest import suggest
from index.build import prepare
from index.errors import InputError
from index.ingest import read_file, read_text
from index.models import ArticleSummary
from tests.support import SEED


def _listing(n: int) -> list[ArticleSummary]:
    return [
        ArticleSummary(f"{i:012x}", 3, f"2026-01-01T00:{i // 60:02d}:{i % 60:02d}", f"Story {i} about "
                       f"{'harbour' if i % 7 == 0 else 'roads'}", None, f"2025-{1 + i % 12:02d}-01",
                       f"https://{'herald' if i % 2 else 'daily'}.example/{i}", None, None)
        for i in range(n)
    ]


def test_newest_first_and_one_page_at_a_time() -> None:
    listing = _listing(120)
    found = find(listing, LibraryView(), ALL, 50)
    assert [a.id for a in found.cards] == [a.id for a in newest_first(listing)[:50]]
    assert found.cards[0].title == "Story 119 about harbour"  # 119 = 7 × 17
    assert (found.matched, found.total, found.pages, found.pinned) == (120, 120, 3, None)
    last = find(listing, LibraryView(page=99), ALL, 50)  # past the end: the last page
    assert last.page == 2 and len(last.cards) == 20 and last.start == 100
    page = render_library(last, ALL)
    assert page.count('class="lib-card') == 21  # "All articles" and 20
    assert "101–120 of 120" in page and 'data-rel="older" disabled' in page


def test_search_matches_every_word_in_titles_sources_and_dates() -> None:
    listing = _listing(120)
    found = find(listing, LibraryView("HARBOUR herald 2025-04"), ALL, 50)
    assert found.matched == len(found.cards) > 0
    for a in found.cards:
        assert "harbour" in (a.title or "") and "herald" in (a.url or "") and a.date == "2025-04-01"
    assert f"{found.matched} of 120 match" in render_library(found, ALL, "harbour herald 2025-04")


def test_the_selected_article_stays_visible_pinned_above_the_page() -> None:
    listing = _listing(120)
    oldest = listing[0].id
    found = find(listing, LibraryView(), oldest, 50)
    assert found.pinned is not None and found.pinned.id == oldest
    assert 'class="lib-card selected pinned"' in render_library(found, oldest)
    assert page_of(listing, oldest, 50) == 2
    assert find(listing, LibraryView(page=2), oldest, 50).pinned is None
    nothing = find(listing, LibraryView("zzz"), oldest, 50)
    assert nothing.matched == 0 and nothing.pinned is not None


def test_the_library_view_from_the_browser_is_checked() -> None:
    assert LibraryView.of({"query": "x" * 1000, "page": 3}) == LibraryView("x" * 200, 3)
    for bad in (None, [], {"query": 3, "page": "2"}, {"page": -1}, {"page": True}):
        assert LibraryView.of(bad) == LibraryView()
    kept = {"query": "a", "page": 1}
    assert normalise({"scope": ALL, "library": kept})["library"] == kept
    assert normalise("junk")["library"] == {"query": "", "page": 0}


def test_suggestions_come_from_the_article_itself() -> None:
    seed, _ = prepare(read_file(SEED))
    questions = suggest([seed], 4)
    assert "What did John Kirby say?" in questions
    assert "Who is John Kirby?" in questions
    assert any(q.endswith("how many countries?") for q in questions)
    other, _ = prepare(read_text(
        "The new bridge over the Tamar opened on Friday. Anna Berg, the county engineer, said 40 workers "
        "built it in two years. \u201cIt will last a century,\u201d said Anna Berg.", title="Bridge opens",
    ))
    others = suggest([other], 4)
    assert "What did Anna Berg say?" in others and "Who is Anna Berg?" in others
    assert not set(questions) & set(others)
    assert suggest([], 4) == () and len(suggest([seed, other], 3)) == 3


def test_short_pasted_text_is_told_so() -> None:
    with pytest.raises(InputError, match="too short to add as an article .0 words"):
        refuse_short_paste("lol")
    refuse_short_paste("")  # empty text gets the readers' own message
    refuse_short_paste("The council met on Tuesday to vote on the budget for the new riverside park.")
