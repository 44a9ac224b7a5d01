"""Configuration names → implementations, in one place.

Each factory imports its implementation when called, so choosing one never
imports the others (or their heavy libraries). An unknown name is a
:class:`~index.errors.ConfigError` listing the known ones.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from assistant.answer.base import Answerer
from assistant.chat import ModelRewriter, QueryRewriter, RewriteProposer, RuleRewriter
from assistant.rerank.base import Reranker
from assistant.retrieval.base import DenseIndex, LexicalIndex
from assistant.settings import LLMSettings, Settings
from index.embed.base import Embedder
from index.errors import ConfigError

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

T = TypeVar("T")


def _extractive(settings: Settings) -> Answerer:
    from assistant.answer.extractive.answerer import ExtractiveAnswerer

    return ExtractiveAnswerer(settings.answer)


def _llm(settings: Settings) -> Answerer:
    from assistant.answer.llm import LLMAnswerer

    fallback = _extractive(settings) if settings.answer.fallback == "extractive" else None
    return LLMAnswerer(chat_model(settings.llm), settings.llm, fallback)


#: Env vars read for the API key when ``llm.api_key_env`` is unset, in order.
API_KEY_ENVS = ("ARTICLE_ASSISTANT_LLM_API_KEY", "OPENAI_API_KEY")
#: What a server that needs no key (llama.cpp, Ollama, vLLM by default) is sent.
NO_KEY = "not-needed"


def chat_model(llm: LLMSettings, environ: Mapping[str, str] | None = None) -> BaseChatModel:
    """``ChatOpenAI`` for ``llm``: no retries or timeouts of its own beyond one request's wait.

    The answerer runs its own retry loop and deadline (it reads Retry-After), so
    the client is built with ``max_retries=0`` and ``timeout=llm.timeout_s``.
    """
    if not llm.model:
        raise ConfigError(
            "The 'llm' answerer needs a model name: pass --llm-model NAME "
            "(or set ARTICLE_ASSISTANT_LLM__MODEL)."
        )
    try:
        from langchain_openai import ChatOpenAI
    except ImportError as e:
        raise ConfigError(
            "The 'llm' answerer needs langchain-openai: pip install 'article-assistant[llm]' "
            "(or pip install langchain-openai)."
        ) from e
    from assistant.answer.stop import http_client

    return ChatOpenAI(  # type: ignore[call-arg]
        model=llm.model,
        base_url=llm.base_url,
        api_key=api_key(llm, os.environ if environ is None else environ),
        temperature=llm.temperature,
        max_tokens=llm.max_tokens,
        timeout=llm.timeout_s,
        max_retries=0,
        stream_usage=True,
        http_client=http_client(llm.timeout_s),  # a stopped answer hangs up on the server
    )


def api_key(llm: LLMSettings, environ: Mapping[str, str]) -> str:
    """The key from ``llm.api_key_env`` (else the default env vars); a placeholder for local servers."""
    names = (llm.api_key_env,) if llm.api_key_env else API_KEY_ENVS
    for name in names:
        if environ.get(name):
            return environ[name]
    if llm.api_key_env:
        raise ConfigError(f"llm.api_key_env names {llm.api_key_env}, which is not set. Export it, or unset "
                          "--llm-api-key-env for a server that needs no key.")
    if llm.base_url is None:
        raise ConfigError("No API key for OpenAI: set OPENAI_API_KEY (or ARTICLE_ASSISTANT_LLM_API_KEY), "
                          "or pass --llm-base-url for your own server.")
    return NO_KEY


@dataclass(frozen=True, slots=True)
class AnswererChoice:
    """One answerer a reader may pick (the web page's model picker): the offline one or a chat model."""

    #: What the page sends back; never a URL a reader could choose.
    key: str
    #: What the page shows.
    label: str
    #: The chat model's name; None for the offline answerer.
    model: str | None = None
    base_url: str | None = None


#: The offline answerer's key and label in the picker.
EXTRACTIVE = AnswererChoice("extractive", "Offline (extractive)")
_AT_URL = re.compile(r"^(?P<model>[^@]+)@(?P<url>https?://\S+)$")


def answerer_choices(settings: Settings) -> tuple[AnswererChoice, ...]:
    """The answerers the operator configured, the default (``answer.answerer``) first.

    The chat models are ``llm.model`` on ``llm.base_url`` and each of ``llm.choices``; the
    offline answerer is always one. A model name found on two servers is labelled with its host.
    """
    llm = settings.llm
    endpoints = [(llm.model, llm.base_url)] if llm.model else []
    for choice in llm.choices:
        found = _AT_URL.match(choice.strip())
        endpoints.append((found["model"], found["url"]) if found else (choice.strip(), llm.base_url))
    endpoints = [e for e in dict.fromkeys(endpoints) if e[0]]
    names = [model for model, _ in endpoints]
    models = []
    for model, url in endpoints:
        label = model if names.count(model) == 1 else f"{model} ({_host(url)})"
        models.append(AnswererChoice(f"llm:{label}", label, model, url))
    ordered = [*models, EXTRACTIVE] if settings.answer.answerer == "llm" else [EXTRACTIVE, *models]
    return tuple(ordered)


def _host(url: str | None) -> str:
    from urllib.parse import urlparse

    return (urlparse(url).netloc or url) if url else "api.openai.com"


def server_models(llm: LLMSettings, environ: Mapping[str, str] | None = None) -> list[str]:
    """The model IDs the OpenAI-compatible server at ``llm.base_url`` lists (``GET /v1/models``).

    A server that is down or refuses is one :class:`~assistant.errors.LLMError` saying what to do.
    """
    from openai import OpenAI

    from assistant.answer.calls import classify

    where = f"at {llm.base_url}" if llm.base_url else "(OpenAI)"
    key = api_key(llm, os.environ if environ is None else environ)
    try:
        client = OpenAI(base_url=llm.base_url, api_key=key, max_retries=0, timeout=llm.timeout_s)
        return sorted(m.id for m in client.models.list())
    except Exception as e:  # the client's errors, classified for the reader
        raise classify(e, where) from None


def make_chosen(settings: Settings, choice: AnswererChoice) -> Answerer:
    """The answerer of one picker choice: the offline one, or the 'llm' one on that model."""
    if choice.model is None:
        return _extractive(settings)
    return _llm(settings.with_(**{"llm.model": choice.model, "llm.base_url": choice.base_url}))


def make_rewriter(settings: Settings, answerer: Answerer) -> QueryRewriter:
    """The model rewriter when the answerer can propose rewrites (the 'llm' one), else the rule-based one."""
    if settings.llm.rewrite and isinstance(answerer, RewriteProposer):
        return ModelRewriter(answerer.propose_rewrite, RuleRewriter())
    return RuleRewriter()


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


def _onnx_int8(settings: Settings) -> Embedder:
    from index.embed.onnx import OnnxEmbedder

    e = settings.embedder
    return OnnxEmbedder(e.model, settings.cache_dir, batch_size=e.batch_size, threads=e.threads, int8=True)


def _bm25(tokens: Sequence[Sequence[str]]) -> LexicalIndex:
    from assistant.retrieval.bm25 import BM25Index

    return BM25Index(tokens)


def _exact(vectors: np.ndarray, members: Sequence[Sequence[int]], size: int) -> DenseIndex:
    from assistant.retrieval.dense import ExactDenseIndex

    return ExactDenseIndex(vectors, members, size)


def _chroma(vectors: np.ndarray, members: Sequence[Sequence[int]], size: int) -> DenseIndex:
    from assistant.retrieval.ann import in_memory_chroma_index

    return in_memory_chroma_index(vectors, members, size)


ANSWERERS: dict[str, Callable[[Settings], Answerer]] = {"extractive": _extractive, "llm": _llm}
RERANKERS: dict[str, Callable[[Settings], Reranker]] = {"heuristic": _heuristic, "none": _keep_order}
#: By ``embedder.backend`` (``auto`` resolves to one of these, see :func:`embedder_backend`):
#: torch and onnx give the same vectors (to ~2e-7) and share a store; onnx-int8's differ
#: (cosine ~0.993), so its name, and its store, are its own.
EMBEDDERS: dict[str, Callable[[Settings], Embedder]] = {
    "torch": _sentence_transformers,
    "onnx": _onnx,
    "onnx-int8": _onnx_int8,
}
LEXICAL: dict[str, Callable[[Sequence[Sequence[str]]], LexicalIndex]] = {"bm25": _bm25}
DENSE: dict[str, Callable[[np.ndarray, Sequence[Sequence[int]], int], DenseIndex]] = {
    "exact": _exact,
    "chroma": _chroma,
}


#: Library-wide dense search: over the store's own HNSW index, or exact over loaded vectors.
LIBRARY_DENSE = ("mapped", "chroma", "exact")


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


def make_embedder(settings: Settings, recorded: str | None = None) -> Embedder:
    """The embedder for ``settings.embedder``: its model on the backend :func:`embedder_backend` picks.

    ``recorded`` is the embedder name the store to be opened recorded (None: a new store).
    """
    return pick("embedder backend", EMBEDDERS, embedder_backend(settings, recorded))(settings)


def chroma_client(settings: Settings) -> Any:
    """The Chroma client ``settings`` name: embedded in ``data_dir``, or the server at ``chroma_url``."""
    from index.store import make_client

    where = {"tenant": settings.store.tenant, "database": settings.store.database}
    return make_client(None if settings.chroma_url else settings.data_dir, settings.chroma_url, **where)


def stored_embedder(settings: Settings) -> str | None:
    """The embedder name recorded by the store ``settings`` point at; None when there is none yet.

    An embedded data dir without a store is left as it is (no empty store is made).
    """
    from index.store import close_client, recorded_embedder

    if settings.chroma_url is None and not (settings.data_dir / "chroma.sqlite3").exists():
        return None
    client = chroma_client(settings)
    try:
        return recorded_embedder(client, settings.store.collection_prefix)
    finally:
        close_client(client)


def embedder_backend(settings: Settings, recorded: str | None = None) -> str:
    """``embedder.backend``; for ``auto``, onnx-int8 unless the store holds fp32 vectors (then onnx).

    A store built before int8 became the default recorded the model's plain name (fp32 vectors
    from onnx or torch); it keeps opening, with fp32. A store of another model is not matched
    here: the store refuses the settings' model with a message naming both.
    """
    backend = settings.embedder.backend
    if backend != "auto":
        return backend
    from index.embed.onnx import INT8_SUFFIX

    return "onnx" if recorded is not None and not recorded.endswith(INT8_SUFFIX) else "onnx-int8"


def check(settings: Settings) -> None:
    """Raise ConfigError for any backend name the settings give that nothing implements."""
    pick("reranker", RERANKERS, settings.rerank.reranker)
    pick("answerer", ANSWERERS, settings.answer.answerer)
    if settings.answer.answerer == "llm" and not settings.llm.model:
        raise ConfigError(
            "The 'llm' answerer needs a model name: pass --llm-model NAME "
            "(or set ARTICLE_ASSISTANT_LLM__MODEL)."
        )
    pick("lexical index", LEXICAL, settings.retrieval.lexical)
    pick("dense index", DENSE, settings.retrieval.dense)
    if settings.retrieval.library_dense not in LIBRARY_DENSE:
        raise ConfigError(
            f"Unknown library dense index {settings.retrieval.library_dense!r}; "
            f"choose one of {', '.join(LIBRARY_DENSE)}."
        )


def lexical_factory(settings: Settings) -> Callable[[Sequence[Sequence[str]]], LexicalIndex]:
    """Builds the lexical index ``settings.retrieval.lexical`` names."""
    return pick("lexical index", LEXICAL, settings.retrieval.lexical)


def dense_factory(settings: Settings) -> Callable[[np.ndarray, Sequence[Sequence[int]], int], DenseIndex]:
    """Builds the dense index ``settings.retrieval.dense`` names."""
    return pick("dense index", DENSE, settings.retrieval.dense)


