"""The retrieval contracts: indexes that return top-N candidate lists.

A scope (one article, or the library) numbers its sentences 0..size-1 in
article order; both kinds of index answer with the positions of their best
candidates and a score each. Fusion (:mod:`assistant.retrieval.fusion`)
combines the lists, so an approximate-nearest-neighbour index can replace
exact search without touching anything else (txtai's hybrid search works
the same way).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np


@dataclass(frozen=True, slots=True)
class Candidates:
    """Sentence positions in the scope and their scores (higher is better), same length."""

    positions: np.ndarray
    scores: np.ndarray

    @classmethod
    def top(cls, scores: np.ndarray, n: int) -> Candidates:
        """The ``n`` best of a full score array; every position, in order, when ``n`` covers it."""
        if n >= len(scores):
            return cls(np.arange(len(scores), dtype=np.int64), scores.astype(np.float64))
        best = np.argpartition(-scores, n - 1)[:n]
        return cls(best.astype(np.int64), scores[best].astype(np.float64))

    def __len__(self) -> int:
        return len(self.positions)


@runtime_checkable
class LexicalIndex(Protocol):
    """Keyword scores (BM25 or the like) over a scope's sentences."""

    size: int

    def search(self, query_terms: Sequence[str], n: int) -> Candidates:
        """The ``n`` best sentences for the stemmed query terms."""
        ...

    def coverage(self, query_terms: Sequence[str], position: int) -> float:
        """IDF-weighted share of the query's terms that the sentence holds (0..1)."""
        ...


@runtime_checkable
class DenseIndex(Protocol):
    """Vector similarity over a scope's sentences (a sentence scores as its best passage)."""

    size: int

    def search(self, query_vector: np.ndarray, n: int) -> Candidates:
        """The ``n`` sentences nearest to the query vector, scored by cosine similarity."""
        ...
