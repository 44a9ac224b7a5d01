"""The articles of a library snapshot, read from the store when first looked up."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, ValuesView

from assistant.library.caches import BoundedCache
from index.models import Article

#: ``fetch(ids)`` → those stored articles, by ID.
Fetch = Callable[[Sequence[str]], Mapping[str, Article]]


class LazyArticles(Mapping[str, Article]):
    """The articles of a library snapshot, read from the store when first looked up.

    Iterating gives the IDs (oldest first) without reading anything; looking
    one up reads it (kept in a shared bounded cache); :meth:`preload` reads
    several in one call; ``values()`` reads them all, in batches.
    """

    def __init__(self, ids: Sequence[str], fetch: Fetch, cache: BoundedCache[Article]) -> None:
        self._ids = tuple(ids)
        self._known = frozenset(self._ids)
        self._fetch = fetch
        self._cache = cache

    def __getitem__(self, article_id: str) -> Article:
        if article_id not in self._known:
            raise KeyError(article_id)
        found = self._cache.get(article_id)
        if found is None:
            self.preload([article_id])
            found = self._cache.get(article_id)
            if found is None:
                found = self._fetch([article_id]).get(article_id)
            if found is None:
                raise KeyError(article_id)  # removed by another process since the snapshot
        return found

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._known

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    def preload(self, article_ids: Iterable[str]) -> set[str]:
        """Read the ones not cached yet, in one store call; which of them exist.

        An ID of this snapshot that another process removed since is not among them.
        """
        known = [i for i in dict.fromkeys(article_ids) if i in self._known]
        wanted = [i for i in known if self._cache.get(i) is None]
        fetched = self._fetch(wanted) if wanted else {}
        for article_id, article in fetched.items():
            self._cache.put(article_id, article)
        return {i for i in known if i in fetched or i not in wanted}

    def values(self) -> ValuesView[Article]:  # type: ignore[override]
        return _LoadedValues(self)

    def load_all(self, batch: int = 500) -> list[Article]:
        """Every article, oldest first (read in batches; the cache keeps only the last ones)."""
        out: list[Article] = []
        for first in range(0, len(self._ids), batch):
            chunk = self._ids[first : first + batch]
            known = {i: self._cache.get(i) for i in chunk}
            fetched = self._fetch([i for i, a in known.items() if a is None])
            out.extend(a for i in chunk if (a := known[i] or fetched.get(i)) is not None)
        return out


class _LoadedValues(ValuesView[Article]):
    def __init__(self, mapping: LazyArticles) -> None:
        super().__init__(mapping)
        self._lazy = mapping

    def __iter__(self) -> Iterator[Article]:
        return iter(self._lazy.load_all())
