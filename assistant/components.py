"""The backends of one Assistant, built from :class:`Settings` through the registry, or injected.

Every backend is made once, on first use, under one lock: a ``list`` needs no
embedding model, a cold ``ask --article`` no answerer until it answers. A chat
model's answerer is the exception: it is built at once, so that bad LLM
settings (key, URL) fail when the Assistant is made, not at the first question.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from assistant import registry
from assistant.answer.base import Answerer
from assistant.chat import QueryRewriter
from assistant.errors import AssistantClosedError
from assistant.rerank.base import Reranker
from assistant.settings import Settings
from index.embed.base import Embedder
from index.errors import InputError

if TYPE_CHECKING:
    from index.store import ChromaStore


class Components:
    """Store, Chroma client, embedder, answerer, reranker and rewriter: one place builds them all."""

    def __init__(
        self,
        settings: Settings,
        *,
        embedder: Embedder | None = None,
        store: ChromaStore | None = None,
        answerer: Answerer | None = None,
        reranker: Reranker | None = None,
        rewriter: QueryRewriter | None = None,
    ) -> None:
        registry.check(settings)  # bad names fail here, before the store is touched
        self.settings = settings
        self._embedder = embedder
        self._store = store
        self._client: Any = None
        self._answerer = answerer
        self._reranker = reranker
        self._rewriter = rewriter
        self._lock = threading.RLock()  # guards lazy set-up only, never a search
        #: What the caller gave: theirs to close, never closed here.
        self._given = {name for name, part in (("_embedder", embedder), ("_store", store),
                       ("_answerer", answerer)) if part is not None}
        self._closed = False
        self._chosen: dict[str, tuple[Answerer, QueryRewriter]] = {}
        if settings.answer.answerer != "extractive":
            _ = self.answerer

    @property
    def answerer(self) -> Answerer:
        """What writes the answer (``answer.answerer``, or the one given)."""
        return self._once("_answerer", lambda: registry.make_answerer(self.settings))

    @property
    def reranker(self) -> Reranker:
        """What reorders the retrieved sentences (``rerank.reranker``, or the one given)."""
        return self._once("_reranker", lambda: registry.make_reranker(self.settings))

    @property
    def rewriter(self) -> QueryRewriter:
        """What makes a follow-up standalone: the chat model when the answerer has one, else rules."""
        return self._once("_rewriter", lambda: registry.make_rewriter(self.settings, self.answerer))

    def choices(self) -> tuple[registry.AnswererChoice, ...]:
        """The answerers a reader may pick (:func:`registry.answerer_choices`), the default first."""
        return registry.answerer_choices(self.settings)

    def answering(self, key: str | None = None) -> tuple[Answerer, QueryRewriter]:
        """The answerer and rewriter of the choice ``key`` (None, or the default's key: the defaults).

        Any other key must be one of :meth:`choices` (an :class:`~index.errors.InputError` otherwise);
        each is built once, on first use.
        """
        choices = self.choices()
        if key is None or key == choices[0].key:
            return self.answerer, self.rewriter
        choice = next((c for c in choices if c.key == key), None)
        if choice is None:
            names = ", ".join(c.label for c in choices)
            raise InputError(f"There is no answerer {key!r} here; choose one of: {names}.")
        with self._lock:
            if key not in self._chosen:
                answerer = registry.make_chosen(self.settings, choice)
                self._chosen[key] = (answerer, registry.make_rewriter(self.settings, answerer))
            return self._chosen[key]

    @property
    def embedder(self) -> Embedder:
        """The embedding model (loaded on first use); backend ``auto`` follows the store's vectors."""
        return self._once(
            "_embedder", lambda: registry.make_embedder(self.settings, self._recorded_embedder())
        )

    @property
    def store(self) -> ChromaStore:
        """The Chroma store: embedded in ``data_dir``, or the server at ``chroma_url``."""
        return self._once("_store", self._open_store)

    @property
    def opened(self) -> bool:
        """Whether the store is open yet (a cold listing can avoid opening it)."""
        return self._store is not None

    def client(self) -> Any:
        """The settings' Chroma client, made once: the store and the embedder's choice share it."""
        return self._once("_client", lambda: registry.chroma_client(self.settings))

    def store_key(self) -> str:
        """Names this store (location, tenant, database, prefix) for the cache files kept about it."""
        s = self.settings
        where = s.chroma_url or str(s.data_dir.resolve())
        return f"{where}|{s.store.tenant}|{s.store.database}|{s.store.collection_prefix}"

    def close(self) -> None:
        """Release what was built here: the store's and the settings' Chroma clients, the chat models'
        connections, the embedder; idempotent. Nothing is built again: a later use raises
        :class:`~assistant.errors.AssistantClosedError`."""
        from index.store import close_client

        with self._lock:
            if self._closed:
                return
            self._closed = True
            built = [getattr(self, name) for name in ("_store", "_answerer", "_embedder")
                     if name not in self._given]
            built += [answerer for answerer, _ in self._chosen.values()]
            client, self._client = self._client, None
            self._chosen.clear()
            # Dropped, given or not: the model's memory goes with the last reference to it.
            self._store = self._answerer = self._embedder = self._reranker = self._rewriter = None
        for part in built:
            close = getattr(part, "close", None)  # a backend that holds nothing has no close()
            if close is not None:
                close()
        if client is not None:
            close_client(client)

    def _once(self, attribute: str, make: Callable[[], Any]) -> Any:
        found = getattr(self, attribute)
        if found is None:
            with self._lock:
                if self._closed:
                    raise AssistantClosedError()
                found = getattr(self, attribute)
                if found is None:
                    found = make()
                    setattr(self, attribute, found)
        return found

    def _recorded_embedder(self) -> str | None:
        """The embedder name the store recorded (None: a new store); read only for backend ``auto``."""
        if self.settings.embedder.backend != "auto":
            return None
        if self._store is not None:
            return self._store.fingerprint.embedder
        from index.store import recorded_embedder

        return recorded_embedder(self.client(), self.settings.store.collection_prefix)

    def _open_store(self) -> ChromaStore:
        from index.store import ChromaStore, StoreFingerprint, fresh_embedded_client

        s = self.settings
        where = {"tenant": s.store.tenant, "database": s.store.database}
        fingerprint = StoreFingerprint(self.embedder.name, self.embedder.dimension, s.index.passage_window)
        reopen = None if s.chroma_url else (lambda: fresh_embedded_client(s.data_dir, **where))
        return ChromaStore(
            self.client(), fingerprint, reopen, prefix=s.store.collection_prefix, server=bool(s.chroma_url)
        )
