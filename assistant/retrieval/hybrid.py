"""Hybrid sentence retrieval over one scope: lexical and dense candidates, fused.

A :class:`HybridIndex` is an immutable snapshot of one scope (one article or
the library): built once, then safe to search from many threads.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, overload

import numpy as np

from assistant.analysis.text import terms
from assistant.retrieval.base import DenseIndex, LexicalIndex
from assistant.retrieval.fusion import fuse
from assistant.settings import RetrievalSettings
from assistant.types import Hit
from index.models import Article


class Layout(Protocol):
    """Which sentence sits at each position of a scope (see :mod:`assistant.retrieval.base`)."""

    size: int

    def ref(self, position: int) -> tuple[str, str]:
        """(article ID, sentence ID) at ``position``."""
        ...

    def groups(self, positions: np.ndarray) -> list[str]:
        """The article ID at each of ``positions``."""
        ...


class ArticlesLayout:
    """The sentences of ``articles`` in order: the layout of a scope whose articles are loaded."""

    def __init__(self, articles: Sequence[Article]) -> None:
        self._refs = [(a.id, s.id) for a in articles for s in a.sentences]
        self.size = len(self._refs)

    def ref(self, position: int) -> tuple[str, str]:
        return self._refs[position]

    def groups(self, positions: np.ndarray) -> list[str]:
        return [self._refs[int(p)][0] for p in positions]


class HybridIndex:
    """The sentences of some articles, searchable by words and by meaning.

    ``layout`` says which sentence each scope position is; by default the
    sentences of ``articles`` in order. A library-wide index passes its own
    (:class:`~assistant.retrieval.postings.LibraryBM25`) and no articles.
    """

    def __init__(
        self,
        articles: Sequence[Article],
        lexical: LexicalIndex,
        dense: DenseIndex,
        settings: RetrievalSettings | None = None,
        layout: Layout | None = None,
    ) -> None:
        self.articles = tuple(articles)
        self._layout: Layout = layout or ArticlesLayout(self.articles)
        if lexical.size != self._layout.size or dense.size != self._layout.size:
            raise ValueError("the lexical and dense indexes must cover the scope's sentences")
        self._lexical = lexical
        self._dense = dense
        self._settings = settings or RetrievalSettings()

    def __len__(self) -> int:
        return self._layout.size

    def search(self, query: str, query_vector: np.ndarray, k: int) -> list[Hit]:
        """The ``k`` best sentences for ``query``, best first."""
        if not self._layout.size:
            return []
        s = self._settings
        q_terms = terms(query)
        pool = max(s.pool, k)
        lexical = self._lexical.search(q_terms, pool)
        dense = self._dense.search(query_vector, pool)
        got = fuse(
            lexical,
            dense,
            _Groups(self._layout, np.union1d(lexical.positions, dense.positions)),
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
            article_id, sentence_id = self._layout.ref(position)
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


class _Groups(Sequence[str]):
    """``groups[p]`` for the candidate positions only (what fusion reads), looked up once."""

    def __init__(self, layout: Layout, positions: np.ndarray) -> None:
        self._size = layout.size
        self._by_position = dict(zip(positions.tolist(), layout.groups(positions), strict=True))

    def __len__(self) -> int:
        return self._size

    @overload
    def __getitem__(self, position: int) -> str: ...

    @overload
    def __getitem__(self, position: slice) -> Sequence[str]: ...

    def __getitem__(self, position: int | slice) -> str | Sequence[str]:
        if isinstance(position, slice):
            raise TypeError("groups are looked up one position at a time")
        return self._by_position[int(position)]


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
