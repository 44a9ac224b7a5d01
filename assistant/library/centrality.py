"""How central each sentence is to its article: what an extractive summary picks by.

A sentence's centrality is the cosine of its passage vectors (the vectors the
library already keeps for every article, :meth:`Indexes.article_vectors`) to
the article's centroid, the mean of all its passage vectors. A sentence in
several passages takes the mean of theirs. No new model, nothing re-embedded.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def sentence_centrality(members: Sequence[tuple[str, ...]], matrix: np.ndarray) -> dict[str, float]:
    """Sentence ID → cosine of its passages' vectors to the centroid of all of them."""
    if not len(members) or matrix.size == 0:
        return {}
    rows = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    unit = rows / np.where(norms > 0, norms, 1.0)
    centroid = unit.mean(axis=0)
    length = float(np.linalg.norm(centroid))
    if length == 0.0:
        return {}
    cosines = unit @ (centroid / length)
    found: dict[str, list[float]] = {}
    for ids, cosine in zip(members, cosines, strict=False):
        for sentence_id in ids:
            found.setdefault(sentence_id, []).append(float(cosine))
    return {sentence_id: sum(values) / len(values) for sentence_id, values in found.items()}
