"""The answering contract, and nothing else.

An :class:`Answerer` turns an :class:`AnswerRequest` (the question, its
standalone form, the reranked hits and the articles in scope) into a
:class:`Draft`: text plus the sentence references it cites. The
:class:`~assistant.api.Assistant` resolves those references against the
stored sentences (:mod:`assistant.cite`), so an answerer can never show a
sentence that does not exist. An answerer may also stream
(:class:`StreamingAnswerer`); the stream ends with the same draft a plain
call returns.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from assistant.analysis.questions import Question
from assistant.answer.stop import StopSignal
from assistant.types import Diagnostics, Hit, Mode, SentenceRef, Turn
from index.models import Article

#: The one abstention text every answerer uses (one article in scope).
ABSTAIN_TEXT = "The article doesn't say."
#: The abstention text over several articles (a library-wide question).
LIBRARY_ABSTAIN_TEXT = "None of your articles say."

#: Per article in scope, each sentence's centrality (cosine of its passage vectors to the article's
#: centroid): what an extractive summary picks by.
Centrality = Mapping[str, Mapping[str, float]]


def abstain_text(articles: int) -> str:
    """The abstention text for a scope of ``articles`` articles."""
    return LIBRARY_ABSTAIN_TEXT if articles > 1 else ABSTAIN_TEXT


@dataclass(frozen=True, slots=True)
class AnswerRequest:
    """What an answerer gets: the question, its standalone form and the evidence."""

    question: str
    #: The question rewritten to stand alone (pronouns resolved from history).
    query: str
    #: Retrieved sentences after reranking, best first.
    hits: tuple[Hit, ...]
    articles: Mapping[str, Article]
    history: tuple[Turn, ...] = ()
    #: The question analysed once (:func:`assistant.analysis.questions.analyse`); None: not yet.
    analysis: Question | None = None
    #: For summary questions only: sentence centrality of the articles to summarise (see
    #: :data:`Centrality`), computed by the pipeline from the stored vectors; empty otherwise.
    centrality: Centrality = field(default_factory=dict)
    #: Set by the reader to stop the answer (a chat model's stream is closed at once); None: never.
    stop: StopSignal | None = None


@dataclass(frozen=True, slots=True)
class Draft:
    """An answer before its citations are resolved against the store."""

    text: str
    #: Sentences cited, in the order to show them.
    cited: tuple[SentenceRef, ...]
    abstained: bool
    #: 0..1, how likely the answer (its first citation) is right.
    confidence: float
    short_answer: str | None = None
    #: Cited sentences the answerer could not confirm support the answer.
    low_support: frozenset[SentenceRef] = field(default_factory=frozenset)
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    #: "answer" (sure), "evidence" (the closest sentences, not sure) or "abstain" (follows
    #: ``abstained`` when left "answer").
    mode: Mode = "answer"

    @classmethod
    def abstention(cls, diagnostics: Diagnostics | None = None) -> Draft:
        """The draft of an answerer that found nothing to say: :data:`ABSTAIN_TEXT`, no citation."""
        why = Diagnostics() if diagnostics is None else diagnostics
        return cls(ABSTAIN_TEXT, (), abstained=True, confidence=0.0, diagnostics=why)


@runtime_checkable
class Answerer(Protocol):
    """Makes a :class:`Draft` from an :class:`AnswerRequest`."""

    @property
    def name(self) -> str:
        """Shown in reports and recorded with eval results."""
        ...

    def answer(self, request: AnswerRequest) -> Draft:
        """Answer the request, citing only sentences of its hits or articles."""
        ...


@runtime_checkable
class StreamingAnswerer(Answerer, Protocol):
    """An answerer that can show its text as it is produced."""

    def stream(self, request: AnswerRequest) -> Iterator[str | Draft]:
        """Text pieces as they come, then exactly one final :class:`Draft`."""
        ...


@runtime_checkable
class PreparingAnswerer(Answerer, Protocol):
    """An answerer with slow set-up (a model to load) that can start it before the answer is due."""

    def prepare(self) -> None:
        """Begin loading in the background, without waiting; called as retrieval starts."""
        ...

