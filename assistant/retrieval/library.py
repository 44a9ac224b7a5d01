"""The library-wide scope: saved BM25 segments and a dense index, extended on every add.

:class:`PostingsCache` keeps :class:`~assistant.retrieval.postings.Segment`
files in a folder per store. Opening the library loads them (one file when
compacted), tokenises only the articles no file holds, and writes those as a
new file; when there are more than :data:`MAX_FILES` files they are merged
into one. A file is named by its articles (content hashes), written to a
temporary name and renamed, so processes sharing the folder never see half a
file; a file that is damaged (:func:`assistant.files.read_checked`: length
and a checksum over its name and bytes) is ignored, deleted and its articles
tokenised again, so a flipped byte never changes a score.

:func:`library_index` builds the :class:`~assistant.retrieval.hybrid.HybridIndex`
of a library from the segments: the dense side searches Chroma's HNSW index
(``retrieval.library_dense = "chroma"``, once the library holds
``ann_min_passages``) or the loaded vectors exactly.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, ValuesView
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

import numpy as np

from assistant.files import discard, read_checked, write_checked
from assistant.retrieval.ann import ChromaDenseIndex
from assistant.retrieval.base import DenseIndex
from assistant.retrieval.dense import ExactDenseIndex
from assistant.retrieval.hybrid import HybridIndex
from assistant.retrieval.postings import FORMAT, LibraryBM25, Segment
from assistant.settings import RetrievalSettings
from index.models import Article
from index.store import ChromaStore

log = logging.getLogger(__name__)

#: More saved segment files than this are merged into one when the library opens.
MAX_FILES = 8
#: Articles tokenised per new segment when the cache misses many.
BUILD_CHUNK = 500
#: The kind and format of a segment file (in its header).
KIND = f"bm25-segment/{FORMAT}"

V = TypeVar("V")

#: ``fetch(ids)`` → those stored articles, by ID.
Fetch = Callable[[Sequence[str]], Mapping[str, Article]]


def cache_folder(cache_dir: Path, store_key: str) -> Path:
    """The segment folder of one store; the tokeniser's source is part of the name."""
    from assistant.analysis import text

    tokeniser = hashlib.sha256(Path(text.__file__).read_bytes()).hexdigest()[:12]
    return cache_dir / "bm25" / f"v{FORMAT}-{tokeniser}" / hashlib.sha256(store_key.encode()).hexdigest()[:16]


class PostingsCache:
    """Saved segments of one store's articles."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def save(self, segment: Segment) -> None:
        """Write ``segment`` (best effort: a read-only cache only costs time later)."""
        write_checked(self.folder / f"{segment.key}.npz", KIND, segment.to_bytes())

    def segments(self, wanted: Sequence[str], fetch: Fetch) -> list[Segment]:
        """Segments covering exactly the articles ``wanted`` (in any order), built where missing."""
        want = set(wanted)
        found: list[Segment] = []
        covered: set[str] = set()
        used: list[Path] = []
        for path, segment in self._files():
            ids = segment.article_ids
            if not want.intersection(ids) or covered.issuperset(ids):
                continue
            extra = set(ids) - want
            if len(extra) > len(ids) // 2:
                continue  # mostly other articles (removed ones): cheaper to tokenise ours again
            segment = segment.without(extra | covered)
            found.append(segment)
            covered.update(segment.article_ids)
            if not extra:
                used.append(path)
        missing = [i for i in wanted if i not in covered]
        for first in range(0, len(missing), BUILD_CHUNK):
            chunk = missing[first : first + BUILD_CHUNK]
            articles = fetch(chunk)
            segment = Segment.build([articles[i] for i in chunk if i in articles])
            self.save(segment)
            found.append(segment)
        if len(found) > MAX_FILES:
            merged = Segment.merge(found)
            self.save(merged)
            for path in used:
                if path.name != f"{merged.key}.npz":
                    with contextlib.suppress(OSError):
                        path.unlink()
            found = [merged]
        return found

    def _files(self) -> list[tuple[Path, Segment]]:
        """Saved intact segments, largest first (damaged ones are logged and deleted)."""
        if not self.folder.is_dir():
            return []
        out = []
        for path in sorted(self.folder.glob("*.npz"), key=_size_descending):
            payload = read_checked(path, KIND)
            if payload is None:
                continue
            try:
                out.append((path, Segment.from_bytes(payload, str(path))))
            except ValueError as e:  # intact bytes that are no segment: a writer's bug, not damage
                discard(path, str(e))
        return out


def _size_descending(path: Path) -> int:
    try:
        return -path.stat().st_size
    except OSError:  # deleted by another process since the listing
        return 0


@dataclass(frozen=True, slots=True)
class LibraryIndex:
    """A library's hybrid index and its two sides (kept to extend it on the next add)."""

    lexical: LibraryBM25
    dense: DenseIndex
    index: HybridIndex


