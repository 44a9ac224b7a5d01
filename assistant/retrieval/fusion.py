"""Score fusion for hybrid retrieval, as pure functions over numpy arrays."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def minmax(scores: np.ndarray) -> np.ndarray:
    """Scale to 0..1; a constant array maps to zeros (it ranks nothing)."""
    if scores.size == 0:
        return scores.astype(np.float64)
    low, high = float(scores.min()), float(scores.max())
    if high - low < 1e-12:
        return np.zeros_like(scores, dtype=np.float64)
    return (scores - low) / (high - low)


def weighted_sum(lexical: np.ndarray, dense: np.ndarray, lexical_weight: float = 0.5) -> np.ndarray:
    """Fuse min-max-normalised scores; keeps each signal's margins (RRF drops them)."""
    return lexical_weight * minmax(lexical) + (1.0 - lexical_weight) * minmax(dense)


def reciprocal_rank(rankings: Sequence[np.ndarray], k: int = 60) -> np.ndarray:
    """Reciprocal-rank fusion of several score arrays over the same items."""
    fused = np.zeros(len(rankings[0]), dtype=np.float64)
    for scores in rankings:
        order = np.argsort(-scores, kind="stable")
        ranks = np.empty(len(scores), dtype=np.int64)
        ranks[order] = np.arange(1, len(scores) + 1)
        fused += 1.0 / (k + ranks)
    return fused


def with_neighbours(scores: np.ndarray, groups: Sequence[str], weight: float = 0.3) -> np.ndarray:
    """Add ``weight`` × the best adjacent sentence's score (same group only).

    A sentence next to a strong match often carries the answer ("the name in
    one sentence and the fact in the next"); the sentence is still cited alone.
    """
    out = scores.astype(np.float64).copy()
    for i in range(len(scores)):
        best = 0.0
        if i > 0 and groups[i - 1] == groups[i]:
            best = max(best, float(scores[i - 1]))
        if i + 1 < len(scores) and groups[i + 1] == groups[i]:
            best = max(best, float(scores[i + 1]))
        out[i] += weight * best
    return out
