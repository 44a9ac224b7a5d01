"""Turn a raw article into a stored one: ID, cleaning, sentences, passages, vectors."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import re
import threading
import unicodedata
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass

import numpy as np

from index.clean import DroppedLine, find_boilerplate
from index.embed.base import Embedder
from index.errors import InputError
from index.ingest import RawArticle
from index.models import Article, Passage, page_at
from index.passages import make_passages
from index.quotes import Quote, QuoteExtractor
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
    from concurrent.futures import ThreadPoolExecutor

    article, dropped = prepare(raw)
    with _adding([article.id]), ThreadPoolExecutor(1, thread_name_prefix="add-journal") as ahead:
        # The store's round trips before the write (is it stored? the journal entry) run while the
        # encoder works: a re-add then costs a wasted embedding, every other add ~3 round trips less.
        begun = ahead.submit(_begin_unless_stored, store, article.id)
        passages = make_passages(article, window)
        try:
            vectors = embedder.embed([p.text for p in passages])
            found = {article.id: quotes(article)} if quotes is not None else None
        except BaseException:
            if (token := _quietly(begun)) is not None:
                store._end(token)  # the add wrote nothing: its journal entry goes
            raise
        token = begun.result()
        if token is None:
            return AddResult(store.get_article(article.id), created=False, dropped=dropped, notes=raw.notes)
        (stored,) = store.put_articles([(article, passages, vectors)], found, begun=token)
    if on_stored is not None:
        on_stored(stored, vectors)
    return AddResult(stored, created=True, dropped=dropped, notes=raw.notes)


def _begin_unless_stored(store: ChromaStore, article_id: str) -> str | None:
    """The journal token of a new add of ``article_id``; None when it is stored already."""
    return None if store.has_article(article_id) else store.begin_add([article_id])


def _quietly(begun: Future[str | None]) -> str | None:
    """The token once the journal write is done; None when it failed (the caller's error wins)."""
    try:
        return begun.result()
    except Exception:
        return None


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

    A pipeline: while one batch is written (Chroma's writes are half waiting on the disk), the next
    is split and embedded; writes stay one batch after another, each journalled as before.
    Articles already stored, and repeats within ``prepared``, are no-ops, as with
    :func:`add_article`; the results are in the order of ``prepared``.
    """
    from concurrent.futures import ThreadPoolExecutor

    results: list[AddResult] = []
    written: dict[str, Article] = {}  # what this call stored so far (only the writer thread adds)
    embedding: set[str] = set()  # IDs of the batches handed to the writer
    with ThreadPoolExecutor(1, thread_name_prefix="article-writer") as writer:
        last: Future[list[AddResult]] | None = None
        for chunk in _chunks(prepared, batch):
            ready = _embed_batch(chunk, store, embedder, window, quotes, embedding)
            if last is not None:
                results.extend(last.result())  # a failed write stops here, before the next is sent
            last = writer.submit(_write_batch, ready, store, on_stored, written)
        if last is not None:
            results.extend(last.result())
    return results


def _chunks(
    prepared: Iterable[tuple[Article, tuple[DroppedLine, ...]]], size: int
) -> Iterator[list[tuple[Article, tuple[DroppedLine, ...]]]]:
    pending: list[tuple[Article, tuple[DroppedLine, ...]]] = []
    for item in prepared:
        pending.append(item)
        if len(pending) >= size:
            yield pending
            pending = []
    if pending:
        yield pending


@dataclass(frozen=True, slots=True)
class _Embedded:
    """One batch, embedded and waiting for its write."""

    prepared: Sequence[tuple[Article, tuple[DroppedLine, ...]]]
    stored: dict[str, Article]  # already in the store when the batch was embedded
    items: list[tuple[Article, tuple[Passage, ...], np.ndarray]]
    quotes: Mapping[str, Sequence[Quote]] | None


def _embed_batch(
    prepared: Sequence[tuple[Article, tuple[DroppedLine, ...]]],
    store: ChromaStore,
    embedder: Embedder,
    window: int,
    quotes: QuoteExtractor | None,
    earlier: set[str],
) -> _Embedded:
    """Embed the batch's articles that are neither stored nor in an ``earlier`` batch (now added to it)."""
    stored = store.get_articles(sorted(store.stored_ids([a.id for a, _ in prepared])))
    new: dict[str, tuple[Article, tuple[Passage, ...]]] = {}
    for article, _ in prepared:
        if article.id not in stored and article.id not in new and article.id not in earlier:
            new[article.id] = (article, make_passages(article, window))
    earlier.update(new)
    vectors = embedder.embed([p.text for _, passages in new.values() for p in passages])
    items, start = [], 0
    for article, passages in new.values():
        items.append((article, passages, vectors[start : start + len(passages)]))
        start += len(passages)
    found = {i: quotes(article) for i, (article, _) in new.items()} if quotes is not None else None
    return _Embedded(prepared, stored, items, found)


def _write_batch(
    batch: _Embedded, store: ChromaStore, on_stored: Stored | None, written: dict[str, Article]
) -> list[AddResult]:
    """Store an embedded batch (in the writer thread); its results in the order of its articles."""
    with _adding([a.id for a, _ in batch.prepared]):
        created = {a.id: a for a in store.put_articles(batch.items, batch.quotes)}
    if on_stored is not None:
        for article, _, item_vectors in batch.items:
            on_stored(created[article.id], item_vectors)
    results, seen = [], set()
    for article, dropped in batch.prepared:
        fresh = article.id in created and article.id not in seen
        seen.add(article.id)
        known = created.get(article.id) or batch.stored.get(article.id) or written[article.id]
        results.append(AddResult(known, created=fresh, dropped=dropped))
    written.update(created)
    return results


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
