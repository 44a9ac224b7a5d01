"""Hybrid sentence retrieval over one scope: lexical and dense candidates, fused.

A :class:`HybridIndex` is an immutable snapshot of one scope (one article or
the library): built once, then safe to search from many threads.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from assistant.analysis.text import terms
from assistant.retrieval.base import DenseIndex, LexicalIndex
from assistant.retrieval.fusion import fuse
from assistant.settings import RetrievalSettings
from assistant.types import Hit
from index.models import Article, Sentence


class HybridIndex:
    """The sentences of some articles, searchable by words and by meaning."""

    def __init__(
        self,
        articles: Sequence[Article],
        lexical: LexicalIndex,
        dense: DenseIndex,
        settings: RetrievalSettings | None = None,
    ) -> None:
        self.articles = tuple(articles)
        self._refs = [(a.id, s.id) for a in self.articles for s in a.sentences]
        self._groups = [a.id for a in self.articles for _ in a.sentences]
        if lexical.size != len(self._refs) or dense.size != len(self._refs):
            raise ValueError("the lexical and dense indexes must cover the scope's sentences")
        self._lexical = lexical
        self._dense = dense
        self._settings = settings or RetrievalSettings()

    def __len__(self) -> int:
        return len(self._refs)

    def search(self, query: str, query_vector: np.ndarray, k: int) -> list[Hit]:
        """The ``k`` best sentences for ``query``, best first."""
        if not self._refs:
            return []
        s = self._settings
        q_terms = terms(query)
        pool = max(s.pool, k)
        got = fuse(
            self._lexical.search(q_terms, pool),
            self._dense.search(query_vector, pool),
            self._groups,
            s.fusion,
            s.lexical_weight,
            s.neighbour_weight,
        )
        top_lexical = got.lexical.max() if len(got.lexical) else 0.0
        lexical_norm = got.lexical / top_lexical if top_lexical > 0 else got.lexical
        order = np.argsort(-got.fused, kind="stable")[:k]
        hits = []
        for i in order:
            position = int(got.positions[i])
            article_id, sentence_id = self._refs[position]
            hits.append(
                Hit(
                    article_id=article_id,
                    sentence_id=sentence_id,
                    score=float(got.fused[i]),
                    lexical=float(lexical_norm[i]),
                    dense=float(got.dense[i]),
                    coverage=self._lexical.coverage(q_terms, position),
                )
            )
        return hits


def sentence_tokens(articles: Sequence[Article]) -> list[list[str]]:
    """The stemmed terms of every sentence in scope order (what the lexical index takes)."""
    return [terms(s.text) for a in articles for s in a.sentences]


def passage_members(
    articles: Sequence[Article], passages: Sequence[Sequence[tuple[str, ...]]]
) -> list[list[int]]:
    """Scope positions of each passage's sentences; ``passages[i]`` lists article i's passages."""
    members: list[list[int]] = []
    offset = 0
    for article, groups in zip(articles, passages, strict=True):
        position = {s.id: offset + i for i, s in enumerate(article.sentences)}
        members.extend([position[sid] for sid in group] for group in groups)
        offset += len(article.sentences)
    return members


def find_sentence(articles: Sequence[Article], article_id: str, sentence_id: str) -> Sentence:
    """The sentence with these IDs among ``articles``; KeyError when absent."""
    for a in articles:
        if a.id == article_id:
            return a.sentence(sentence_id)
    raise KeyError((article_id, sentence_id))
