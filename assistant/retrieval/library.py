"""The library-wide scope's index: saved BM25 segments and a dense index, extended on every add.

:func:`library_index` builds the :class:`~assistant.retrieval.hybrid.HybridIndex`
of a library from its BM25 segments (kept on disk by
:mod:`assistant.library.segments`): the dense side searches Chroma's HNSW index
(``retrieval.library_dense = "chroma"``, once the library holds
``ann_min_passages``) or the loaded vectors exactly.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from assistant.retrieval.ann import ChromaDenseIndex
from assistant.retrieval.base import DenseIndex
from assistant.retrieval.dense import ExactDenseIndex
from assistant.retrieval.hybrid import HybridIndex
from assistant.retrieval.mapped import MappedDenseIndex
from assistant.retrieval.postings import LibraryBM25
from assistant.settings import RetrievalSettings
from index.store import ChromaStore

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LibraryIndex:
    """A library's hybrid index and its two sides (kept to extend it on the next add)."""

    lexical: LibraryBM25
    dense: DenseIndex
    index: HybridIndex


#: ``vectors(ids)`` → each article's passages (sentence IDs) and their vectors.
Vectors = Callable[[Sequence[str]], Mapping[str, tuple[list[tuple[str, ...]], np.ndarray]]]
#: ``mapped(lexical, previous)`` → the library's mapped dense index, ``previous`` (an index of a
#: prefix of ``lexical``'s articles) extended when given; None: no matrix file could be written.
Mapped = Callable[[LibraryBM25, MappedDenseIndex | None], MappedDenseIndex | None]


def library_index(
    lexical: LibraryBM25,
    store: ChromaStore,
    settings: RetrievalSettings,
    vectors: Vectors,
    window: int,
    previous: LibraryIndex | None = None,
    mapped: Mapped | None = None,
) -> LibraryIndex:
    """The hybrid index of a library whose BM25 side is ``lexical``.

    ``previous``, an index of a prefix of ``lexical``'s segments, lends its
    loaded vectors to the exact dense side, so an add reads only the new ones.
    """
    dense: DenseIndex | None = None
    # Every sentence starts one passage (index.passages), so no count needs reading.
    stored = lexical.size
    large = stored >= settings.ann_min_passages
    if large and settings.library_dense == "mapped" and window == 1 and mapped is not None:
        grown = previous.dense if previous and isinstance(previous.dense, MappedDenseIndex) else None
        dense = mapped(lexical, grown)
        if dense is None:
            log.warning("no matrix file could be written: library-wide questions use Chroma's index")
    if dense is None and large and settings.library_dense in ("chroma", "mapped"):
        dense = store_dense_index(lexical, store, window, stored)
    elif dense is None:
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


