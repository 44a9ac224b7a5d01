"""Configuration names → implementations, in one place.

Each factory imports its implementation when called, so choosing one never
imports the others (or their heavy libraries). An unknown name is a
:class:`~index.errors.ConfigError` listing the known ones.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

import numpy as np

from assistant.answer.base import Answerer
from assistant.rerank.base import Reranker
from assistant.retrieval.base import DenseIndex, LexicalIndex
from assistant.settings import Settings
from index.embed.base import Embedder
from index.errors import ConfigError

T = TypeVar("T")


def _extractive(settings: Settings) -> Answerer:
    from assistant.answer.extractive.answerer import ExtractiveAnswerer

    return ExtractiveAnswerer(settings.answer)


def _heuristic(settings: Settings) -> Reranker:
    from assistant.rerank.heuristic import HeuristicReranker

    return HeuristicReranker(settings.rerank)


def _keep_order(settings: Settings) -> Reranker:
    from assistant.rerank.base import KeepOrder

    return KeepOrder()


def _sentence_transformers(settings: Settings) -> Embedder:
    from index.embed.sentence_transformers import SentenceTransformerEmbedder

    e = settings.embedder
    return SentenceTransformerEmbedder(e.model, batch_size=e.batch_size, threads=e.threads)


def _onnx(settings: Settings) -> Embedder:
    from index.embed.onnx import OnnxEmbedder

    e = settings.embedder
    return OnnxEmbedder(e.model, settings.cache_dir, batch_size=e.batch_size, threads=e.threads)


def _bm25(tokens: Sequence[Sequence[str]]) -> LexicalIndex:
    from assistant.retrieval.bm25 import BM25Index

    return BM25Index(tokens)


def _exact(vectors: np.ndarray, members: Sequence[Sequence[int]], size: int) -> DenseIndex:
    from assistant.retrieval.dense import ExactDenseIndex

    return ExactDenseIndex(vectors, members, size)


def _chroma(vectors: np.ndarray, members: Sequence[Sequence[int]], size: int) -> DenseIndex:
    from assistant.retrieval.ann import in_memory_chroma_index

    return in_memory_chroma_index(vectors, members, size)


ANSWERERS: dict[str, Callable[[Settings], Answerer]] = {"extractive": _extractive}
RERANKERS: dict[str, Callable[[Settings], Reranker]] = {"heuristic": _heuristic, "none": _keep_order}
#: By ``embedder.backend``: both give the same vectors (to ~2e-7), so they share a store.
EMBEDDERS: dict[str, Callable[[Settings], Embedder]] = {"torch": _sentence_transformers, "onnx": _onnx}
LEXICAL: dict[str, Callable[[Sequence[Sequence[str]]], LexicalIndex]] = {"bm25": _bm25}
DENSE: dict[str, Callable[[np.ndarray, Sequence[Sequence[int]], int], DenseIndex]] = {
    "exact": _exact,
    "chroma": _chroma,
}


def pick(kind: str, table: Mapping[str, T], name: str) -> T:
    """``table[name]``, or a ConfigError naming the setting's choices."""
    try:
        return table[name]
    except KeyError:
        raise ConfigError(f"Unknown {kind} {name!r}; choose one of {', '.join(sorted(table))}.") from None


def make_answerer(settings: Settings) -> Answerer:
    """The answerer named by ``settings.answer.answerer``."""
    return pick("answerer", ANSWERERS, settings.answer.answerer)(settings)


def make_reranker(settings: Settings) -> Reranker:
    """The reranker named by ``settings.rerank.reranker``."""
    return pick("reranker", RERANKERS, settings.rerank.reranker)(settings)


def make_embedder(settings: Settings) -> Embedder:
    """The embedder for ``settings.embedder``: its model on the ``backend`` it names."""
    return pick("embedder backend", EMBEDDERS, settings.embedder.backend)(settings)


def check(settings: Settings) -> None:
    """Raise ConfigError for any backend name the settings give that nothing implements."""
    make_reranker(settings)
    pick("answerer", ANSWERERS, settings.answer.answerer)
    pick("lexical index", LEXICAL, settings.retrieval.lexical)
    pick("dense index", DENSE, settings.retrieval.dense)


def lexical_factory(settings: Settings) -> Callable[[Sequence[Sequence[str]]], LexicalIndex]:
    """Builds the lexical index ``settings.retrieval.lexical`` names."""
    return pick("lexical index", LEXICAL, settings.retrieval.lexical)


def dense_factory(settings: Settings) -> Callable[[np.ndarray, Sequence[Sequence[int]], int], DenseIndex]:
    """Builds the dense index ``settings.retrieval.dense`` names."""
    return pick("dense index", DENSE, settings.retrieval.dense)


