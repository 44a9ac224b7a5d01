"""The :class:`Assistant`: the one object the CLI, web app and evals all use."""

from __future__ import annotations

import builtins
import dataclasses
import logging
import time
from collections.abc import Iterable, Sequence
from operator import itemgetter
from pathlib import Path
from typing import Any

import numpy as np

from assistant.answer import ABSTAIN_TEXT, Answerer, AnswerRequest, Draft
from assistant.backends import make_answerer
from assistant.chat import standalone
from assistant.cite import resolve
from assistant.models import Answer, Turn
from assistant.retrieve import Hit, SentenceIndex, SentenceRetriever
from assistant.settings import Settings
from index import AddResult, Article, add_article, read_source, read_text
from index.embed import Embedder, SentenceTransformerEmbedder
from index.errors import ArticleNotFoundError, InputError
from index.ingest import read_file
from index.store import ChromaStore, StoreFingerprint, make_client

log = logging.getLogger(__name__)


class Assistant:
    """Add articles and ask questions about them, with sentence citations.

    >>> assistant = Assistant(Settings(data_dir=Path("data")))
    >>> article = assistant.add("article.txt").article
    >>> answer = assistant.ask("Who said cluster munitions are effective?", article=article.id)

    Backends are built lazily from ``settings``, or injected (tests, other apps).
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        embedder: Embedder | None = None,
        store: ChromaStore | None = None,
        answerer: Answerer | None = None,
    ) -> None:
        self.settings = settings or Settings.from_env()
        self._embedder = embedder
        self._store = store
        self.answerer = answerer or make_answerer(self.settings)
        self._articles: dict[str, Article] | None = None
        self._vectors: dict[str, tuple[builtins.list[tuple[str, ...]], np.ndarray]] = {}
        self._indexes: dict[tuple[str, ...], SentenceIndex] = {}
        self._query_vectors: dict[str, np.ndarray] = {}

    # -- backends ----------------------------------------------------------

    @property
    def embedder(self) -> Embedder:
        """The embedding model (loaded on first use)."""
        if self._embedder is None:
            self._embedder = SentenceTransformerEmbedder(self.settings.embedder)
        return self._embedder

    @property
    def store(self) -> ChromaStore:
        """The Chroma store: embedded in ``data_dir``, or the server at ``chroma_url``."""
        if self._store is None:
            s = self.settings
            client = make_client(None if s.chroma_url else s.data_dir, s.chroma_url)
            fingerprint = StoreFingerprint(self.embedder.name, self.embedder.dimension, s.passage_window)
            self._store = ChromaStore(client, fingerprint)
        return self._store

    # -- articles ------------------------------------------------------------

    def add(self, source: str | Path) -> AddResult:
        """Add an article from a file path or an http(s) URL; re-adding is a no-op."""
        return self._add(read_source(source))

    def add_file(self, path: str | Path, source: str | None = None) -> AddResult:
        """Add an article file, recording ``source`` (e.g. an upload's own file name) instead of its path."""
        raw = read_file(Path(path))
        return self._add(dataclasses.replace(raw, source=source) if source else raw)

    def add_text(self, text: str, title: str | None = None, source: str = "pasted text") -> AddResult:
        """Add pasted text (or stdin) as an article."""
        return self._add(read_text(text, title=title, source=source))

    def _add(self, raw: Any) -> AddResult:
        result = add_article(raw, self.store, self.embedder, self.settings.passage_window)
        if result.created:
            self._forget()
        return result

    def list(self) -> builtins.list[Article]:
        """Every stored article, oldest first."""
        return list(self._all_articles().values())

    def get(self, article_id: str) -> Article:
        """The stored article; :class:`ArticleNotFoundError` when there is none."""
        article = self._all_articles().get(article_id)
        if article is None:
            raise ArticleNotFoundError(article_id)
        return article

    def remove(self, article_id: str) -> None:
        """Delete an article and its vectors."""
        self.store.remove_article(article_id)
        self._forget()

    def _all_articles(self) -> dict[str, Article]:
        if self._articles is None:
            self._articles = {a.id: a for a in self.store.list_articles()}
        return self._articles

    def _forget(self) -> None:
        self._articles = None
        self._indexes.clear()

    # -- questions -------------------------------------------------------------

    def retriever(self, article: str | None = None, k: int | None = None) -> SentenceRetriever:
        """A LangChain retriever over one article's sentences, or all articles'."""
        return SentenceRetriever(
            index=self._index(self._scope(article)),
            embed_query=self._embed_query,
            k=k or self.settings.top_k,
        )

    def chain(self, article: str | None = None) -> Any:
        """The LCEL chain: ``{"question", "query", "history"}`` → :class:`Draft`."""
        from langchain_core.runnables import RunnableLambda, RunnablePassthrough

        articles = {a.id: a for a in self._scope(article)}
        # An answerer that reranks (the extractive one) asks for more candidates.
        k = max(self.settings.top_k, getattr(self.answerer, "candidates", 0))
        retrieve = itemgetter("query") | self.retriever(article, k=k)

        def answer(inputs: dict[str, Any]) -> Draft:
            if "clock" in inputs:  # ask() passes one to time retrieval and answering apart
                inputs["clock"]["retrieved"] = time.perf_counter()
            request = AnswerRequest(
                question=inputs["question"],
                query=inputs["query"],
                hits=tuple(Hit.from_document(d) for d in inputs["documents"]),
                articles=articles,
                history=tuple(inputs.get("history", ())),
            )
            return self.answerer.answer(request)

        return RunnablePassthrough.assign(documents=retrieve) | RunnableLambda(answer)

    def ask(
        self,
        question: str,
        article: str | None = None,
        history: Iterable[Any] | None = None,
    ) -> Answer:
        """Answer ``question`` from one article (or all), citing stored sentences.

        ``history`` holds earlier turns: :class:`Turn`, ``(question, Answer)``
        pairs or ``{"question", "answer"}`` dicts.
        """
        if not question.strip():
            raise InputError("The question is empty. Type a question about the article.")
        started = time.perf_counter()
        turns = tuple(Turn.of(t) for t in history or ())
        scope = self._scope(article)
        query = standalone(question, turns)
        clock: dict[str, float] = {}
        chain_started = time.perf_counter()
        draft: Draft = self.chain(article).invoke(
            {"question": question, "query": query, "history": turns, "clock": clock}
        )
        done = time.perf_counter()
        citations = resolve(draft.cited, {a.id: a for a in scope}, draft.low_support)
        # An answer none of whose citations exist is not shown: nothing backs it.
        abstained = draft.abstained or not citations
        retrieved = clock.get("retrieved", chain_started)
        return Answer(
            text=ABSTAIN_TEXT if abstained else draft.text,
            citations=() if abstained else citations,
            abstained=abstained,
            confidence=draft.confidence,
            short_answer=None if abstained else draft.short_answer,
            timings={
                "retrieve": (retrieved - chain_started) * 1000,
                "answer": (done - retrieved) * 1000,
                "total": (time.perf_counter() - started) * 1000,
            },
        )

    def _scope(self, article: str | None) -> builtins.list[Article]:
        if article is not None:
            return [self.get(article)]
        articles = self.list()
        if not articles:
            raise InputError("No articles are stored yet. Add one first: article-assistant add FILE|URL")
        return articles

    def _index(self, articles: Sequence[Article]) -> SentenceIndex:
        key = tuple(a.id for a in articles)
        if key not in self._indexes:
            vectors: builtins.list[np.ndarray] = []
            members: builtins.list[builtins.list[int]] = []
            offset = 0
            for a in articles:
                ids, vecs = self._article_vectors(a.id)
                position = {s.id: offset + i for i, s in enumerate(a.sentences)}
                members.extend([position[sid] for sid in group] for group in ids)
                vectors.append(vecs)
                offset += len(a.sentences)
            self._indexes[key] = SentenceIndex(articles, np.vstack(vectors), members)
        return self._indexes[key]

    def _article_vectors(self, article_id: str) -> tuple[builtins.list[tuple[str, ...]], np.ndarray]:
        if article_id not in self._vectors:
            self._vectors[article_id] = self.store.article_vectors(article_id)
        return self._vectors[article_id]

    def _embed_query(self, query: str) -> np.ndarray:
        # Chat turns and evals repeat questions; embedding is most of a warm ask.
        if query not in self._query_vectors:
            if len(self._query_vectors) > 1024:
                self._query_vectors.clear()
            self._query_vectors[query] = self.embedder.embed([query])[0]
        return self._query_vectors[query]
