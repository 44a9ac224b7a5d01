"""The stored articles as of one store generation, swapped whole when the store changes.

A snapshot is never mutated: a new one replaces it after this process's own
adds and removes (extended in place of a re-read) or when the store's
generation stamp says another process wrote. Only IDs and metadata are read to
make one; an article's text and sentences are read when first looked up.
The listing is also saved with its stamp (:mod:`assistant.library.catalog`), so a new
process on an unchanged store reads one small file instead of every row.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

from assistant.components import Components
from assistant.library.articles import LazyArticles
from assistant.library.caches import Caches
from index.errors import ArticleNotFoundError, InputError
from index.models import Article, ArticleSummary

if TYPE_CHECKING:
    from assistant.library.catalog import Catalog

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Library:
    """The stored articles as of one store generation (never mutated; replaced whole)."""

    generation: str | None
    summaries: Mapping[str, ArticleSummary]
    articles: LazyArticles


@dataclass(frozen=True, slots=True)
class Scope:
    """What one question searches: one article, or the library (``library`` set)."""

    key: tuple[str, ...]
    articles: Mapping[str, Article]
    library: Library | None = None


class LibraryState:
    """The current snapshot of one store, and the saved listing that lets a new process skip reading it."""

    def __init__(self, components: Components, caches: Caches) -> None:
        self._components = components
        self._caches = caches
        self._library: Library | None = None
        self._lock = threading.Lock()

    def current(self) -> Library:
        """The snapshot, reloaded when the store's generation moved (another process wrote)."""
        library = self._library
        generation = self._components.store.generation()
        if library is not None and library.generation == generation:
            return library
        summaries = {a.id: a for a in self._read_summaries(generation)}
        fresh = self._snapshot(generation, summaries)
        self._caches.keep_only(set(summaries))
        return fresh

    def summaries(self) -> list[ArticleSummary]:
        """Every stored article's summary, oldest first; a new process on an embedded store whose
        saved listing is current does not even open Chroma."""
        settings = self._components.settings
        if self._library is None and not self._components.opened and settings.chroma_url is None:
            from index.store import peek_generation

            s = settings.store
            generation = peek_generation(settings.data_dir, s.tenant, s.database, s.collection_prefix)
            saved = self.catalog().load(generation)
            if saved:  # an empty one is checked with the store (opening an empty one costs little)
                # Not kept as the snapshot: questions first check the listing against the store's count.
                return saved
        return list(self.current().summaries.values())

    def get(self, article_id: str) -> Article:
        """The stored article; :class:`ArticleNotFoundError` when there is none."""
        if not isinstance(article_id, str):
            raise InputError(f"An article ID is a string, not {type(article_id).__name__}.")
        library = self._library
        store = self._components.store
        if library is not None and library.generation == store.generation():
            article = library.articles.get(article_id)
        else:
            # No snapshot yet (a cold `ask --article`): read this one article, not the library.
            article = store.get_articles([article_id]).get(article_id)
            if article is not None:
                self._caches.articles.put(article_id, article)
        if article is None:
            raise ArticleNotFoundError(article_id)
        return article

    def scope(self, article: str | None) -> Scope:
        """One article's scope, or the whole library's (an empty library is an error)."""
        if article is not None:
            found = self.get(article)
            return Scope((found.id,), {found.id: found})
        library = self.current()
        if not library.summaries:
            raise InputError("No articles are stored yet. Add one first: article-assistant add FILE|URL")
        return Scope(tuple(library.summaries), library.articles, library)

    def added(self, articles: Sequence[Article], before: str | None) -> None:
        """Extend the listing with articles this process just stored (no re-read of the library).

        ``before`` is the store's generation before the add: the snapshot, or else the saved
        listing, of that generation is extended (a CLI ``add`` keeps the listing file current).
        """
        if not articles:
            return
        for article in articles:
            self._caches.articles.put(article.id, article)
        library = self._library
        known: dict[str, ArticleSummary] | None = None
        if library is not None and library.generation == before:
            known = dict(library.summaries)
        elif before is None:
            known = {}  # a store never written to (the count below catches a first-release store)
        elif (saved := self.catalog().load(before)) is not None:
            known = {a.id: a for a in saved}
        if known is None:
            self.forget()
            return
        self.settle(known | {a.id: ArticleSummary.of(a) for a in articles})

    def removed(self, article_id: str, library: Library) -> None:
        """After this process removed ``article_id`` from ``library``."""
        self._caches.forget(article_id)
        self.settle({k: v for k, v in library.summaries.items() if k != article_id})

    def settle(self, summaries: dict[str, ArticleSummary]) -> None:
        """After this process's write: ``summaries`` become the snapshot and the saved listing at
        the store's new generation, unless the store's count says another process changed the
        library meanwhile (then it is read again at the next call)."""
        store = self._components.store
        generation = store.generation()
        if store.count_articles() != len(summaries):
            self.forget()
            return
        self._snapshot(generation, summaries)
        self.catalog().save(generation, list(summaries.values()))

    def forget(self) -> None:
        """Drop the snapshot: the next call reads the library again."""
        with self._lock:
            self._library = None

    def fetch(self, article_ids: Sequence[str]) -> dict[str, Article]:
        """The stored articles among ``article_ids``, read in one call."""
        return self._components.store.get_articles(article_ids)

    def catalog(self) -> Catalog:
        """The saved listing of this store."""
        from assistant.library.catalog import Catalog, catalog_path

        return Catalog(catalog_path(self._components.settings.cache_dir, self._components.store_key()))

    def _read_summaries(self, generation: str | None) -> list[ArticleSummary]:
        """The listing at ``generation``: the saved one when current, else read from the store."""
        catalog = self.catalog()
        found = catalog.load(generation)
        if found is not None and len(found) != self._components.store.count_articles():
            # Intact and current, yet not the store's listing (a writer's bug): the store wins.
            log.warning("ignoring the library listing %s: it lists %d articles", catalog.path, len(found))
            found = None
        if found is None:
            store = self._components.store
            found = store.summaries()
            if store.generation() == generation:  # nobody wrote while we read
                catalog.save(generation, found)
        return found

    def _snapshot(self, generation: str | None, summaries: dict[str, ArticleSummary]) -> Library:
        articles = LazyArticles(list(summaries), self.fetch, self._caches.articles)
        fresh = Library(generation, MappingProxyType(summaries), articles)
        with self._lock:
            self._library = fresh
        return fresh
