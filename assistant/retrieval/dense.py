"""Exact dense search: one matrix product over the scope's passage vectors."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from assistant.retrieval.base import Candidates
from assistant.retrieval.growth import GrowingRows


class ExactDenseIndex:
    """A :class:`~assistant.retrieval.base.DenseIndex` by brute force (numpy).

    ``vectors`` holds one unit row per passage and ``members[p]`` the sentence
    positions passage ``p`` covers (one each when passages are sentences).
    Extended by each add without copying the whole matrix
    (:class:`~assistant.retrieval.growth.GrowingRows`: amortised growth).
    """

    def __init__(self, vectors: np.ndarray, members: Sequence[Sequence[int]], size: int) -> None:
        if len(vectors) != len(members):
            raise ValueError("one vector per passage is needed")
        self.size = size
        self._vectors = vectors
        # Flattened (passage, sentence position) pairs, so scoring is one numpy call per query.
        self._owner = np.array([p for p, group in enumerate(members) for _ in group], dtype=np.int64)
        self._position = np.array([i for group in members for i in group], dtype=np.int64)
        self._direct = _one_passage_each(self._position)
        self._grown: tuple[GrowingRows, GrowingRows, GrowingRows] | None = None

    def search(self, query_vector: np.ndarray, n: int) -> Candidates:
        return Candidates.top(self.scores(query_vector), n)

    def extended(self, vectors: np.ndarray, members: Sequence[Sequence[int]], size: int) -> ExactDenseIndex:
        """A new index with more passages (of sentences at positions past this scope's)."""
        if len(vectors) != len(members):
            raise ValueError("one vector per passage is needed")
        first, pairs = len(self._vectors), len(self._owner)
        rows, owner, position = self._grown or (
            GrowingRows.of(np.asarray(self._vectors, dtype=np.float32)),
            GrowingRows.of(self._owner.reshape(-1, 1)),
            GrowingRows.of(self._position.reshape(-1, 1)),
        )
        new_owner = np.array([first + p for p, group in enumerate(members) for _ in group], dtype=np.int64)
        new_position = np.array([i for g in members for i in g], dtype=np.int64)
        added = np.asarray(vectors, dtype=np.float32).reshape(-1, self._vectors.shape[1])
        rows, end = rows.append(added, first)
        owner, count = owner.append(new_owner.reshape(-1, 1), pairs)
        position, _ = position.append(new_position.reshape(-1, 1), pairs)
        grown = ExactDenseIndex.__new__(ExactDenseIndex)
        grown.size = size
        grown._vectors = rows.view(end)
        grown._owner = owner.view(count)[:, 0]
        grown._position = position.view(count)[:, 0]
        # New sentences come after the old ones: one passage each still holds if it holds among them.
        grown._direct = self._direct and _one_passage_each(new_position)
        grown._grown = (rows, owner, position)
        return grown

    def scores(self, query_vector: np.ndarray) -> np.ndarray:
        """Cosine per sentence: the best of the passages that hold it."""
        passage_scores = (self._vectors @ query_vector.astype(np.float32)).astype(np.float64)
        dense = np.full(self.size, -1.0, dtype=np.float64)
        if self._direct:  # each sentence in one passage (window 1): its score, without ufunc.at's cost
            dense[self._position] = np.maximum(passage_scores[self._owner], -1.0)
        else:
            np.maximum.at(dense, self._position, passage_scores[self._owner])
        return dense


def _one_passage_each(positions: np.ndarray) -> bool:
    """True when no sentence position is in two passages (its score is then its one passage's)."""
    return len(np.unique(positions)) == len(positions)
