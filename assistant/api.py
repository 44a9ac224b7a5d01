"""The :class:`Assistant`: the one object the CLI, web app, integrations and evals use.

A thin front over three rooms: :mod:`assistant.components` builds the
backends from :class:`Settings` (or takes them injected),
:mod:`assistant.library` holds the library snapshot, every cache and the
search indexes, and :mod:`assistant.pipeline` runs one question. The write
path is :mod:`index`.

Safe for many threads: the library is an immutable snapshot swapped whole,
scope indexes are immutable and keyed by content-addressed article IDs, and
no lock is held while answering. Another process's adds and removes on the
same store are seen at the next call, through the store's generation stamp.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.answer.base import Answerer
from assistant.answer.stop import StopSignal
from assistant.boundary import guarded
from assistant.chat import QueryRewriter
from assistant.components import Components
from assistant.library.caches import Caches, QueryVectors
from assistant.library.indexes import Indexes
from assistant.library.quotes import AttributedQuote, QuoteIndex, QuoteIndexes
from assistant.library.snapshot import LibraryState
from assistant.pipeline import Pipeline, Untraced, checked_question
from assistant.plugins import extractor, langchain
from assistant.registry import AnswererChoice
from assistant.rerank.base import Reranker
from assistant.settings import Settings
from assistant.types import Answer, Hit
from index.embed.base import Embedder
from index.errors import InputError
from index.models import Article

if TYPE_CHECKING:
    from langchain_core.runnables import RunnableConfig

    from assistant.analysis.library_people import Person
    from index.build import AddResult
    from index.clean import DroppedLine
    from index.fetch import FetchPolicy
    from index.models import ArticleSummary, RawArticle
    from index.store import ChromaStore
    from index.writes import StoreCheck

@guarded  # no httpx, chromadb, sqlite3 or OSError leaves a public method: see assistant.boundary
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
        self._components = Components(self.settings, embedder=embedder, store=store, answerer=answerer,
                                      reranker=reranker, rewriter=rewriter)
        self._closed = False
        self._caches = caches = Caches.sized(self.settings.retrieval)
        self._query_vectors = QueryVectors(lambda: self._components.embedder, caches.queries)
        self._library = LibraryState(self._components, caches)
        self._indexes = Indexes(self._components, caches, self._library)
        self._quotes = QuoteIndexes()
        self._pipeline = Pipeline(
            self._components, self._library, self._indexes, self._query_vectors, self.quote_index
        )

    # -- lifetime ------------------------------------------------------------

    def close(self) -> None:
        """Release the Chroma client (files, SQLite, or its HTTP session), the chat models' connections,
        the embedding model and the caches; idempotent. ``with Assistant(...) as a:`` closes on exit.

        Any later call raises :class:`~assistant.errors.AssistantClosedError`. Backends given to the
        constructor are not closed (they are the caller's).
        """
        if not self._closed:
            self._closed = True
            self._components.close()
            self._caches.clear()
            self._library.forget()

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._closed

    def __enter__(self) -> Assistant:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- backends ----------------------------------------------------------

    @property
    def answerer(self) -> Answerer:
        """What writes the answer (``answer.answerer``, or the one given)."""
        return self._components.answerer

    @property
    def reranker(self) -> Reranker:
        """What reorders the retrieved sentences (``rerank.reranker``, or the one given)."""
        return self._components.reranker

    @property
    def rewriter(self) -> QueryRewriter:
        """What makes a follow-up standalone: the chat model when the answerer has one, else rules."""
        return self._components.rewriter

    @property
    def embedder(self) -> Embedder:
        """The embedding model (loaded on first use); backend ``auto`` follows the store's vectors."""
        return self._components.embedder

    @property
    def store(self) -> ChromaStore:
        """The Chroma store: embedded in ``data_dir``, or the server at ``chroma_url``."""
        return self._components.store

    def fetch_policy(self) -> FetchPolicy:
        """What URL fetching may reach, from ``settings.fetch``."""
        from index.fetch import FetchPolicy

        f = self.settings.fetch
        return FetchPolicy(allow_private=f.allow_private, max_bytes=f.max_bytes,
                           max_redirects=f.max_redirects, deadline_s=f.deadline_s)

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
        return self._add(read_url(url.strip(), self.fetch_policy(), limits=self.settings.fetch.read_limits()))

    def add_file(self, path: str | Path, source: str | None = None) -> AddResult:
        """Add an article file, recording ``source`` (e.g. an upload's own file name) instead of its path."""
        from index.ingest import read_file

        f = self.settings.fetch
        raw = read_file(Path(path), max_bytes=f.max_bytes, limits=f.read_limits())
        return self._add(dataclasses.replace(raw, source=source) if source else raw)

    def add_text(self, text: str, title: str | None = None, source: str = "pasted text") -> AddResult:
        """Add pasted text (or stdin) as an article."""
        from index.ingest import read_text

        return self._add(read_text(text, title=title, source=source, max_bytes=self.settings.fetch.max_bytes))

    def add_all(self, sources: Sequence[str | Path]) -> list[AddResult]:
        """Add several articles, all or none: every source is read, checked and split before any is stored.

        Stored in bulk (:meth:`add_many`). A storage failure part-way (the store
        itself broke) can still leave earlier batches stored; the error says how many.
        """
        from index.build import prepare

        # Split now, so an article with no sentences stops the whole batch; stored as split.
        raws = [self._read(source) for source in sources]
        results = self._add_prepared([prepare(raw) for raw in raws])
        return [dataclasses.replace(r, notes=raw.notes) for r, raw in zip(results, raws, strict=True)]

    def add_many(self, raws: Iterable[RawArticle], batch: int | None = None) -> list[AddResult]:
        """Add many read articles (:mod:`index.ingest`) in bulk: length-sorted embedding, batched writes."""
        from index.build import prepare
        return self._add_prepared((prepare(raw) for raw in raws), batch)

    def remove(self, article_id: str) -> None:
        """Delete an article and its vectors."""
        library = self._library.current()
        self.store.remove_article(article_id)
        self._indexes.drop_vectors(article_id)
        self._library.removed(article_id, library)

    def check(self, repair: bool = False) -> StoreCheck:
        """Every article's passages against its sentences, and passages without an article.

        ``repair`` removes the orphaned passages, embeds again the missing passages of an article
        (its text and sentences are stored) and builds the quote index of articles stored before
        it (``unquoted``); the result is what was found.
        """
        found = self.store.check()
        if repair and found.unquoted:
            from assistant.analysis.quotes import extract_quotes

            for first in range(0, len(found.unquoted), 64):  # a few texts in memory at a time
                for article in self.store.get_articles(found.unquoted[first : first + 64]).values():
                    self.store.put_quotes(article.id, extract_quotes(article))
        if repair and not found.consistent:
            from index.passages import make_passages

            self.store.remove_orphans()
            window = self.settings.index.passage_window
            for article_id in found.incomplete:
                article = self.store.get_article(article_id)
                passages = make_passages(article, window)
                vectors = self.embedder.embed([p.text for p in passages])
                self.store.restore_passages(article, passages, vectors)
            self._library.forget()
        return found

    def quotes(
        self, person: str | None = None, article: str | None = None, topic: str | None = None
    ) -> list[AttributedQuote]:
        """Attributed statements from the quote index, in library order (``topic``: best match first).

        ``person`` is a name (in full or a surname: everyone the library keeps apart under it) or a
        person ID from :meth:`people`; ``article`` an article ID; ``topic`` words the quote is about.
        Articles stored before the index existed are left out until ``check --repair``.
        """
        if article is not None:
            self.get(article)
        return self.quote_index().find(person, article, topic)

    def people(self, article: str | None = None) -> list[Person]:
        """The people quoted in the library (or in ``article``), most quoted first, each with the
        descriptions the articles give, and how (and how surely) their mentions were merged."""
        index = self.quote_index()
        if article is None:
            return list(index.people)
        self.get(article)
        return index.in_article(article)

    def quote_index(self) -> QuoteIndex:
        """The whole quote index as of now (rebuilt when the library changed)."""
        return self._quotes.current(self.store, [a.id for a in self.summaries()])

    def articles(self) -> list[Article]:
        """Every stored article with its text and sentences, oldest first (reads every text)."""
        return list(self._library.current().articles.values())

    def summaries(self) -> list[ArticleSummary]:
        """Every stored article's ID, sentence count and metadata, oldest first, without reading texts.

        What a listing needs; :meth:`articles` reads every article's text and sentences. A new
        process on an embedded store whose saved listing is current does not even open Chroma.
        """
        return self._library.summaries()

    def get(self, article_id: str) -> Article:
        """The stored article; :class:`ArticleNotFoundError` when there is none."""
        return self._library.get(article_id)

    # -- questions -------------------------------------------------------------

    def search(self, query: str, article: str | None = None, k: int | None = None) -> list[Hit]:
        """The ``k`` best sentences for ``query`` (fused retrieval, no reranking), best first."""
        query = checked_question(query, self.settings.answer.max_question_chars)
        index = self._indexes.for_scope(self._library.scope(article))
        return index.search(query, self._query_vectors(query), k or self.settings.retrieval.top_k)

    def ask(
        self,
        question: str,
        article: str | None = None,
        history: Iterable[Any] | None = None,
        config: RunnableConfig | None = None,
        *, answerer: str | None = None, stop: StopSignal | None = None,
    ) -> Answer:
        """Answer ``question`` from one article (or all), citing stored sentences.

        ``history`` holds earlier turns: :class:`Turn`, ``(question, Answer)``
        pairs or ``{"question", "answer"}`` dicts. ``config`` is a LangChain
        ``RunnableConfig`` (callbacks, tags, metadata, run_name): the ask is then
        reported as a chain run holding a retriever run and an ``answer`` run.
        Without it, no LangChain is imported. ``answerer``: a key of :meth:`answerer_choices`
        (None: the default). ``stop``, set by another thread, ends the answer with
        :class:`~assistant.errors.AnswerStopped` (a chat model's stream is closed at once).
        """
        # Nobody watches the text come, so a streaming answerer answers whole (a broken stream is retried).
        *_, answer = self._asking(question, article, history, config, live=False, choice=answerer, stop=stop)
        assert isinstance(answer, Answer)
        return answer

    def ask_stream(
        self,
        question: str,
        article: str | None = None,
        history: Iterable[Any] | None = None,
        config: RunnableConfig | None = None,
        *, answerer: str | None = None, stop: StopSignal | None = None,
    ) -> Iterator[str | Answer]:
        """Like :meth:`ask`, but yields the answer's text as it is produced, then the :class:`Answer`.

        An answerer that cannot stream yields its whole text at once.
        """
        return self._asking(question, article, history, config, live=True, choice=answerer, stop=stop)

    def answerer_choices(self) -> tuple[AnswererChoice, ...]:
        """The answerers a reader may pick (offline, each configured chat model), the default first."""
        return self._components.choices()

    # -- LangChain -----------------------------------------------------------

    def as_retriever(self, article: str | None = None, k: int | None = None) -> Any:
        """A LangChain ``ArticleRetriever`` over this store: ``k`` sentences per call (default
        ``retrieval.top_k``), as Documents. ``article`` scopes it to one article (checked now);
        ``invoke(q, k=n)`` overrides ``k``."""
        if article is not None:
            self.get(article)
        return langchain().ArticleRetriever(
            assistant=self, article=article, k=self.settings.retrieval.top_k if k is None else k
        )

    def chain(self, article: str | None = None) -> Any:
        """A LangChain Runnable: a question or ``{"question", "history"}`` → the Answer of ``ask``."""
        if article is not None:
            self.get(article)
        return langchain().AnswerChain(self, article)

    def vectorstore(self) -> Any:
        """A ``langchain_chroma.Chroma`` over the passages collection, on this Assistant's client.

        For reading (``similarity_search``…); add articles with :meth:`add`.
        """
        return langchain().passage_vectorstore(self)

    # -- inside ------------------------------------------------------------------

    def _asking(
        self,
        question: str,
        article: str | None,
        history: Iterable[Any] | None,
        config: RunnableConfig | None,
        live: bool,
        choice: str | None = None, stop: StopSignal | None = None,
    ) -> Iterator[str | Answer]:
        def run(tracer: Any) -> Iterator[str | Answer]:
            return self._pipeline.run(question, article, history, tracer, live, choice, stop)

        if config is None:
            return run(Untraced())
        return langchain().traced_ask(config, {"question": question, "article": article}, run)

    def _read(self, source: str | Path) -> RawArticle:
        from index.ingest import read_source

        if not isinstance(source, str | Path):
            raise InputError(f"The source must be a path or a URL string, not {type(source).__name__}.")
        return read_source(source, self.fetch_policy(), self.settings.fetch.read_limits())

    def _add(self, raw: RawArticle) -> AddResult:
        from index.build import add_article

        before = self.store.generation()
        window = self.settings.index.passage_window
        result = add_article(raw, self.store, self.embedder, window, self._indexes.keep_vectors, extractor())
        if result.created:
            self._added([result.article], before)
        return result

    def _add_prepared(
        self, prepared: Iterable[tuple[Article, tuple[DroppedLine, ...]]], batch: int | None = None
    ) -> list[AddResult]:
        from index.build import BULK_ARTICLES, add_prepared

        window = self.settings.index.passage_window
        before = self.store.generation()
        results = add_prepared(
            prepared, self.store, self.embedder, window, batch or BULK_ARTICLES, self._indexes.keep_vectors,
            extractor(),
        )
        self._added([r.article for r in results if r.created], before)
        self._indexes.refresh_matrix()  # the next process opens a current matrix file
        return results

    def _added(self, articles: Sequence[Article], before: str | None) -> None:
        if articles:
            self._indexes.save_postings(articles)
            self._library.added(articles, before)

