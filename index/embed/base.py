"""The embedder contract, with batching and checks written once.

An implementation writes :meth:`BatchEmbedder.embed_batch` (one batch of
texts to unit vectors); :meth:`BatchEmbedder.embed_documents`,
:meth:`BatchEmbedder.embed_query` and :meth:`BatchEmbedder.embed` are shared,
as ``EmbeddingModel.embed()`` over ``embed_batch()`` is in simonw/llm.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np

DEFAULT_MODEL = "bundled:all-MiniLM-L6-v2"

#: Held while torch is imported for an encoder, and while spaCy is imported with torch hidden
#: (assistant.analysis.nlp): a spaCy load running in another thread must not make that import fail.
TORCH_IMPORT = threading.Lock()


@runtime_checkable
class Embedder(Protocol):
    """Maps texts to L2-normalised float32 vectors of a fixed dimension."""

    #: Recorded in the store; a store refuses an embedder with another name.
    name: str
    dimension: int

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One normalised row per text, shape ``(len(texts), dimension)``."""
        ...


class BatchEmbedder(ABC):
    """Base class: subclasses embed one batch; batching, shapes and empties are handled here."""

    name: str
    dimension: int
    #: Texts handed to one :meth:`embed_batch` call. Backends that sort by length and
    #: batch internally (sentence-transformers) want large calls; the rest, their batch.
    max_batch_texts: int = 64

    @abstractmethod
    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors for at most :attr:`max_batch_texts` texts."""

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One normalised float32 row per text, in order."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        parts = [
            np.asarray(self.embed_batch(texts[i : i + self.max_batch_texts]), dtype=np.float32)
            for i in range(0, len(texts), self.max_batch_texts)
        ]
        vectors = np.vstack(parts)
        if vectors.shape != (len(texts), self.dimension):
            raise ValueError(f"{self.name} returned vectors of shape {vectors.shape}")
        return vectors

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for passages to store."""
        return self.embed(texts)

    def embed_query(self, text: str) -> np.ndarray:
        """The vector of one question."""
        return self.embed([text])[0]
