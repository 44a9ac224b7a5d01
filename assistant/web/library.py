"""The library panel of the web chat: search, newest first, one page of cards at a time.

A library may hold 10,000 articles: the page never gets more than one page of
cards (``settings.web.library_page``). The search runs on the server over the
saved listing (:meth:`Assistant.summaries`: titles, sources, dates), never over
the articles' texts. The selected article stays visible: when it is not on the
page shown (another page, or the search leaves it out) it is pinned above the
cards. What the reader is looking at (search words and page) travels in the
browser state as ``{"query": str, "page": int}`` under ``"library"``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from assistant.web.render import ALL, date_label, esc, source_label
from index.models import ArticleSummary

#: Longest search kept (the box refuses more); longer text from the browser is cut.
MAX_QUERY_CHARS = 200


@dataclass(frozen=True, slots=True)
class LibraryView:
    """What the library panel shows: the search words and the page (0 = newest)."""

    query: str = ""
    page: int = 0

    @classmethod
    def of(cls, value: Any) -> LibraryView:
        """The view kept in the browser state, anything malformed reset."""
        if not isinstance(value, Mapping):
            return cls()
        query, page = value.get("query"), value.get("page")
        return cls(
            query[:MAX_QUERY_CHARS] if isinstance(query, str) else "",
            page if isinstance(page, int) and not isinstance(page, bool) and 0 <= page < 10**6 else 0,
        )

    def as_state(self) -> dict[str, Any]:
        """The JSON kept in the browser state."""
        return {"query": self.query, "page": self.page}


@dataclass(frozen=True, slots=True)
class Found:
    """One page of the search's result."""

    cards: tuple[ArticleSummary, ...]
    matched: int
    total: int
    page: int
    pages: int
    #: Position of the first card among the matches.
    start: int
    #: The selected article when it is not among ``cards`` (pinned above them), else None.
    pinned: ArticleSummary | None


def newest_first(articles: Sequence[ArticleSummary]) -> list[ArticleSummary]:
    """The listing, most recently added first (the listing's own order breaks ties)."""
    order = {a.id: i for i, a in enumerate(articles)}
    return sorted(articles, key=lambda a: (a.added_at or "", order[a.id]), reverse=True)


def matches(article: ArticleSummary, words: Sequence[str]) -> bool:
    """True when every word is in the article's title, source, link or dates (ignoring case)."""
    a = article
    fields = (a.label, a.source, a.url, source_label(a), a.date, a.added_at)
    haystack = " ".join(f for f in fields if f).casefold()
    return all(w in haystack for w in words)


def find(articles: Sequence[ArticleSummary], view: LibraryView, selected: str, per_page: int) -> Found:
    """The page of ``articles`` that ``view`` asks for; a page past the end shows the last one."""
    words = view.query.casefold().split()
    ordered = newest_first(articles)
    hits = [a for a in ordered if matches(a, words)] if words else ordered
    pages = max(1, math.ceil(len(hits) / per_page))
    page = min(view.page, pages - 1)
    cards = tuple(hits[page * per_page : (page + 1) * per_page])
    pinned = None
    if selected != ALL and all(a.id != selected for a in cards):
        pinned = next((a for a in articles if a.id == selected), None)
    return Found(cards, len(hits), len(articles), page, pages, page * per_page, pinned)


def page_of(articles: Sequence[ArticleSummary], article_id: str, per_page: int) -> int:
    """The page (no search) that holds ``article_id``; 0 when it is not there."""
    for i, a in enumerate(newest_first(articles)):
        if a.id == article_id:
            return i // per_page
    return 0


def render_library(found: Found, scope: str, query: str = "") -> str:
    """The library panel: counts, the "All articles" card, the pinned selection, a page of cards, paging.

    Cards carry ``data-scope`` (a click becomes a ``pick`` event); the paging buttons carry
    ``data-page`` (a ``browse`` event).
    """
    noun = "article" if found.total == 1 else "articles"
    parts = [f'<div class="lib-count" role="status">{esc(_count(found, query))}</div>']
    parts.append(_card(ALL, "All articles", f"Ask across {found.total:,} {noun}", scope == ALL))
    if found.pinned is not None:
        parts.append('<div class="lib-pinned-label">Selected</div>')
        parts.append(_article_card(found.pinned, True, pinned=True))
    parts.extend(_article_card(a, a.id == scope) for a in found.cards)
    if not found.total:
        parts.append('<div class="library-empty">No articles yet: add one above.</div>')
    elif not found.matched:
        parts.append(f'<div class="library-empty">No title, source or date matches “{esc(query)}”.</div>')
    if found.pages > 1:
        parts.append(_pager(found))
    return (
        f'<div class="library" role="listbox" aria-label="Library" data-current-page="{found.page}" '
        f'data-pages="{found.pages}" data-query="{esc(query)}">{"".join(parts)}</div>'
    )


def _count(found: Found, query: str) -> str:
    if not found.total:
        return "Empty library"
    if query.strip():
        return f"{found.matched:,} of {found.total:,} match"
    if found.pages == 1:
        return f"{found.total:,} {'article' if found.total == 1 else 'articles'}, newest first"
    return f"{found.total:,} articles, newest first"


def _pager(found: Found) -> str:
    def button(label: str, page: int, enabled: bool, rel: str) -> str:
        state = "" if enabled else " disabled"
        return (
            f'<button type="button" class="lib-page" data-page="{page}" data-rel="{rel}"{state}>'
            f"{label}</button>"
        )

    shown = f"{found.start + 1:,}–{found.start + len(found.cards):,} of {found.matched:,}"
    return (
        '<nav class="lib-pager" aria-label="Library pages">'
        f'{button("← Newer", found.page - 1, found.page > 0, "newer")}'
        f'<span class="lib-range">{shown}</span>'
        f'{button("Older →", found.page + 1, found.page < found.pages - 1, "older")}</nav>'
    )


def _article_card(a: ArticleSummary, selected: bool, pinned: bool = False) -> str:
    meta = " · ".join(p for p in (source_label(a), date_label(a), f"{a.n_sentences} sentences") if p)
    return _card(a.id, a.label, meta, selected, pinned)


def _card(scope: str, title: str, meta: str, selected: bool, pinned: bool = False) -> str:
    state = (" selected" if selected else "") + (" pinned" if pinned else "")
    return (
        f'<button type="button" class="lib-card{state}" data-scope="{esc(scope)}" role="option" '
        f'aria-selected="{"true" if selected else "false"}" title="{esc(title)}">'
        f'<span class="lib-title">{esc(title)}</span><span class="lib-meta">{esc(meta)}</span></button>'
    )
