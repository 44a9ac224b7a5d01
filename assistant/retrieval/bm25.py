"""BM25 over a scope's sentences (bm25s), with IDF-weighted term coverage."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np

from assistant.retrieval.base import Candidates


class BM25Index:
    """A :class:`~assistant.retrieval.base.LexicalIndex` over stemmed sentence terms."""

    def __init__(self, tokens: Sequence[Sequence[str]]) -> None:
        import bm25s

        self.size = len(tokens)
        self._tokens = [set(t) for t in tokens]
        self._bm25 = bm25s.BM25()
        # bm25s needs at least one token per document.
        self._bm25.index([list(t) or [""] for t in tokens], show_progress=False)
        df: Counter[str] = Counter(t for terms in self._tokens for t in terms)
        n = self.size
        self._idf = {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in df.items()}
        self._unseen_idf = math.log(1 + (n + 0.5) / 0.5)

    def search(self, query_terms: Sequence[str], n: int) -> Candidates:
        if not query_terms or not self.size:
            return Candidates(np.zeros(0, dtype=np.int64), np.zeros(0))
        scores = np.asarray(self._bm25.get_scores(list(query_terms)), dtype=np.float64)
        return Candidates.top(scores, n)

    def coverage(self, query_terms: Sequence[str], position: int) -> float:
        unique = set(query_terms)
        if not unique:
            return 0.0
        present = self._tokens[position]
        total = sum(self._idf.get(t, self._unseen_idf) for t in unique)
        found = sum(self._idf.get(t, self._unseen_idf) for t in unique if t in present)
        return found / total