#: ``vectors(ids)`` → each article's passages (sentence IDs) and their vectors.
Vectors = Callable[[Sequence[str]], Mapping[str, tuple[list[tuple[str, ...]], np.ndarray]]]


def library_index(
    lexical: LibraryBM25,
    store: ChromaStore,
    settings: RetrievalSettings,
    vectors: Vectors,
    window: int,
    previous: LibraryIndex | None = None,
) -> LibraryIndex:
    """The hybrid index of a library whose BM25 side is ``lexical``.

    ``previous``, an index of a prefix of ``lexical``'s segments, lends its
    loaded vectors to the exact dense side, so an add reads only the new ones.
    """
    dense: DenseIndex
    # Every sentence starts one passage (index.passages), so no count needs reading.
    stored = lexical.size
    if settings.library_dense == "chroma" and stored >= settings.ann_min_passages:
        dense = store_dense_index(lexical, store, window, stored)
    else:
        base = previous.dense if previous and isinstance(previous.dense, ExactDenseIndex) else None
        known = set(previous.lexical.article_ids) if base is not None and previous else set()
        ids = [i for i in lexical.article_ids if i not in known]
        matrix, members = _passages(lexical, ids, vectors(ids), store.fingerprint.dimension)
        dense = (
            base.extended(matrix, members, lexical.size)
            if base is not None
            else ExactDenseIndex(matrix, members, lexical.size)
        )
    return LibraryIndex(lexical, dense, HybridIndex((), lexical, dense, settings, layout=lexical))


def _passages(
    lexical: LibraryBM25,
    ids: Sequence[str],
    stored: Mapping[str, tuple[list[tuple[str, ...]], np.ndarray]],
    dimension: int,
) -> tuple[np.ndarray, list[list[int]]]:
    rows, members = [], []
    for article_id in ids:
        groups, matrix = stored[article_id]
        for group, row in zip(groups, matrix, strict=True):
            places = [lexical.position(article_id, sid) for sid in group]
            members.append([p for p in places if p is not None])
            rows.append(row)
    return (np.vstack(rows) if rows else np.zeros((0, dimension), dtype=np.float32)), members


def store_dense_index(lexical: LibraryBM25, store: ChromaStore, window: int, stored: int) -> ChromaDenseIndex:
    """Dense search of the whole library through the store's HNSW index (``stored`` passages)."""

    def by_id(query_vector: np.ndarray, n: int) -> list[tuple[list[int], float]]:
        # One sentence per passage: the passage ID names it, so no metadata is read.
        out = []
        for passage_id, similarity in store.nearest_passages(query_vector, n, stored):
            article_id, _, sentence_id = passage_id.rpartition(":")
            place = lexical.position(article_id, sentence_id)
            if place is not None:  # None: an article added elsewhere since this snapshot
                out.append(([place], similarity))
        return out

    def search(query_vector: np.ndarray, n: int) -> list[tuple[list[int], float]]:
        out = []
        for hit in store.query(query_vector, n):
            places = [lexical.position(hit.article_id, sid) for sid in hit.sentence_ids]
            kept = [p for p in places if p is not None]  # a passage of an article added elsewhere since
            if kept:
                out.append((kept, hit.similarity))
        return out

    return ChromaDenseIndex(by_id if window == 1 else search, lexical.size, window)


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
