"""The :class:`Assistant`: the one object the CLI, web app, integrations and evals use.

One question flows rewrite (:mod:`assistant.chat`) → retrieve
(:mod:`assistant.retrieval`) → rerank (:mod:`assistant.rerank`) → answer
(:mod:`assistant.answer`) → cite (:mod:`assistant.cite`). The backends come
from :mod:`assistant.registry` by the names in :class:`Settings`, or are
injected. No heuristics live here.

Safe for many threads: the library is an immutable snapshot swapped whole,
scope indexes are immutable and keyed by content-addressed article IDs, and
no lock is held while answering. Another process's adds and removes on the
same store are seen at the next call, through the store's generation stamp.
"""

from __future__ import annotations

import builtins
import dataclasses
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Protocol

from assistant import registry
from assistant.answer.base import (
    ABSTAIN_TEXT,
    Answerer,
    AnswerRequest,
    Draft,
    PreparingAnswerer,
    StreamingAnswerer,
)
from assistant.chat import QueryRewriter
from assistant.cite import SupportScorer, resolve
from assistant.rerank.base import Reranker
from assistant.retrieval.hybrid import HybridIndex, passage_members, sentence_tokens
from assistant.retrieval.library import BoundedCache, LazyArticles, LibraryIndex
from assistant.retrieval.postings import Segment
from assistant.settings import Settings
from assistant.types import Answer, Hit, Turn
from index.embed.base import Embedder
from index.errors import ArticleNotFoundError, InputError
from index.models import Article

if TYPE_CHECKING:
    import numpy as np
    from langchain_core.runnables import RunnableConfig

    from assistant.catalog import Catalog
    from assistant.retrieval.vectors import VectorCache
    from index.build import AddResult
    from index.clean import DroppedLine
    from index.fetch import FetchPolicy
    from index.ingest import RawArticle
    from index.models import ArticleSummary
    from index.store import ChromaStore
    from index.writes import StoreCheck

log = logging.getLogger(__name__)

#: Scope indexes and query vectors kept per process (oldest dropped first).
_SCOPE_CACHE = 16
_QUERY_CACHE = 1024


@dataclass(frozen=True, slots=True)
class _Library:
    """The stored articles as of one store generation (never mutated; replaced whole).

    Only the IDs and metadata are read when it is made; ``articles`` reads an
    article's text and sentences when it is first looked up (a bounded cache).
    """

    generation: str | None
    summaries: Mapping[str, ArticleSummary]
    articles: LazyArticles


@dataclass(frozen=True, slots=True)
class _Scope:
    """What one question searches: one article, or the library (``library`` set)."""

    key: tuple[str, ...]
    articles: Mapping[str, Article]
    library: _Library | None = None


class _Trace(Protocol):
    """Where one ask reports its steps: nowhere, or to LangChain callbacks (``ask(config=...)``)."""

    def retrieve(self, query: str, fetch: Callable[[], AnswerRequest]) -> AnswerRequest: ...

    def answer(
        self, request: AnswerRequest, produce: Callable[[AnswerRequest], Iterator[str | Draft]]
    ) -> Iterator[str | Draft]: ...


