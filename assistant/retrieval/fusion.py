"""Score fusion for hybrid retrieval: pure functions over candidate lists and arrays.

:func:`fuse` aligns the lexical and dense candidate lists on the union of
their positions (a candidate missing from one list takes that list's lowest
score) and combines them. When both lists cover the whole scope, as they do
for one article, this is exactly fusion over full score arrays.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assistant.retrieval.base import Candidates


@dataclass(frozen=True, slots=True)
class Fused:
    """Aligned arrays over the union of candidates, in position order."""

    positions: np.ndarray
    fused: np.ndarray
    lexical: np.ndarray
    dense: np.ndarray


def align(candidates: Candidates, positions: np.ndarray) -> np.ndarray:
    """The candidates' scores at ``positions``; the list's lowest score where it has none."""
    floor = float(candidates.scores.min()) if len(candidates) else 0.0
    out = np.full(len(positions), floor, dtype=np.float64)
    if len(candidates):
        where = np.searchsorted(positions, candidates.positions)
        out[where] = candidates.scores
    return out


def fuse(
    lexical: Candidates,
    dense: Candidates,
    groups: Sequence[str],
    method: str = "weighted",
    lexical_weight: float = 0.5,
    neighbour_weight: float = 0.3,
) -> Fused:
    """Combine two candidate lists; ``groups[p]`` is the article of scope position ``p``."""
    positions = np.union1d(lexical.positions, dense.positions).astype(np.int64)
    lex = align(lexical, positions)
    den = align(dense, positions)
    if method == "rrf":
        fused = reciprocal_rank([lex, den])
    else:
        fused = weighted_sum(lex, den, lexical_weight)
        fused = with_neighbours(fused, [groups[p] for p in positions], neighbour_weight, positions)
    return Fused(positions, fused, lex, den)


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


def with_neighbours(
    scores: np.ndarray,
    groups: Sequence[str],
    weight: float = 0.3,
    positions: np.ndarray | None = None,
) -> np.ndarray:
    """Add ``weight`` × the best adjacent sentence's score (same group only).

    A sentence next to a strong match often carries the answer ("the name in
    one sentence and the fact in the next"); the sentence is still cited alone.
    With ``positions`` (sorted scope positions of the entries), only entries
    whose positions are consecutive are neighbours; a neighbour that is not a
    candidate adds nothing.
    """
    out = scores.astype(np.float64).copy()
    for i in range(len(scores)):
        best = 0.0
        if i > 0 and groups[i - 1] == groups[i] and _adjacent(positions, i - 1, i):
            best = max(best, float(scores[i - 1]))
        if i + 1 < len(scores) and groups[i + 1] == groups[i] and _adjacent(positions, i, i + 1):
            best = max(best, float(scores[i + 1]))
        out[i] += weight * best
    return out


def _adjacent(positions: np.ndarray | None, a: int, b: int) -> bool:
    return positions is None or int(positions[b]) - int(positions[a]) == 1
