"""Every in-memory cache of one Assistant, each bounded by a setting.

Articles are keyed by their content-hash IDs and indexes by the IDs they
cover, so nothing cached here goes stale: a snapshot change only drops what
is no longer stored.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from assistant.settings import RetrievalSettings
from index.models import Article

if TYPE_CHECKING:
    import numpy as np

    from assistant.retrieval.hybrid import HybridIndex
    from index.embed.base import Embedder

#: An article's passages (each a tuple of sentence IDs) and their vectors, in passage order.
Vectors = tuple[list[tuple[str, ...]], "np.ndarray"]


V = TypeVar("V")


class BoundedCache(Generic[V]):
    """A thread-safe LRU map of at most ``limit`` entries."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._items: OrderedDict[str, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> V | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: str, value: V) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.limit:
                self._items.popitem(last=False)

    def pop(self, key: str) -> None:
        with self._lock:
            self._items.pop(key, None)

    def keep_only(self, keys: set[str]) -> None:
        with self._lock:
            for gone in [k for k in self._items if k not in keys]:
                del self._items[gone]


@dataclass(frozen=True, slots=True)
class Caches:
    """Articles, their passage vectors, scope indexes and query vectors."""

    articles: BoundedCache[Article]
    vectors: BoundedCache[Vectors]
    scopes: BoundedCache[HybridIndex]
    queries: BoundedCache[np.ndarray]

    @classmethod
    def sized(cls, retrieval: RetrievalSettings) -> Caches:
        """Caches as large as ``retrieval`` says."""
        return cls(
            articles=BoundedCache(retrieval.cached_articles),
            vectors=BoundedCache(retrieval.cached_articles),
            scopes=BoundedCache(retrieval.cached_scopes),
            queries=BoundedCache(retrieval.cached_queries),
        )

    def keep_only(self, article_ids: set[str]) -> None:
        """Drop the articles (and their vectors) that are no longer stored."""
        self.vectors.keep_only(article_ids)
        self.articles.keep_only(article_ids)

    def clear(self) -> None:
        """Drop everything (the Assistant was closed)."""
        for cache in (self.articles, self.vectors, self.scopes, self.queries):
            cache.keep_only(set())

    def forget(self, article_id: str) -> None:
        """Drop one removed article."""
        self.vectors.pop(article_id)
        self.articles.pop(article_id)


class QueryVectors:
    """A query's vector, embedded once: chat turns and evals repeat questions, and embedding
    is most of a warm ask."""

    def __init__(self, embedder: Callable[[], Embedder], cache: BoundedCache[np.ndarray]) -> None:
        self._embedder = embedder
        self._cache = cache

    def __call__(self, query: str) -> np.ndarray:
        found = self._cache.get(query)
        if found is None:
            found = self._embedder().embed([query])[0]
            self._cache.put(query, found)
        return found