class _Untraced:
    """Reports nothing and imports nothing."""

    def retrieve(self, query: str, fetch: Callable[[], AnswerRequest]) -> AnswerRequest:
        return fetch()

    def answer(
        self, request: AnswerRequest, produce: Callable[[AnswerRequest], Iterator[str | Draft]]
    ) -> Iterator[str | Draft]:
        return produce(request)


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
        reranker: Reranker | None = None,
        rewriter: QueryRewriter | None = None,
    ) -> None:
        self.settings = settings or Settings.from_env()
        registry.check(self.settings)  # bad names fail here, before the store is touched
        self._embedder = embedder
        self._store = store
        self._client: Any = None  # the Chroma client, once made (see _chroma_client)
        self._lock = threading.RLock()  # guards lazy set-up and cache mutation, never a search
        # Built on first use (a `list` needs none of them), except a chat model's answerer: its
        # settings (key, URL) should fail when the Assistant is made, not at the first question.
        self._answerer = answerer
        self._reranker = reranker
        self._rewriter = rewriter
        if self.settings.answer.answerer != "extractive":
            _ = self.answerer
        self.support = SupportScorer(self._embed_query, self._article_vectors, self.settings.answer.support)
        self._library: _Library | None = None
        cached = self.settings.retrieval.cached_articles
        self._vectors: BoundedCache[tuple[builtins.list[tuple[str, ...]], np.ndarray]] = BoundedCache(cached)
        self._articles: BoundedCache[Article] = BoundedCache(cached)
        self._library_index: tuple[_Library, LibraryIndex] | None = None
        self._new_segments: builtins.list[Segment] = []  # BM25 of recent adds, for the library index
        self._indexes: OrderedDict[tuple[str, ...], HybridIndex] = OrderedDict()
        self._query_vectors: OrderedDict[str, np.ndarray] = OrderedDict()

    # -- backends ----------------------------------------------------------

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

    def _once(self, attribute: str, make: Callable[[], Any]) -> Any:
        found = getattr(self, attribute)
        if found is None:
            with self._lock:
                found = getattr(self, attribute)
                if found is None:
                    found = make()
                    setattr(self, attribute, found)
        return found

    @property
    def embedder(self) -> Embedder:
        """The embedding model (loaded on first use); backend ``auto`` follows the store's vectors."""
        if self._embedder is None:
            with self._lock:
                if self._embedder is None:
                    self._embedder = registry.make_embedder(self.settings, self._recorded_embedder())
        return self._embedder

    def _recorded_embedder(self) -> str | None:
        """The embedder name the store recorded (None: a new store); read only for backend ``auto``."""
        if self.settings.embedder.backend != "auto":
            return None
        if self._store is not None:
            return self._store.fingerprint.embedder
        from index.store import recorded_embedder

        return recorded_embedder(self._chroma_client(), self.settings.store.collection_prefix)

    def _chroma_client(self) -> Any:
        """The settings' Chroma client, made once: the store and the embedder's choice share it."""
        with self._lock:
            if self._client is None:
                self._client = registry.chroma_client(self.settings)
            return self._client

    @property
    def store(self) -> ChromaStore:
        """The Chroma store: embedded in ``data_dir``, or the server at ``chroma_url``."""
        if self._store is None:
            with self._lock:
                if self._store is None:
                    self._store = self._open_store()
        return self._store

    def _open_store(self) -> ChromaStore:
        from index.store import ChromaStore, StoreFingerprint, fresh_embedded_client

        s = self.settings
        where = {"tenant": s.store.tenant, "database": s.store.database}
        client = self._chroma_client()
        fingerprint = StoreFingerprint(self.embedder.name, self.embedder.dimension, s.index.passage_window)
        reopen = None if s.chroma_url else (lambda: fresh_embedded_client(s.data_dir, **where))
        return ChromaStore(
            client, fingerprint, reopen, prefix=s.store.collection_prefix, server=bool(s.chroma_url)
        )

    # -- articles ------------------------------------------------------------

    def add(self, source: str | Path) -> AddResult:
        """Add an article from a file path or an http(s) URL; re-adding is a no-op."""
        return self._add(self._read(source))

    def add_url(self, url: str) -> AddResult:
        """Add the article at an http(s) URL; never reads a local file, whatever ``url`` says."""
        from index.ingest import is_url, read_url

        if not isinstance(url, str) or not is_url(url.strip()):
            raise InputError(
                "Give a link that starts with http:// or https://, e.g. https://example.com/story."
            )
        return self._add(read_url(url.strip(), self.fetch_policy()))

    def add_all(self, sources: Sequence[str | Path]) -> builtins.list[AddResult]:
        """Add several articles, all or none: every source is read, checked and split before any is stored.

        Stored in bulk (:meth:`add_many`). A storage failure part-way (the store
        itself broke) can still leave earlier batches stored; the error says how many.
        """
        from index.build import prepare

        # Split now, so an article with no sentences stops the whole batch; stored as split.
        prepared = [prepare(self._read(source)) for source in sources]
        return self._add_prepared(prepared)

    def fetch_policy(self) -> FetchPolicy:
        """What URL fetching may reach, from ``settings.fetch``."""
        from index.fetch import FetchPolicy

        f = self.settings.fetch
        return FetchPolicy(
            allow_private=f.allow_private,
            max_bytes=f.max_bytes,
            max_redirects=f.max_redirects,
            deadline_s=f.deadline_s,
        )

    def check(self, repair: bool = False) -> StoreCheck:
        """Every article's passages against its sentences, and passages without an article.

        ``repair`` removes the orphaned passages and embeds again the missing passages of
        an article (its text and sentences are stored); the result is what was found.
        """
        found = self.store.check()
        if repair and not found.consistent:
            from index.passages import make_passages

            self.store.remove_orphans()
            window = self.settings.index.passage_window
            for article_id in found.incomplete:
                article = self.store.get_article(article_id)
                passages = make_passages(article, window)
                vectors = self.embedder.embed([p.text for p in passages])
                self.store.restore_passages(article, passages, vectors)
            self._forget()
        return found

    def _read(self, source: str | Path) -> RawArticle:
        from index.ingest import read_source

        if not isinstance(source, str | Path):
            raise InputError(f"The source must be a path or a URL string, not {type(source).__name__}.")
        return read_source(source, self.fetch_policy())

    def add_file(self, path: str | Path, source: str | None = None) -> AddResult:
        """Add an article file, recording ``source`` (e.g. an upload's own file name) instead of its path."""
        from index.ingest import read_file

        raw = read_file(Path(path))
        return self._add(dataclasses.replace(raw, source=source) if source else raw)

    def add_text(self, text: str, title: str | None = None, source: str = "pasted text") -> AddResult:
        """Add pasted text (or stdin) as an article."""
        from index.ingest import read_text

        return self._add(read_text(text, title=title, source=source))

    def _add(self, raw: RawArticle) -> AddResult:
        from index.build import add_article

        before = self.store.generation()
        window = self.settings.index.passage_window
        result = add_article(raw, self.store, self.embedder, window, self._keep_vectors)
        if result.created:
            self._added([result.article], before)
        return result

    def list(self) -> builtins.list[Article]:
        """Every stored article, oldest first."""
        return builtins.list(self._current().articles.values())

    def summaries(self) -> builtins.list[ArticleSummary]:
        """Every stored article's ID, sentence count and metadata, oldest first, without reading texts.

        What a listing needs; :meth:`list` reads every article's text and sentences. A new
        process on an embedded store whose saved listing is current does not even open Chroma.
        """
        if self._library is None and self._store is None and self.settings.chroma_url is None:
            from index.store import peek_generation

            s = self.settings.store
            generation = peek_generation(self.settings.data_dir, s.tenant, s.database, s.collection_prefix)
            saved = self._catalog().load(generation)
            if saved is not None:
                return builtins.list(self._snapshot(generation, {a.id: a for a in saved}).summaries.values())
        return builtins.list(self._current().summaries.values())

    def get(self, article_id: str) -> Article:
        """The stored article; :class:`ArticleNotFoundError` when there is none."""
        if not isinstance(article_id, str):
            raise InputError(f"An article ID is a string, not {type(article_id).__name__}.")
        library = self._library
        if library is not None and library.generation == self.store.generation():
            article = library.articles.get(article_id)
        else:
            # No snapshot yet (a cold `ask --article`): read this one article, not the library.
            article = self.store.get_articles([article_id]).get(article_id)
            if article is not None:
                self._articles.put(article_id, article)
        if article is None:
            raise ArticleNotFoundError(article_id)
        return article

    def remove(self, article_id: str) -> None:
        """Delete an article and its vectors."""
        library = self._current()
        self.store.remove_article(article_id)
        self._vector_files().drop(article_id)
        self._vectors.pop(article_id)
        self._articles.pop(article_id)
        self._settle({k: v for k, v in library.summaries.items() if k != article_id})

    def _current(self) -> _Library:
        """The library snapshot, reloaded when the store's generation moved (another process wrote)."""
        library = self._library
        generation = self.store.generation()
        if library is not None and library.generation == generation:
            return library
        summaries = {a.id: a for a in self._read_summaries(generation)}
        fresh = self._snapshot(generation, summaries)
        self._vectors.keep_only(set(summaries))
        self._articles.keep_only(set(summaries))
        return fresh

    def _read_summaries(self, generation: str | None) -> builtins.list[ArticleSummary]:
        """The listing at ``generation``: the saved one when current, else read from the store."""
        catalog = self._catalog()
        found = catalog.load(generation)
        if found is None:
            found = self.store.summaries()
            if self.store.generation() == generation:  # nobody wrote while we read
                catalog.save(generation, found)
        return found

    def _catalog(self) -> Catalog:
        from assistant.catalog import Catalog, catalog_path

        return Catalog(catalog_path(self.settings.cache_dir, self._store_key()))

    def _snapshot(self, generation: str | None, summaries: dict[str, ArticleSummary]) -> _Library:
        articles = LazyArticles(builtins.list(summaries), self._fetch, self._articles)
        fresh = _Library(generation, MappingProxyType(summaries), articles)
        with self._lock:
            self._library = fresh
        return fresh

    def _fetch(self, article_ids: Sequence[str]) -> dict[str, Article]:
        return self.store.get_articles(article_ids)

    def add_many(self, raws: Iterable[RawArticle], batch: int | None = None) -> builtins.list[AddResult]:
        """Add many read articles (:mod:`index.ingest`) in bulk: length-sorted embedding, batched writes."""
        from index.build import prepare

        return self._add_prepared((prepare(raw) for raw in raws), batch)

    def _add_prepared(
        self, prepared: Iterable[tuple[Article, tuple[DroppedLine, ...]]], batch: int | None = None
    ) -> builtins.list[AddResult]:
        from index.build import BULK_ARTICLES, add_prepared

        window = self.settings.index.passage_window
        before = self.store.generation()
        results = add_prepared(
            prepared, self.store, self.embedder, window, batch or BULK_ARTICLES, self._keep_vectors
        )
        self._added([r.article for r in results if r.created], before)
        return results

    def _added(self, articles: Sequence[Article], before: str | None) -> None:
        """Extend the listing with articles this process just stored (no re-read of the library).

        ``before`` is the store's generation before the add: the snapshot, or else the saved
        listing, of that generation is extended (a CLI ``add`` keeps the listing file current).
        """
        if not articles:
            return
        for article in articles:
            self._articles.put(article.id, article)
        self._save_postings(articles)
        library = self._library
        known: dict[str, ArticleSummary] | None = None
        if library is not None and library.generation == before:
            known = dict(library.summaries)
        elif before is None:
            known = {}  # a store never written to (the count below catches a first-release store)
        elif (saved := self._catalog().load(before)) is not None:
            known = {a.id: a for a in saved}
        if known is None:
            self._forget()
            return
        from index.models import ArticleSummary

        self._settle(known | {a.id: ArticleSummary.of(a) for a in articles})

    def _settle(self, summaries: dict[str, ArticleSummary]) -> None:
        """After this process's write: ``summaries`` become the snapshot and the saved listing at
        the store's new generation, unless the store's count says another process changed the
        library meanwhile (then it is read again at the next call)."""
        generation = self.store.generation()
        if self.store.count_articles() != len(summaries):
            self._forget()
            return
        self._snapshot(generation, summaries)
        self._catalog().save(generation, builtins.list(summaries.values()))

    def _save_postings(self, articles: Sequence[Article]) -> None:
        """Tokenise new articles for library-wide BM25 once, at add time, and keep the segment."""
        from assistant.retrieval.library import PostingsCache, cache_folder

        chunks = [Segment.build(articles[i : i + 500]) for i in range(0, len(articles), 500)]
        segment = Segment.merge(chunks)
        PostingsCache(cache_folder(self.settings.cache_dir, self._store_key())).save(segment)
        with self._lock:
            self._new_segments.append(segment)
            del self._new_segments[:-_SCOPE_CACHE]

    def _forget(self) -> None:
        with self._lock:
            self._library = None

    # -- questions -------------------------------------------------------------

    def search(self, query: str, article: str | None = None, k: int | None = None) -> builtins.list[Hit]:
        """The ``k`` best sentences for ``query`` (fused retrieval, no reranking), best first."""
        query = _checked_question(query, self.settings.answer.max_question_chars)
        index = self._index(self._scope(article))
        return index.search(query, self._embed_query(query), k or self.settings.retrieval.top_k)

    def ask(
        self,
        question: str,
        article: str | None = None,
        history: Iterable[Any] | None = None,
        config: RunnableConfig | None = None,
    ) -> Answer:
        """Answer ``question`` from one article (or all), citing stored sentences.

        ``history`` holds earlier turns: :class:`Turn`, ``(question, Answer)``
        pairs or ``{"question", "answer"}`` dicts. ``config`` is a LangChain
        ``RunnableConfig`` (callbacks, tags, metadata, run_name): the ask is then
        reported as a chain run holding a retriever run and an ``answer`` run.
        Without it, no LangChain is imported.
        """
        # Nobody watches the text come, so a streaming answerer answers whole (a broken stream is retried).
        *_, answer = self._asking(question, article, history, config, live=False)
        assert isinstance(answer, Answer)
        return answer

    def ask_stream(
        self,
        question: str,
        article: str | None = None,
        history: Iterable[Any] | None = None,
        config: RunnableConfig | None = None,
    ) -> Iterator[str | Answer]:
        """Like :meth:`ask`, but yields the answer's text as it is produced, then the :class:`Answer`.

        An answerer that cannot stream yields its whole text at once.
        """
        return self._asking(question, article, history, config, live=True)

    def _asking(
        self,
        question: str,
        article: str | None,
        history: Iterable[Any] | None,
        config: RunnableConfig | None,
        live: bool,
    ) -> Iterator[str | Answer]:
        if config is None:
            return self._ask_stream(question, article, history, _Untraced(), live)
        from assistant.integrations.langchain import traced_ask

        inputs = {"question": question, "article": article}
        return traced_ask(
            config, inputs, lambda trace: self._ask_stream(question, article, history, trace, live)
        )

    def _ask_stream(
        self,
        question: str,
        article: str | None,
        history: Iterable[Any] | None,
        trace: _Trace,
        live: bool = True,
    ) -> Iterator[str | Answer]:
        started = time.perf_counter()
        request = trace.retrieve(question, lambda: self._request(question, article, history))
        retrieved = time.perf_counter()
        hits = self.reranker.rerank(
            request.question, request.query, request.hits, request.articles, request.history
        )
        request = dataclasses.replace(request, hits=tuple(hits))
        reranked = time.perf_counter()
        draft: Draft | None = None
        streams = live and isinstance(self.answerer, StreamingAnswerer)
        for piece in trace.answer(request, self._pieces if streams else self._whole):
            if isinstance(piece, Draft):
                draft = piece
            else:
                yield piece
        if draft is None:
            raise RuntimeError(f"answerer {self.answerer.name!r} ended its stream without an answer")
        answered = time.perf_counter()
        answer = _finish(
            draft,
            request,
            {
                "retrieve": (retrieved - started) * 1000,
                "rerank": (reranked - retrieved) * 1000,
                "answer": (answered - reranked) * 1000,
            },
            self.support,
        )
        if not streams:
            yield answer.text
        answer.timings["total"] = (time.perf_counter() - started) * 1000
        yield answer

    def _pieces(self, request: AnswerRequest) -> Iterator[str | Draft]:
        """The answerer's text as it comes, then its Draft (a non-streaming answerer: the Draft alone)."""
        if isinstance(self.answerer, StreamingAnswerer):
            yield from self.answerer.stream(request)
        else:
            yield self.answerer.answer(request)

    def _whole(self, request: AnswerRequest) -> Iterator[str | Draft]:
        """The answerer's Draft from a plain call (``ask``: no one watches the text come)."""
        yield self.answerer.answer(request)

    def _request(self, question: str, article: str | None, history: Iterable[Any] | None) -> AnswerRequest:
        """Rewrite and retrieve: what the reranker and the answerer start from."""
        question = _checked_question(question, self.settings.answer.max_question_chars)
        turns = tuple(Turn.of(t) for t in _turns(history))
        if isinstance(self.answerer, PreparingAnswerer):
            self.answerer.prepare()  # its model loads while the store opens and the search runs
        scope = self._scope(article)
        query = self.rewriter.rewrite(question, turns)
        vector = self._embed_query(query)
        hits = self._index(scope).search(query, vector, self.settings.retrieval.candidates)
        return AnswerRequest(question, query, tuple(hits), scope.articles, turns)

    def as_retriever(self, article: str | None = None, k: int = 4) -> Any:
        """A LangChain ``ArticleRetriever`` over this store: ``k`` sentences per call, as Documents.

        ``article`` scopes it to one article (checked now); ``invoke(q, k=n)`` overrides ``k``.
        """
        from assistant.integrations.langchain import ArticleRetriever

        if article is not None:
            self.get(article)
        return ArticleRetriever(assistant=self, article=article, k=k)

    def retriever(self, article: str | None = None, k: int | None = None) -> Any:
        """Alias of :meth:`as_retriever`; ``k`` defaults to ``retrieval.top_k``."""
        return self.as_retriever(article, self.settings.retrieval.top_k if k is None else k)

    def chain(self, article: str | None = None) -> Any:
        """A LangChain Runnable: a question or ``{"question", "history"}`` → the Answer of ``ask``."""
        from assistant.integrations.langchain import AnswerChain

        if article is not None:
            self.get(article)
        return AnswerChain(self, article)

    def vectorstore(self) -> Any:
        """A ``langchain_chroma.Chroma`` over the passages collection, on this Assistant's client.

        For reading (``similarity_search``…); add articles with :meth:`add`.
        """
        from assistant.integrations.langchain import passage_vectorstore

        return passage_vectorstore(self)

    def _scope(self, article: str | None) -> _Scope:
        if article is not None:
            found = self.get(article)
            return _Scope((found.id,), {found.id: found})
        library = self._current()
        if not library.summaries:
            raise InputError("No articles are stored yet. Add one first: article-assistant add FILE|URL")
        return _Scope(tuple(library.summaries), library.articles, library)

    def _index(self, scope: _Scope) -> _ScopeIndex:
        if scope.library is not None:
            return _ScopeIndex(self._whole_library(scope.library), scope.articles)
        return _ScopeIndex(self._articles_index([scope.articles[i] for i in scope.key]), scope.articles)

    def _whole_library(self, library: _Library) -> HybridIndex:
        """The library-wide index: saved BM25 segments, extended by what was added since the last one."""
        from assistant.retrieval.library import PostingsCache, cache_folder, library_index
        from assistant.retrieval.postings import LibraryBM25

        built = self._library_index
        if built is not None and built[0] is library:
            return built[1].index
        s = self.settings
        ids = builtins.list(library.summaries)
        cache = PostingsCache(cache_folder(s.cache_dir, self._store_key()))
        previous = built[1] if built is not None else None
        if previous is not None and set(previous.lexical.article_ids) <= library.summaries.keys():
            added = [i for i in ids if i not in previous.lexical]
            new = [g for g in self._new_segments if set(g.article_ids) <= set(added)]
            missing = set(added).difference(*(g.article_ids for g in new))
            new = [g.without(set(g.article_ids) - set(added)) for g in new]
            if missing:
                new.append(Segment.build([library.articles[i] for i in added if i in missing]))
                cache.save(new[-1])
            lexical = previous.lexical.extended(new)
        else:
            previous = None
            lexical = LibraryBM25(cache.segments(ids, self._fetch))
        found = library_index(
            lexical, self.store, s.retrieval, self.store.articles_vectors, s.index.passage_window, previous
        )
        with self._lock:
            self._library_index = (library, found)
        return found.index

    def _store_key(self) -> str:
        s = self.settings
        where = s.chroma_url or str(s.data_dir.resolve())
        return f"{where}|{s.store.tenant}|{s.store.database}|{s.store.collection_prefix}"

    def _articles_index(self, articles: Sequence[Article]) -> HybridIndex:
        # Article IDs are content hashes, so an index built for these IDs never goes stale.
        key = tuple(a.id for a in articles)
        with self._lock:
            found = self._indexes.get(key)
            if found is not None:
                self._indexes.move_to_end(key)
                return found
        import numpy as np

        stored = [self._article_vectors(a) for a in articles]
        s = self.settings
        size = sum(len(a.sentences) for a in articles)
        index = HybridIndex(
            articles,
            registry.lexical_factory(s)(sentence_tokens(articles)),
            registry.dense_factory(s)(
                np.vstack([v for _, v in stored]), passage_members(articles, [p for p, _ in stored]), size
            ),
            s.retrieval,
        )
        with self._lock:
            self._indexes[key] = index
            while len(self._indexes) > _SCOPE_CACHE:
                self._indexes.popitem(last=False)
        return index

    def _article_vectors(self, article: Article) -> tuple[builtins.list[tuple[str, ...]], np.ndarray]:
        """An article's passages (their sentence IDs) and vectors: kept in memory, else in the
        vector files, else read from the store (and saved to a file for next time)."""
        found = self._vectors.get(article.id)
        if found is not None:
            return found
        from index.passages import make_passages

        order = [p.sentence_ids for p in make_passages(article, self.settings.index.passage_window)]
        matrix = self._vector_files().load(article.id, len(order))
        if matrix is not None:
            found = (order, matrix)
        else:
            # By passage ID (one per sentence), not by a metadata filter: 2-6 ms instead of 35-66 ms
            # at 290,000 passages; but it makes an embedded Chroma load its whole HNSW index.
            groups, stored = self.store.article_vectors(article.id, [s.id for s in article.sentences])
            found = (groups, stored)
            row = {g: i for i, g in enumerate(groups)}
            if set(row) == set(order):  # saved in passage order, as an add saves them
                self._keep_vectors(article, stored[[row[g] for g in order]])
        self._vectors.put(article.id, found)
        return found

    def _keep_vectors(self, article: Article, vectors: np.ndarray) -> None:
        """Save an article's passage vectors (in passage order) as a file of the read path's cache."""
        self._vector_files().save(article.id, vectors)

    def _vector_files(self) -> VectorCache:
        from assistant.retrieval.vectors import VectorCache, vectors_folder

        s = self.settings
        name = self.store.fingerprint.embedder
        return VectorCache(vectors_folder(s.cache_dir, self._store_key(), name, s.index.passage_window))

    def _embed_query(self, query: str) -> np.ndarray:
        # Chat turns and evals repeat questions; embedding is most of a warm ask.
        with self._lock:
            found = self._query_vectors.get(query)
        if found is None:
            found = self.embedder.embed([query])[0]
            with self._lock:
                self._query_vectors[query] = found
                while len(self._query_vectors) > _QUERY_CACHE:
                    self._query_vectors.popitem(last=False)
        return found


