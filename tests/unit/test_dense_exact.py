"""Exact dense scores: a sentence's score is the best of the passages that hold it, whichever path."""

from __future__ import annotations

import numpy as np

from assistant.retrieval.dense import ExactDenseIndex


def _reference(vectors: np.ndarray, members: list[list[int]], size: int, query: np.ndarray) -> np.ndarray:
    out = np.full(size, -1.0)
    for p, group in enumerate(members):
        for i in group:
            out[i] = max(out[i], float(vectors[p] @ query))
    return out


def test_scores_are_the_best_passage_of_each_sentence() -> None:
    rng = np.random.default_rng(7)
    vectors = rng.standard_normal((6, 8)).astype(np.float32)
    query = rng.standard_normal(8).astype(np.float32)
    one_each = [[0], [1], [2], [3], [4], [5]]
    windows = [[0, 1], [1, 2], [2], [3, 4], [4, 5], [5]]  # passages of two sentences overlap
    for members in (one_each, windows):
        index = ExactDenseIndex(vectors, members, 6)
        assert np.allclose(index.scores(query), _reference(vectors, members, 6, query), atol=1e-6)
    # Extended by an add: the new passages' sentences come after the old ones.
    grown = ExactDenseIndex(vectors[:4], one_each[:4], 4).extended(vectors[4:], [[4], [5]], 6)
    assert np.allclose(grown.scores(query), _reference(vectors, one_each, 6, query), atol=1e-6)
    mixed = ExactDenseIndex(vectors[:4], one_each[:4], 4).extended(vectors[4:], [[3, 4], [5]], 6)
    assert np.allclose(mixed.scores(query), _reference(vectors, [*one_each[:4], [3, 4], [5]], 6, query))
    sparse = ExactDenseIndex(vectors[:2], [[0], [2]], 4)  # a sentence without a passage scores -1
    assert sparse.scores(query)[1] == -1.0 and sparse.scores(query)[3] == -1.0
