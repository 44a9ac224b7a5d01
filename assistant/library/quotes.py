"""The library's quote index as the read path sees it: every stored quote, its people, and lookups.

Built from the quotes stored on the article rows (:mod:`index.quotes`, one metadata read) and
kept until the store's generation moves. Lookups by person (a name, in part or in full, or a
person ID), by article and by topic (the quote's words) return :class:`AttributedQuote` records.
"""

from __future__ import annotations

import dataclasses
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from assistant.analysis.library_people import Person, merge_people
from assistant.analysis.people import name_words, same_name
from assistant.analysis.text import terms
from index.quotes import Quote
from index.store import ChromaStore


@dataclass(frozen=True, slots=True)
class AttributedQuote:
    """One statement in the library: the stored :class:`~index.quotes.Quote`, its speaker as a library
    person, and what to cite."""

    quote: Quote
    #: The library person's ID and name (see :attr:`person`); the article's own naming is ``quote.speaker``.
    person_id: str
    speaker: str

    @property
    def article_id(self) -> str:
        return self.quote.article_id

    @property
    def sentence_ids(self) -> tuple[str, ...]:
        """The statement's sentences (cite them), in article order."""
        return self.quote.sentence_ids

    @property
    def attribution_id(self) -> str:
        """The sentence that attributes it (cite it too: it says who spoke)."""
        return self.quote.attribution_id

    @property
    def kind(self) -> str:
        """``direct`` (quotation marks) or ``reported``."""
        return self.quote.kind

    @property
    def text(self) -> str:
        return self.quote.text

    @property
    def mention(self) -> str:
        """The mention as the attribution writes it ("he", "Kirby", "the spokesman")."""
        return self.quote.mention

    @property
    def description(self) -> str | None:
        """How this article describes the speaker, if it does."""
        return self.quote.description

    @property
    def cited(self) -> tuple[tuple[str, str], ...]:
        """(article ID, sentence ID) of the quote's sentences, then of its attribution if apart."""
        ids = self.sentence_ids + (() if self.attribution_id in self.sentence_ids else (self.attribution_id,))
        return tuple((self.article_id, s) for s in ids)

    def as_dict(self) -> dict[str, Any]:
        """The JSON form (``quotes --json``, ``/quotes``), with the pairs to cite."""
        return {
            "article_id": self.article_id, "sentence_ids": list(self.sentence_ids),
            "attribution_id": self.attribution_id, "kind": self.kind, "text": self.text,
            "person_id": self.person_id, "speaker": self.speaker, "mention": self.mention,
            "description": self.description, "cited": [list(c) for c in self.cited],
        }


@dataclass(frozen=True, slots=True)
class QuoteIndex:
    """Every stored quote and the people they are merged into, as of one store generation."""

    quotes: tuple[AttributedQuote, ...]
    people: tuple[Person, ...]
    #: Articles whose quotes are not built yet (stored before the index): ``check --repair``.
    unindexed: tuple[str, ...] = ()

    def find(
        self, person: str | None = None, article: str | None = None, topic: str | None = None
    ) -> list[AttributedQuote]:
        """The quotes of ``person`` (a name or person ID), in ``article``, about ``topic``; topic
        matches (at least half its words) come best first, else in library order."""
        found = list(self.quotes)
        if person:
            ids = {p.id for p in self.matching(person)}
            found = [q for q in found if q.person_id in ids]
        if article:
            found = [q for q in found if q.article_id == article]
        if topic:
            wanted = set(terms(topic))
            need = math.ceil(len(wanted) / 2)
            scored = [(len(wanted & set(terms(q.text + " " + (q.description or "")))), i, q)
                      for i, q in enumerate(found)]
            found = [q for n, _, q in sorted(scored, key=lambda t: (-t[0], t[1])) if wanted and n >= need]
        return found

    def matching(self, name: str) -> list[Person]:
        """The people ``name`` may mean: the same name (a surname alone: everyone with it, each a
        person of their own when the merging kept them apart), else the person with that ID."""
        lowered = name.strip().lower()
        if not lowered:
            return []
        named = [p for p in self.people if p.named and name_words(name) and same_name(p.name, name)]
        if len(name_words(name)) > 1:
            # "John Smith": a "Smith" the merging kept apart from him is not him (unless none is).
            full = [p for p in named if len(name_words(p.name)) > 1]
            named = full or named
        named += [p for p in self.people if lowered in p.name.lower() and p not in named]
        return named or [p for p in self.people if p.id == lowered]

    def report(self, found: Sequence[AttributedQuote]) -> dict[str, Any]:
        """``found`` as JSON data: the people concerned (with how they were merged), then the quotes,
        each with the (article ID, sentence ID) pairs to cite; what ``quotes --json`` and ``/quotes`` give."""
        people = {p.id: p for p in self.people}
        concerned = [people[i] for i in dict.fromkeys(q.person_id for q in found)]
        return {
            "people": [dataclasses.asdict(p) | {"articles": list(p.articles)} for p in concerned],
            "quotes": [q.as_dict() for q in found],
            "unindexed_articles": list(self.unindexed),
        }

    def in_article(self, article: str) -> list[Person]:
        """The people quoted in ``article``, most quoted first."""
        return [p for p in self.people if article in p.articles]


def build_index(stored: dict[str, tuple[Quote, ...] | None], order: Sequence[str]) -> QuoteIndex:
    """The index of the stored quotes (``order``: the articles' listing order)."""
    rank = {a: i for i, a in enumerate(order)}
    articles = sorted(stored, key=lambda a: (rank.get(a, len(rank)), a))
    quotes = [q for a in articles for q in stored[a] or ()]
    people, ids = merge_people(quotes)
    names = {p.id: p.name for p in people}
    records = tuple(AttributedQuote(q, person, names[person])
                    for q in quotes for person in (ids[(q.article_id, q.person)],))
    return QuoteIndex(records, tuple(people), tuple(a for a in articles if stored[a] is None))


class QuoteIndexes:
    """The current :class:`QuoteIndex` of a store, rebuilt when its generation moves."""

    def __init__(self) -> None:
        self._kept: tuple[str | None, QuoteIndex] | None = None
        self._lock = threading.Lock()

    def current(self, store: ChromaStore, order: Sequence[str]) -> QuoteIndex:
        """The index as of the store's generation now."""
        generation = store.generation()
        kept = self._kept
        if kept is not None and kept[0] == generation and generation is not None:
            return kept[1]
        with self._lock:
            index = build_index(store.quotes(), order)
            self._kept = (generation, index)
        return index
