"""One question, start to finish: check → rewrite → retrieve → rerank → answer → cite.

The steps are wired here and nowhere else; each gets what it needs as data
(the analysed question travels in the :class:`AnswerRequest`, the citation
scorer gets the vectors it scores). A :class:`Tracer` may watch the retrieval
and answering steps (the LangChain adapter implements one); by default
nothing watches and nothing is imported for it.
"""

from __future__ import annotations

import dataclasses
import functools
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Protocol

from assistant.analysis.questions import Question, analyse, summary_topic
from assistant.analysis.text import terms
from assistant.answer.base import (
    Answerer,
    AnswerRequest,
    Draft,
    PreparingAnswerer,
    StreamingAnswerer,
    abstain_text,
)
from assistant.answer.stop import StopSignal, stopping
from assistant.cite import SupportScorer, resolve
from assistant.components import Components
from assistant.errors import AnswerStopped
from assistant.library.caches import QueryVectors
from assistant.library.centrality import sentence_centrality
from assistant.library.indexes import Indexes
from assistant.library.quotes import QuoteIndex
from assistant.library.snapshot import LibraryState, Scope
from assistant.types import Answer, Hit, Turn, claims_of
from index.errors import InputError
from index.models import Article

#: Most articles a library-wide summary gives a line to.
SUMMARY_ARTICLES = 5


class Tracer(Protocol):
    """Where one ask reports its steps: nowhere (:class:`Untraced`), or to LangChain callbacks."""

    def retrieve(self, query: str, fetch: Callable[[], AnswerRequest]) -> AnswerRequest:
        """Run the retrieval step ``fetch`` for ``query``, reporting it."""
        ...

    def answer(
        self, request: AnswerRequest, produce: Callable[[AnswerRequest], Iterator[str | Draft]]
    ) -> Iterator[str | Draft]:
        """Run the answering step ``produce``, reporting it."""
        ...


class Untraced:
    """Reports nothing and imports nothing."""

    def retrieve(self, query: str, fetch: Callable[[], AnswerRequest]) -> AnswerRequest:
        return fetch()

    def answer(
        self, request: AnswerRequest, produce: Callable[[AnswerRequest], Iterator[str | Draft]]
    ) -> Iterator[str | Draft]:
        return produce(request)


