"""The dense-index contract: every registered dense index finds what exact search finds.

On small data an index (exact or approximate) must return the same top-k as
brute-force cosine similarity, scored by that similarity.
"""

from __future__ import annotations

import numpy as np
import pytest

from assistant.registry import DENSE


def _unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


@pytest.mark.parametrize("name", sorted(DENSE))
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_same_top_k_as_exact_search(name, seed):
    rng = np.random.default_rng(seed)
    vectors = _unit(rng.normal(size=(300, 16)))
    members = [[i] for i in range(300)]
    index = DENSE[name](vectors, members, 300)
    for _ in range(5):
        query = _unit(rng.normal(size=(1, 16)))[0]
        exact = vectors @ query
        got = index.search(query, 10)
        order = np.argsort(-got.scores)
        assert list(got.positions[order]) == list(np.argsort(-exact)[:10])
        assert np.allclose(got.scores[order], np.sort(exact)[::-1][:10], atol=1e-5)


@pytest.mark.parametrize("name", sorted(DENSE))
def test_a_sentence_scores_as_its_best_passage(name):
    # Two passages of two sentences each, overlapping on sentence 1.
    vectors = _unit(np.array([[1.0, 0.0], [0.0, 1.0]]))
    index = DENSE[name](vectors, [[0, 1], [1, 2]], 3)
    got = index.search(np.array([1.0, 0.0], dtype=np.float32), 3)
    scores = dict(zip(got.positions.tolist(), got.scores.tolist(), strict=True))
    assert scores[0] == pytest.approx(1.0) and scores[1] == pytest.approx(1.0)
    assert scores[2] == pytest.approx(0.0)
