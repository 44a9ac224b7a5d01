"""Exact search over int8 rows rescored in float32 returns exact search's candidates; growth never
copies an older snapshot's rows away."""

from __future__ import annotations

import numpy as np

from assistant.retrieval.dense import ExactDenseIndex
from assistant.retrieval.growth import GrowingRows
from assistant.retrieval.mapped import MappedDenseIndex, quantise


class _Rows:
    """In-memory QuantisedRows; ``broken`` makes the float32 read fail (a damaged file)."""

    def __init__(self, vectors: np.ndarray, broken: bool = False) -> None:
        self.vectors = vectors
        self.codes, self.scales = quantise(vectors)
        self.broken = broken

    def exact(self, rows: np.ndarray) -> np.ndarray | None:
        return None if self.broken else self.vectors[rows]


def _unit(rng: np.random.Generator, n: int, d: int = 32) -> np.ndarray:
    v = rng.standard_normal((n, d)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _exact_top(
    vectors: np.ndarray, positions: np.ndarray, size: int, q: np.ndarray, n: int
) -> dict[int, float]:
    keep = positions >= 0
    index = ExactDenseIndex(vectors[keep], [[int(p)] for p in positions[keep]], size)
    found = index.search(q, n)
    return dict(zip(found.positions.tolist(), found.scores.tolist(), strict=True))


def test_the_same_candidates_and_scores_as_exact_search() -> None:
    rng = np.random.default_rng(3)
    vectors = _unit(rng, 3000)
    # Near-duplicates: many rows closer to each other than int8's error (and where an HNSW graph
    # loses some); their cosines to a query still differ by more than float32's rounding.
    vectors[1000:1200] = vectors[7] + 2e-2 * _unit(rng, 200)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    positions = np.arange(3000, dtype=np.int64)[::-1].copy()  # file order is not scope order
    positions[[5, 50, 500]] = -1  # articles removed since the file was written
    index = MappedDenseIndex(_Rows(vectors), positions, 3000, fallback=lambda p: vectors[3000 - 1 - p])
    for q in [vectors[7], vectors[1234], *_unit(rng, 20)]:
        found = index.search(q, 40)
        want = _exact_top(vectors, positions, 3000, q, 40)
        got = dict(zip(found.positions.tolist(), found.scores.tolist(), strict=True))
        assert set(got) == set(want)
        assert all(abs(got[p] - want[p]) < 1e-6 for p in want)


def test_a_damaged_float32_part_falls_back_and_tail_rows_are_searched() -> None:
    rng = np.random.default_rng(5)
    vectors = _unit(rng, 500)
    positions = np.arange(400, dtype=np.int64)
    base = MappedDenseIndex(_Rows(vectors[:400], broken=True), positions, 400, fallback=lambda p: vectors[p])
    grown = base.extended(vectors[400:450], np.arange(400, 450), 450, ["a"])
    grown = grown.extended(vectors[450:], np.arange(450, 500), 500, ["b"])
    older = base.extended(vectors[400:420], np.arange(400, 420), 420, ["c"])  # a branch: copied
    q = vectors[470]
    found = grown.search(q, 10)
    want = _exact_top(vectors, np.arange(500), 500, q, 10)
    assert set(found.positions.tolist()) == set(want) and int(found.positions[np.argmax(found.scores)]) == 470
    assert older.tail_rows == 20 and grown.tail_rows == 100 and grown.articles == {"a", "b"}
    want = _exact_top(vectors[:420], np.arange(420), 420, q, 5)
    assert set(older.search(q, 5).positions.tolist()) == set(want)


def test_growth_appends_in_place_and_keeps_older_snapshots() -> None:
    rows = GrowingRows.of(np.zeros((4, 2), dtype=np.float32))
    first = rows.view(4)
    same, length = rows.append(np.ones((3, 2), dtype=np.float32), 4)
    assert same is rows and length == 7 and first.shape == (4, 2) and not first.any()
    capacity = len(same._rows)
    for i in range(100):  # geometric growth: few reallocations
        same, length = same.append(np.full((1, 2), i, dtype=np.float32), length)
    assert len(same._rows) >= length and len(same._rows) < 4 * length and capacity < len(same._rows)
    branch, n = rows.append(np.full((1, 2), -1, dtype=np.float32), 5)  # from an older snapshot
    assert branch is not same and n == 6 and branch.view(6)[5, 0] == -1 and same.view(6)[5, 0] == 1


def test_exact_index_growth_gives_the_scores_of_a_rebuild() -> None:
    rng = np.random.default_rng(9)
    vectors = _unit(rng, 60)
    q = _unit(rng, 1)[0]
    index = ExactDenseIndex(vectors[:10], [[i] for i in range(10)], 10)
    snapshots = [index]
    for end in range(15, 61, 5):
        index = index.extended(vectors[end - 5 : end], [[i] for i in range(end - 5, end)], end)
        snapshots.append(index)
    rebuilt = ExactDenseIndex(vectors, [[i] for i in range(60)], 60)
    assert np.allclose(index.scores(q), rebuilt.scores(q), atol=1e-6)
    assert np.allclose(snapshots[3].scores(q), rebuilt.scores(q)[:25], atol=1e-6)