class Pipeline:
    """Runs questions over the library that ``state`` and ``indexes`` hold."""

    def __init__(
        self,
        components: Components,
        state: LibraryState,
        indexes: Indexes,
        query_vectors: QueryVectors,
        quote_index: Callable[[], QuoteIndex] | None = None,
    ) -> None:
        self._components = components
        #: The library's quote index: "What has X said?" is answered from it (:mod:`.quote_answers`).
        self._quote_index = quote_index
        self._state = state
        self._indexes = indexes
        self._query_vectors = query_vectors
        self._support = SupportScorer(components.settings.answer.support)

    def run(
        self,
        question: str,
        article: str | None,
        history: Iterable[Any] | None,
        tracer: Tracer,
        live: bool = True,
        choice: str | None = None,
        stop: StopSignal | None = None,
    ) -> Iterator[str | Answer]:
        """The answer's text as it is produced (``live`` and a streaming answerer), then the Answer.

        ``choice``: the key of the answerer to use (:meth:`Components.choices`; None: the default).
        ``stop``: the reader's stop; once set, :class:`~assistant.errors.AnswerStopped` is raised.
        """
        answerer, _ = self._components.answering(choice)
        started = time.perf_counter()
        request = tracer.retrieve(question, lambda: self.request(question, article, history, choice, stop))
        retrieved = time.perf_counter()
        hits = self._components.reranker.rerank(
            request.question, request.query, request.hits, request.articles, request.history,
            analysis=request.analysis,
        )
        request = dataclasses.replace(request, hits=tuple(hits), stop=stop)
        reranked = time.perf_counter()
        if stop is not None and stop.stopped:
            raise AnswerStopped()
        # A reader who picked a model gets the model's answer; the index serves the offline answerer.
        draft = None if getattr(answerer, "generative", False) else self._from_quotes(request, article)
        streams = live and isinstance(answerer, StreamingAnswerer) and draft is None
        produce = functools.partial(_pieces if streams else _whole, answerer)
        pieces = () if draft is not None else tracer.answer(request, produce)
        for piece in pieces:
            if isinstance(piece, Draft):
                draft = piece
            else:
                yield piece
        if draft is None:
            raise RuntimeError(f"answerer {answerer.name!r} ended its stream without an answer")
        answered = time.perf_counter()
        timings = {
            "retrieve": (retrieved - started) * 1000,
            "rerank": (reranked - retrieved) * 1000,
            "answer": (answered - reranked) * 1000,
        }
        answer = self.finish(draft, request, timings, answerer)
        if not streams:
            yield answer.text
        answer.timings["total"] = (time.perf_counter() - started) * 1000
        yield answer

    def _from_quotes(self, request: AnswerRequest, article: str | None) -> Draft | None:
        """The quote index's answer to "What has X said (about Y)?" or "What else did X say?", if any."""
        if self._quote_index is None:
            return None
        from assistant.library.quote_answers import asked, quote_answer

        if asked(request.query) is None and asked(request.question) is None:
            return None  # no need to read the index
        shown = self._components.settings.answer.quotes_shown
        return quote_answer(request, self._quote_index(), article, shown)

    def request(
        self, question: str, article: str | None, history: Iterable[Any] | None, choice: str | None = None,
        stop: StopSignal | None = None,
    ) -> AnswerRequest:
        """Check, rewrite and retrieve: what the reranker and the answerer (of ``choice``) start from.
        A ``stop`` during a model's rewrite ends it at once (the rule-based rewrite is used)."""
        settings = self._components.settings
        question = checked_question(question, settings.answer.max_question_chars)
        turns = tuple(Turn.of(t) for t in _turns(history))
        answerer, rewriter = self._components.answering(choice)
        if isinstance(answerer, PreparingAnswerer):
            answerer.prepare()  # its model loads while the store opens and the search runs
        scope = self._state.scope(article)
        with stopping(stop):
            query = rewriter.rewrite(question, turns)
        vector = self._query_vectors(query)
        hits = self._indexes.for_scope(scope).search(query, vector, settings.retrieval.candidates)
        hits = evidence_hits(hits, scope.articles)
        analysis = analyse(question)
        centrality = self.centrality(analysis, scope, hits) if analysis.kind == "summary" else {}
        return AnswerRequest(question, query, tuple(hits), scope.articles, turns, analysis, centrality)

    def centrality(self, question: Question, scope: Scope, hits: list[Hit]) -> dict[str, dict[str, float]]:
        """For a summary request: the articles to summarise, in the order to show them, each with its
        sentences' centrality. One article: that one. The library: of the articles retrieved, those
        whose text has the most of the request's topic words; no topic named: the most recently added."""
        if scope.library is None:
            chosen = list(scope.key)
        elif topic := set(terms(summary_topic(question.text))):
            chosen = _about(topic, hits, scope.articles)
        else:
            latest = sorted(scope.library.summaries.values(), key=lambda a: a.added_at or "", reverse=True)
            chosen = [a.id for a in latest]
        return {
            i: sentence_centrality(*self._indexes.article_vectors(scope.articles[i]))
            for i in chosen[:SUMMARY_ARTICLES]
        }

    def finish(
        self, draft: Draft, request: AnswerRequest, timings: dict[str, float], answerer: Any = None
    ) -> Answer:
        """Resolve the draft's citations against the stored sentences; no valid citation, no answer.

        Each citation gets its support score; a generated answer's weakly supported ones are flagged.
        """
        scores: dict[tuple[str, str], float] = {}
        weak = draft.low_support
        if draft.cited and not draft.abstained:
            claims = draft.diagnostics.claims
            texts = self._support.claim_texts(draft.cited, request.query, claims)
            wanted = {ref[0] for ref in texts if ref[0] in request.articles}
            scores, flagged = self._support.assess(
                texts,
                request.articles,
                {t: self._query_vectors(t) for candidates in texts.values() for t in candidates},
                {i: self._indexes.article_vectors(request.articles[i]) for i in wanted},
                claimed=(ref for ref, _ in claims),
            )
            weak = weak | flagged
        citations = resolve(draft.cited, request.articles, weak, scores)
        confidence = draft.confidence
        if draft.diagnostics.claims and citations and citations[0].support is not None:
            # A generated answer: its first citation's support, times its share of cited sentences.
            confidence *= citations[0].support
        invented = len(set(draft.cited)) - len(citations)
        abstained = draft.abstained or not citations
        sentences = () if abstained else claims_of(draft.text, citations, draft.diagnostics.spans)
        instead = getattr(answerer or self._components.answerer, "instead", None)
        if draft.diagnostics.spans and sentences and not any(c.supported for c in sentences) and instead:
            # A generated answer none of whose claims its citations support: not shown as the answer.
            reason = "No claim of the model's answer is supported by the sentences it cites"
            return self.finish(instead(request, reason, draft.diagnostics), request, timings, answerer)
        return Answer(
            text=abstain_text(len(request.articles)) if abstained else draft.text,
            citations=() if abstained else citations,
            abstained=abstained,
            confidence=confidence,
            short_answer=None if abstained else draft.short_answer,
            timings=timings,
            mode="abstain" if abstained else draft.mode,
            claims=sentences,
            diagnostics=dataclasses.replace(
                draft.diagnostics,
                query=draft.diagnostics.query or request.query,
                invented_citations=draft.diagnostics.invented_citations + invented,
            ),
        )


def _pieces(answerer: Answerer, request: AnswerRequest) -> Iterator[str | Draft]:
    """The answerer's text as it comes, then its Draft (a non-streaming answerer: the Draft alone)."""
    if isinstance(answerer, StreamingAnswerer):
        yield from answerer.stream(request)
    else:
        yield answerer.answer(request)


def _whole(answerer: Answerer, request: AnswerRequest) -> Iterator[str | Draft]:
    """The answerer's Draft from a plain call (``ask``: no one watches the text come)."""
    yield answerer.answer(request)


def _about(topic: set[str], hits: list[Hit], articles: Mapping[str, Article]) -> list[str]:
    """The articles of ``hits`` (in rank order) whose text has the most of the topic's words (all of
    them, when any article has all)."""
    share: dict[str, float] = {}
    for hit in hits:
        if hit.article_id not in share:
            words = set(terms(articles[hit.article_id].text))
            share[hit.article_id] = len(topic & words) / len(topic)
    best = max(share.values(), default=0.0)
    return [i for i, value in share.items() if value and value == best]


def evidence_hits(hits: Iterable[Hit], articles: Mapping[str, Article]) -> list[Hit]:
    """``hits`` without the sentences that are structure (headline, byline, heading, caption):
    they name the topic in the question's words, and are never the evidence."""
    return [h for h in hits if h.sentence_id not in articles[h.article_id].structural]


def checked_question(question: Any, limit: int) -> str:
    """``question`` if it is a non-empty string within ``limit`` characters; else an InputError."""
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
