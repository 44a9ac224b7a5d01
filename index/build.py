"""Turn a raw article into a stored one: ID, cleaning, sentences, passages, vectors."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import re
import threading
import unicodedata
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from index.clean import DroppedLine, find_boilerplate
from index.embed.base import Embedder
from index.errors import InputError
from index.ingest import RawArticle
from index.models import Article, Passage, page_at
from index.passages import make_passages
from index.quotes import QuoteExtractor
from index.store import ChromaStore
from index.structure import structural_ids


@dataclass(frozen=True, slots=True)
class AddResult:
    """What ``add`` did: the article, whether it was new, and what was dropped."""

    article: Article
    created: bool
    dropped: tuple[DroppedLine, ...] = ()
    #: What the reader left out or changed, and what the user should know (a language, a table).
    notes: tuple[str, ...] = ()


def article_id(text: str) -> str:
    """A stable ID from the normalised content (Unicode NFC, whitespace collapsed)."""
    normal = re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()[:12]


def prepare(raw: RawArticle) -> tuple[Article, tuple[DroppedLine, ...]]:
    """Clean and split ``raw``; :class:`InputError` when no sentence is left."""
    from index.sentences import split_sentences

    dropped = find_boilerplate(raw.text)
    sentences = split_sentences(raw.text, dropped)
    if raw.pages:
        sentences = tuple(dataclasses.replace(s, page=page_at(raw.pages, s.start)) for s in sentences)
    if not sentences:
        what = "only boilerplate" if dropped else "no sentences"
        raise InputError(
            f"{raw.source} has {what} once cleaned; nothing to add. Give the article's full text."
        )
    article = Article(
        id=article_id(raw.text),
        text=raw.text,
        sentences=sentences,
        title=raw.title,
        byline=raw.byline,
        date=raw.date,
        url=raw.url,
        source=raw.source,
        dropped=tuple((d.start, d.end) for d in dropped),
        structural=structural_ids(raw.text, sentences, raw.title, raw.headings),
        pages=raw.pages,
    )
    return article, dropped


#: Articles embedded and written together by :func:`add_prepared`: their passages are
#: length-sorted across articles (little padding) and written in a few Chroma calls.
BULK_ARTICLES = 64


#: ``on_stored(article, vectors)``: told of each article just stored, with its passage vectors in
#: passage order (the read path keeps them, so that a scoped question needs no read of the store).
Stored = Callable[[Article, np.ndarray], None]


def add_article(
    raw: RawArticle,
    store: ChromaStore,
    embedder: Embedder,
    window: int = 1,
    on_stored: Stored | None = None,
    quotes: QuoteExtractor | None = None,
) -> AddResult:
    """Store ``raw`` unless an article with the same content already is (a no-op).

    ``quotes`` finds the article's attributed statements, stored with it (:mod:`index.quotes`);
    without it the article is stored unindexed, and ``check --repair`` indexes it later.
    """
    article, dropped = prepare(raw)
    with _adding([article.id]):
        if store.has_article(article.id):
            return AddResult(store.get_article(article.id), created=False, dropped=dropped, notes=raw.notes)
        passages = make_passages(article, window)
        vectors = embedder.embed([p.text for p in passages])
        found = {article.id: quotes(article)} if quotes is not None else None
        (stored,) = store.put_articles([(article, passages, vectors)], found)
    if on_stored is not None:
        on_stored(stored, vectors)
    return AddResult(stored, created=True, dropped=dropped, notes=raw.notes)


def add_prepared(
    prepared: Iterable[tuple[Article, tuple[DroppedLine, ...]]],
    store: ChromaStore,
    embedder: Embedder,
    window: int = 1,
    batch: int = BULK_ARTICLES,
    on_stored: Stored | None = None,
    quotes: QuoteExtractor | None = None,
) -> list[AddResult]:
    """Store many articles already through :func:`prepare`, ``batch`` at a time: one embedding call
    and a few writes per batch.

    Articles already stored, and repeats within ``prepared``, are no-ops, as with
    :func:`add_article`; the results are in the order of ``prepared``.
    """
    results: list[AddResult] = []
    pending: list[tuple[Article, tuple[DroppedLine, ...]]] = []
    for item in prepared:
        pending.append(item)
        if len(pending) >= batch:
            results.extend(_add_prepared(pending, store, embedder, window, on_stored, quotes))
            pending = []
    results.extend(_add_prepared(pending, store, embedder, window, on_stored, quotes))
    return results


def _add_prepared(
    prepared: Sequence[tuple[Article, tuple[DroppedLine, ...]]],
    store: ChromaStore,
    embedder: Embedder,
    window: int,
    on_stored: Stored | None,
    quotes: QuoteExtractor | None,
) -> list[AddResult]:
    if not prepared:
        return []
    with _adding([a.id for a, _ in prepared]):
        stored = store.get_articles(sorted(store.stored_ids([a.id for a, _ in prepared])))
        new: dict[str, tuple[Article, tuple[Passage, ...]]] = {}
        for article, _ in prepared:
            if article.id not in stored and article.id not in new:
                new[article.id] = (article, make_passages(article, window))
        texts = [p.text for _, passages in new.values() for p in passages]
        vectors = embedder.embed(texts)
        items, start = [], 0
        for article, passages in new.values():
            items.append((article, passages, vectors[start : start + len(passages)]))
            start += len(passages)
        found = {i: quotes(article) for i, (article, _) in new.items()} if quotes is not None else None
        created = {a.id: a for a in store.put_articles(items, found)}
        if on_stored is not None:
            for article, _, item_vectors in items:
                on_stored(created[article.id], item_vectors)
        results, seen = [], set()
        for article, dropped in prepared:
            fresh = article.id in created and article.id not in seen
            seen.add(article.id)
            results.append(AddResult(created[article.id] if fresh else _stored(article.id, stored, created),
                                     created=fresh, dropped=dropped))
        return results


def _stored(article_id: str, stored: dict[str, Article], created: dict[str, Article]) -> Article:
    return stored.get(article_id) or created[article_id]


#: One lock per article ID being added in this process, kept while anyone holds it: two threads
#: adding the same text (one URL pasted twice) must not both report it as new. Across processes
#: the write is an idempotent upsert, so both may say "added" for the one stored article.
_ADDS: weakref.WeakValueDictionary[str, threading.Lock] = weakref.WeakValueDictionary()
_ADDS_GUARD = threading.Lock()


@contextlib.contextmanager
def _adding(article_ids: Sequence[str]) -> Iterator[None]:
    """Hold the add locks of ``article_ids`` (taken in sorted order: no two adds wait on each other)."""
    with _ADDS_GUARD:
        locks = []
        for article_id in sorted(set(article_ids)):
            lock = _ADDS.get(article_id)
            if lock is None:
                lock = _ADDS[article_id] = threading.Lock()
            locks.append(lock)
    with contextlib.ExitStack() as held:
        for lock in locks:
            held.enter_context(lock)
        yield
