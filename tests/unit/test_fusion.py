"""Score fusion: exact values on small arrays."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.retrieval.fusion import minmax, reciprocal_rank, weighted_sum, with_neighbours


def test_minmax_scales_and_handles_constants():
    assert minmax(np.array([2.0, 4.0, 3.0])).tolist() == [0.0, 1.0, 0.5]
    assert minmax(np.array([5.0, 5.0])).tolist() == [0.0, 0.0]


def test_weighted_sum_keeps_margins():
    fused = weighted_sum(np.array([0.0, 10.0, 9.0]), np.array([0.2, 0.2, 0.4]), 0.5)
    assert fused.tolist() == pytest.approx([0.0, 0.5, 0.95])


def test_reciprocal_rank():
    fused = reciprocal_rank([np.array([3.0, 2.0, 1.0]), np.array([1.0, 2.0, 3.0])], k=60)
    assert fused.tolist() == pytest.approx([1 / 61 + 1 / 63, 2 / 62, 1 / 63 + 1 / 61])


def test_neighbours_stay_inside_their_group():
    scores = np.array([1.0, 0.0, 0.5, 0.0])
    got = with_neighbours(scores, ["a", "a", "b", "b"], weight=0.3)
    assert got.tolist() == pytest.approx([1.0, 0.3, 0.5, 0.15])
