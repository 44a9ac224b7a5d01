"""Approximate dense search through Chroma's HNSW index (a :class:`DenseIndex`).

Library-wide questions search the store's passages collection directly: the
store already keeps an HNSW index of every passage vector, so nothing is
loaded or built per scope, and adding an article adds its vectors to it.
Chroma returns passages; a sentence scores as the best passage holding it,
as in exact search. ``in_memory_chroma_index`` builds the same thing over
given vectors (an in-memory collection), for the dense-index contract and
for anyone who names ``chroma`` for a scope.
"""

from __future__ import annotations

import contextlib
import itertools
import weakref
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from assistant.retrieval.base import Candidates

#: ``search(query_vector, n)`` → the ``n`` nearest passages: (their sentences' scope
#: positions, cosine similarity). Positions outside the scope are left out by the caller.
PassageSearch = Callable[[np.ndarray, int], Sequence[tuple[Sequence[int], float]]]

_names = itertools.count()


class ChromaDenseIndex:
    """A :class:`~assistant.retrieval.base.DenseIndex` over an HNSW passage index.

    ``window`` is how many passages can hold one sentence (the passage window):
    ``n`` sentences need up to ``n × window`` passages.
    """

    def __init__(self, search: PassageSearch, size: int, window: int = 1, keep: Any = None) -> None:
        self.size = size
        self._search = search
        self._window = window
        self._keep = keep  # what the search needs alive (an in-memory collection)

    def search(self, query_vector: np.ndarray, n: int) -> Candidates:
        best: dict[int, float] = {}
        for members, similarity in self._search(query_vector, max(1, n) * self._window):
            for p in members:
                if similarity > best.get(p, -2.0):
                    best[p] = similarity
        if not best:
            return Candidates(np.zeros(0, dtype=np.int64), np.zeros(0))
        positions = np.fromiter(best, dtype=np.int64, count=len(best))
        scores = np.fromiter(best.values(), dtype=np.float64, count=len(best))
        found = Candidates.top(scores, n)
        return Candidates(positions[found.positions], found.scores)


def in_memory_chroma_index(
    vectors: np.ndarray, members: Sequence[Sequence[int]], size: int
) -> ChromaDenseIndex:
    """A :class:`ChromaDenseIndex` over ``vectors`` in a new in-memory Chroma collection."""
    import chromadb
    from chromadb.config import Settings

    if len(vectors) != len(members):
        raise ValueError("one vector per passage is needed")
    client = chromadb.EphemeralClient(settings=Settings(anonymized_telemetry=False))
    name = f"aa_scope_{next(_names)}_{id(vectors):x}"
    collection = client.create_collection(
        name, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
    )
    ids = [str(i) for i in range(len(vectors))]
    for first in range(0, len(ids), 5000):
        collection.add(ids=ids[first : first + 5000], embeddings=vectors[first : first + 5000])
    groups = [tuple(m) for m in members]
    window = max((len(g) for g in groups), default=1)

    def search(query_vector: np.ndarray, n: int) -> list[tuple[Sequence[int], float]]:
        n = min(n, len(ids))
        if n == 0:
            return []
        got: Any = collection.query(
            query_embeddings=[query_vector.astype(np.float32).tolist()], n_results=n, include=["distances"]
        )
        return [
            (groups[int(i)], 1.0 - float(d)) for i, d in zip(got["ids"][0], got["distances"][0], strict=True)
        ]

    index = ChromaDenseIndex(search, size, window, keep=collection)
    weakref.finalize(index, _drop, client, name)
    return index


def _drop(client: Any, name: str) -> None:
    # The process may be exiting, or the collection gone already.
    with contextlib.suppress(Exception):
        client.delete_collection(name)
