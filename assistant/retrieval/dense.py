"""Exact dense search: one matrix product over the scope's passage vectors."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from assistant.retrieval.base import Candidates


class ExactDenseIndex:
    """A :class:`~assistant.retrieval.base.DenseIndex` by brute force (numpy).

    ``vectors`` holds one unit row per passage and ``members[p]`` the sentence
    positions passage ``p`` covers (one each when passages are sentences).
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

    def search(self, query_vector: np.ndarray, n: int) -> Candidates:
        return Candidates.top(self.scores(query_vector), n)

    def extended(self, vectors: np.ndarray, members: Sequence[Sequence[int]], size: int) -> ExactDenseIndex:
        """A new index with more passages (of sentences at positions past this scope's)."""
        if len(vectors) != len(members):
            raise ValueError("one vector per passage is needed")
        grown = ExactDenseIndex.__new__(ExactDenseIndex)
        grown.size = size
        grown._vectors = np.vstack([self._vectors, vectors]) if len(vectors) else self._vectors
        first = len(self._vectors)
        grown._owner = np.concatenate(
            [self._owner, [first + p for p, group in enumerate(members) for _ in group]]
        ).astype(np.int64)
        grown._position = np.concatenate([self._position, [i for g in members for i in g]]).astype(np.int64)
        grown._direct = _one_passage_each(grown._position)
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
