"""Exact library-wide dense search over int8 rows, the best candidates rescored in float32.

A large library's passage vectors do not fit the serving budget as float32
(290,000 × 384 × 4 bytes = 445 MB), and Chroma's HNSW index costs ~600 MB and
1.5-1.9 s to load on the first question (and misses passages among many
near-duplicates). Here every passage is scored against the query through its
int8 codes (one row of 384 bytes and a scale: ~110 MB at 290,000 passages,
memory-mapped from a cache file, see :mod:`assistant.library.matrix`), the
``n × widen`` best are scored again from their float32 vectors, and the ``n``
best of those are returned: the scores are float32 cosines, as exact search
gives, and int8's error (~3e-4 on a cosine, at most ~2e-3) only has to keep the
true ``n`` best among the ``n × widen`` best of the int8 scan.

Articles added since the file was written are kept as float32 rows in memory
(:class:`~assistant.retrieval.growth.GrowingRows`: an add appends, no copy of
the whole) and scored exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol

import numpy as np

from assistant.retrieval.base import Candidates
from assistant.retrieval.growth import GrowingRows

#: Rows scanned per step: int8 → float32 in a buffer that stays in the CPU's cache.
CHUNK = 1024
#: At most this × the rows first rescored are rescored again for being within int8's error of the
#: cutoff. Such bands are mostly exact copies of a sentence (wire stories; the bench library repeats
#: each sentence ~180 times), whose scores are equal: rescoring all of them (20,000 rows at 290,000
#: passages) cost ~75 ms a question and changed nothing.
BAND = 4


class QuantisedRows(Protocol):
    """int8 rows with a scale each (row ≈ codes × scale), and their float32 originals on demand."""

    codes: np.ndarray
    scales: np.ndarray

    def exact(self, rows: np.ndarray) -> np.ndarray | None:
        """The float32 vectors of ``rows``; None when they cannot be read intact (a damaged file)."""
        ...


#: ``fallback(positions)``: float32 vectors of the passages at these sentence positions, read elsewhere.
Fallback = Callable[[np.ndarray], np.ndarray]


class MappedDenseIndex:
    """A :class:`~assistant.retrieval.base.DenseIndex` over quantised rows and a float32 tail.

    One passage per sentence (passage window 1): ``positions[r]`` is the scope position of base
    row ``r`` (-1 for a row whose article is no longer in the scope), and the tail's rows are the
    passages at ``tail_positions``.
    """

    def __init__(
        self,
        base: QuantisedRows,
        positions: np.ndarray,
        size: int,
        fallback: Fallback,
        widen: int = 2,
        tail: tuple[GrowingRows, GrowingRows, int] | None = None,
        articles: frozenset[str] = frozenset(),
    ) -> None:
        self.size = size
        #: The IDs of the articles searched (what an extension need not add again).
        self.articles = articles
        self.base = base
        self._positions = positions
        self._live = positions >= 0
        self._fallback = fallback
        self._widen = widen
        width = base.codes.shape[1] if base.codes.ndim == 2 else 0
        self._tail = tail or (GrowingRows(width), GrowingRows(1, np.int64), 0)

    @property
    def dead_rows(self) -> int:
        """Base rows of articles no longer in the scope."""
        return int(len(self._positions) - np.count_nonzero(self._live))

    @property
    def tail_rows(self) -> int:
        """Rows kept in memory: articles added since the base was written."""
        return self._tail[2]

    def extended(
        self, vectors: np.ndarray, positions: np.ndarray, size: int, articles: Iterable[str]
    ) -> MappedDenseIndex:
        """A new index with more passages (new articles' sentences, past this scope's positions)."""
        rows, where, length = self._tail
        rows, end = rows.append(np.asarray(vectors, dtype=np.float32), length)
        where, _ = where.append(np.asarray(positions, dtype=np.int64).reshape(-1, 1), length)
        return MappedDenseIndex(
            self.base, self._positions, size, self._fallback, self._widen, (rows, where, end),
            self.articles.union(articles),
        )

    def search(self, query_vector: np.ndarray, n: int) -> Candidates:
        q = np.ascontiguousarray(query_vector, dtype=np.float32)
        positions, scores = [], []
        if len(self._positions):
            pos, sc = self._base_search(q, max(1, n))
            positions.append(pos)
            scores.append(sc)
        rows, where, length = self._tail
        if length:
            positions.append(where.view(length)[:, 0])
            scores.append((rows.view(length) @ q).astype(np.float64))
        if not positions:
            return Candidates(np.zeros(0, dtype=np.int64), np.zeros(0))
        all_positions = np.concatenate(positions)
        found = Candidates.top(np.concatenate(scores), n)
        return Candidates(all_positions[found.positions], found.scores)

    def _base_search(self, q: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
        approx = self.approximate(q)
        approx[~self._live] = -np.inf
        live = int(np.count_nonzero(self._live))
        m = min(n * self._widen, live)
        if m == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        rows = np.argpartition(-approx, m - 1)[:m] if m < len(approx) else np.flatnonzero(self._live)
        rows, scores = self._rescored(rows, q)
        if len(scores) >= n and m < live:
            # Rows the scan ranked lower may still beat the n-th exact score by int8's error (many
            # near-duplicates within it, say): rescore every row within twice the largest error
            # seen among the rescored ones. Measured error, not the worst case (which is ~30× it).
            cutoff = np.partition(scores, len(scores) - n)[len(scores) - n]
            margin = 2 * float(np.abs(approx[rows] - scores).max()) + 1e-6
            near = np.flatnonzero(approx >= cutoff - margin)
            more = np.setdiff1d(near, rows, assume_unique=True)
            cap = BAND * self._widen * n
            if len(more) > cap:  # mostly copies of a sentence (equal codes, equal scores): its best
                more = more[np.argpartition(-approx[more], cap - 1)[:cap]]
            if len(more):
                extra_rows, extra_scores = self._rescored(more, q)
                rows, scores = np.concatenate([rows, extra_rows]), np.concatenate([scores, extra_scores])
        return self._positions[rows], scores

    def _rescored(self, rows: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``rows`` (sorted: the float32 reads go forward through the file) and their exact scores."""
        rows = np.sort(rows)
        vectors = self.base.exact(rows)
        if vectors is None:  # the float32 part is damaged: the same vectors from elsewhere
            vectors = self._fallback(self._positions[rows])
        return rows, (vectors @ q).astype(np.float64)

    def approximate(self, q: np.ndarray) -> np.ndarray:
        """Every base row's int8 score (its cosine to within int8's rounding)."""
        codes = self.base.codes
        out = np.empty(len(codes), dtype=np.float32)
        buffer = np.empty((CHUNK, codes.shape[1]), dtype=np.float32)
        for first in range(0, len(codes), CHUNK):
            end = min(len(codes), first + CHUNK)
            block = buffer[: end - first]
            np.copyto(block, codes[first:end], casting="unsafe")
            np.matmul(block, q, out=out[first:end])
        out *= self.base.scales
        return out


def quantise(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """int8 codes and a float32 scale per row (symmetric: the row's largest magnitude is ±127).

    Deterministic, so a float32 row read back can be checked against its stored codes.
    """
    v = np.asarray(vectors, dtype=np.float32)
    if not len(v):
        return np.zeros(v.shape, dtype=np.int8), np.zeros(0, dtype=np.float32)
    scales = (np.abs(v).max(axis=1) / np.float32(127)).astype(np.float32)
    safe = np.where(scales > 0, scales, np.float32(1))
    codes = np.rint(v / safe[:, None]).clip(-127, 127).astype(np.int8)
    return codes, scales