class _ScopeIndex:
    """A scope's index; after a search, the hits' articles are read in one call (library scope)."""

    def __init__(self, index: HybridIndex, articles: Mapping[str, Article]) -> None:
        self._index = index
        self._articles = articles

    def search(self, query: str, query_vector: np.ndarray, k: int) -> builtins.list[Hit]:
        hits = self._index.search(query, query_vector, k)
        if isinstance(self._articles, LazyArticles):
            found = self._articles.preload(h.article_id for h in hits)
            # An article removed by another process since this snapshot: its hits go, not the question.
            hits = [h for h in hits if h.article_id in found]
        return hits


def _finish(
    draft: Draft, request: AnswerRequest, timings: dict[str, float], support: SupportScorer | None = None
) -> Answer:
    """Resolve the draft's citations against the stored sentences; no valid citation, no answer.

    Each citation gets its support score; a generated answer's weakly supported ones are flagged.
    """
    scores: dict[tuple[str, str], float] = {}
    weak = draft.low_support
    if support is not None and draft.cited and not draft.abstained:
        claims = draft.diagnostics.claims
        scores, flagged = support.assess(draft.cited, request.articles, request.query, claims)
        weak = weak | flagged
    citations = resolve(draft.cited, request.articles, weak, scores)
    confidence = draft.confidence
    if draft.diagnostics.claims and citations and citations[0].support is not None:
        # A generated answer: its first citation's support, times its share of cited sentences.
        confidence *= citations[0].support
    invented = len(set(draft.cited)) - len(citations)
    abstained = draft.abstained or not citations
    return Answer(
        text=ABSTAIN_TEXT if abstained else draft.text,
        citations=() if abstained else citations,
        abstained=abstained,
        confidence=confidence,
        short_answer=None if abstained else draft.short_answer,
        timings=timings,
        diagnostics=dataclasses.replace(
            draft.diagnostics,
            query=draft.diagnostics.query or request.query,
            invented_citations=draft.diagnostics.invented_citations + invented,
        ),
    )


def _checked_question(question: Any, limit: int) -> str:
    if not isinstance(question, str):
        raise InputError(f"The question must be a string, not {type(question).__name__}.")
    if not question.strip():
        raise InputError("The question is empty. Type a question about the article.")
    if len(question) > limit:
        raise InputError(
            f"The question is {len(question):,} characters long; the limit is {limit:,}. "
            "Ask a shorter question."
        )
    return question


def _turns(history: Iterable[Any] | None) -> Iterable[Any]:
    if history is None:
        return ()
    if isinstance(history, str | bytes) or not isinstance(history, Iterable):
        raise InputError(f"history must be a list of earlier turns, not {type(history).__name__}.")
    return history
