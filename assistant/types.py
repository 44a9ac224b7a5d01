"""The read path's data model: hits, citations, answers and conversation turns.

All frozen and slotted; tuples, not lists. A :data:`SentenceRef` names one
stored sentence: ``(article_id, sentence_id)``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from index.errors import InputError
from index.models import Article, ArticleSummary

#: (article_id, sentence_id): one stored sentence.
SentenceRef = tuple[str, str]

#: How sure an answer is: ``answer`` (a short answer or claim the answerer stands behind, cited),
#: ``evidence`` (not sure: the closest sentences, each cited, best first) or ``abstain``.
Mode = Literal["answer", "evidence", "abstain"]
MODES: tuple[Mode, ...] = ("answer", "evidence", "abstain")


@dataclass(frozen=True, slots=True)
class Hit:
    """A retrieved sentence and why it scored."""

    article_id: str
    sentence_id: str
    #: Fused retrieval score (plus rerank bonuses once reranked); higher is better.
    score: float
    #: BM25 score divided by the best BM25 score in the scope (0..1).
    lexical: float
    #: Cosine similarity of the sentence's best passage and the question.
    dense: float
    #: Share of the question's IDF weight whose terms occur in the sentence.
    coverage: float

    @property
    def ref(self) -> SentenceRef:
        """``(article_id, sentence_id)``."""
        return (self.article_id, self.sentence_id)


@dataclass(frozen=True, slots=True)
class Diagnostics:
    """How an answer came about: for evals, debugging and the web chat's details."""

    #: The question as retrieval saw it (follow-ups rewritten to stand alone).
    query: str = ""
    #: Candidate sentences after reranking, best first.
    ranked: tuple[SentenceRef, ...] = ()
    #: What the confidence was computed from (name, value).
    features: tuple[tuple[str, float], ...] = ()
    #: Why the answerer abstained, when it did.
    abstain_reason: str | None = None
    #: Citations the answerer gave that name no sentence it was shown (dropped).
    invented_citations: int = 0
    #: Valid citations a chat model gave (before any fallback): the base of the invented rate.
    model_citations: int = 0
    #: Sentences of a generated answer, and those left without a valid citation (markers removed).
    answer_sentences: int = 0
    unsupported: tuple[str, ...] = ()
    #: The answer sentence each citation was given for (a generated answer's claims).
    claims: tuple[tuple[SentenceRef, str], ...] = ()
    #: A generated answer's claims: each one's span in the answer text and the refs it cites.
    spans: tuple[tuple[int, int, tuple[SentenceRef, ...]], ...] = ()
    #: What answered instead of the chat model ('extractive', 'abstain'), when its answer was not used.
    fallback: str | None = None
    #: For the reader: why a fallback answered, an answer cut at the length cap.
    notes: tuple[str, ...] = ()
    #: The chat model that was asked, when one was.
    model: str | None = None
    #: Tokens the model read and wrote for this answer (all attempts), when it reported usage.
    tokens_in: int | None = None
    tokens_out: int | None = None


@dataclass(frozen=True, slots=True)
class Citation:
    """A stored sentence that supports an answer, shown byte for byte."""

    article_id: str
    sentence_id: str
    start: int
    end: int
    #: The stored sentence, exactly ``article.text[start:end]``.
    text: str
    #: True when the answerer could not confirm the sentence supports the answer.
    low_support: bool = False
    #: 0..1, how well the sentence supports the claim it is cited for (see :mod:`assistant.cite`).
    support: float | None = None
    #: The page the sentence is on (1-based), for a PDF article; None for unpaged formats.
    page: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "article_id": self.article_id,
            "sentence_id": self.sentence_id,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "low_support": self.low_support,
            "support": None if self.support is None else round(self.support, 4),
            "page": self.page,
        }


@dataclass(frozen=True, slots=True)
class Claim:
    """One sentence of an answer and the citations that back it.

    ``start``/``end`` are its span in the answer text; ``citations`` index the answer's
    citations. ``supported`` is False when it cites nothing, or only low-support sentences.
    """

    text: str
    start: int
    end: int
    citations: tuple[int, ...]
    supported: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "citations": list(self.citations),
            "supported": self.supported,
        }


def claims_of(
    text: str,
    citations: tuple[Citation, ...],
    spans: tuple[tuple[int, int, tuple[SentenceRef, ...]], ...] = (),
) -> tuple[Claim, ...]:
    """The claims of an answer: one per span (a generated answer's sentences), else the whole
    text as one claim citing every citation (an extractive answer)."""
    index = {(c.article_id, c.sentence_id): i for i, c in enumerate(citations)}
    if not spans:
        if not text.strip() or not citations:
            return ()
        spans = ((0, len(text), tuple(index)),)
    out = []
    for start, end, refs in spans:
        cited = tuple(dict.fromkeys(index[r] for r in refs if r in index))
        supported = any(not citations[i].low_support for i in cited)
        out.append(Claim(text[start:end], start, end, cited, supported))
    return tuple(out)


def numbered(text: str, claims: Sequence[Mapping[str, Any]]) -> str:
    """``text`` with `` [n]`` (1-based citation numbers) after each claim of :meth:`Claim.to_dict`
    form, and " (unsupported)" after an unsupported one: how the CLI and a copied answer show it."""
    out, end = [], 0
    for claim in claims:
        out.append(text[end : claim["end"]] + "".join(f" [{i + 1}]" for i in claim["citations"]))
        out.append("" if claim["supported"] else " (unsupported)")
        end = claim["end"]
    return "".join(out) + text[end:]


@dataclass(frozen=True, slots=True)
class Answer:
    """An answer with its citations; ``abstained`` when the article doesn't say.

    ``mode`` says how sure it is (:data:`Mode`); left empty, it follows ``abstained``
    ("abstain", else "answer").
    """

    text: str
    citations: tuple[Citation, ...]
    abstained: bool
    #: 0..1, how likely the first citation is the right evidence.
    confidence: float = 0.0
    #: The short answer (speaker, date, number…) when one was found.
    short_answer: str | None = None
    #: Milliseconds per step: ``retrieve``, ``rerank``, ``answer``, ``total``.
    timings: dict[str, float] = field(default_factory=dict)
    #: How the answer came about; only its ``fallback``, ``notes`` and ``model`` are part of :meth:`to_dict`.
    diagnostics: Diagnostics = field(default_factory=Diagnostics, compare=False)
    #: "answer", "evidence" (closest sentences, not sure) or "abstain"; see :data:`Mode`.
    mode: Mode | Literal[""] = ""
    #: The answer's sentences with their citations; see :class:`Claim` (empty when it abstained).
    claims: tuple[Claim, ...] = ()

    def __post_init__(self) -> None:
        if self.abstained or not self.mode:
            # An abstention is always in abstain mode; an answer made without a mode is one it is sure of.
            object.__setattr__(self, "mode", "abstain" if self.abstained else "answer")
        elif self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {self.mode!r}")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "text": self.text,
            "mode": self.mode,
            "short_answer": self.short_answer,
            "abstained": self.abstained,
            "confidence": round(self.confidence, 4),
            "citations": [c.to_dict() for c in self.citations],
            "claims": [c.to_dict() for c in self.claims],
            "timings": {k: round(v, 2) for k, v in self.timings.items()},
            "fallback": self.diagnostics.fallback,
            "notes": list(self.diagnostics.notes),
            # The chat model that was asked (None for the offline answerer).
            "model": self.diagnostics.model,
            # The question as understood: a follow-up's standalone rewrite, shown to the reader.
            "query": self.diagnostics.query or None,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Answer:
        """The answer :meth:`to_dict` gave (another process's, e.g. a running ``serve``'s); its
        ``to_dict`` is ``data`` again. Diagnostics beyond those :meth:`to_dict` keeps are empty."""
        return cls(
            text=data["text"],
            citations=tuple(Citation(**c) for c in data["citations"]),
            abstained=data["abstained"],
            confidence=data["confidence"],
            short_answer=data["short_answer"],
            timings=dict(data["timings"]),
            diagnostics=Diagnostics(query=data["query"] or "", fallback=data["fallback"],
                                    notes=tuple(data["notes"]), model=data["model"]),
            mode=data["mode"],
            claims=tuple(Claim(c["text"], c["start"], c["end"], tuple(c["citations"]), c["supported"])
                         for c in data["claims"]),
        )


@dataclass(frozen=True, slots=True)
class Turn:
    """One earlier exchange of a conversation."""

    question: str
    answer: str
    citations: tuple[Citation, ...] = ()
    short_answer: str | None = None
    #: The question as it was understood (its standalone rewrite), when known: the person and
    #: topic in focus carry through it to the next follow-up.
    query: str | None = None

    @classmethod
    def of(cls, item: Any) -> Turn:
        """Accept a Turn, a ``(question, Answer)`` pair or a ``{question, answer}`` dict."""
        if isinstance(item, Turn):
            return item
        if isinstance(item, dict) and isinstance(item.get("question"), str):
            answer = item.get("answer")
            if isinstance(answer, str):
                return cls(item["question"], answer)
        if isinstance(item, tuple | list) and len(item) == 2 and isinstance(item[0], str):
            question, answer = item
            if isinstance(answer, Answer):
                query = answer.diagnostics.query or None
                return cls(question, answer.text, answer.citations, answer.short_answer, query)
            if isinstance(answer, str):
                return cls(question, answer)
        raise InputError(
            f"A history turn must be a Turn, a (question, answer) pair or a "
            f'{{"question": ..., "answer": ...}} dict of strings, not {type(item).__name__} '
            f"{str(item)[:60]!r}."
        )


def article_summary(article: Article | ArticleSummary) -> dict[str, Any]:
    """One stored article as JSON (``list --json``, ``show --json``, the web API's ``/articles``)."""
    count = article.n_sentences if isinstance(article, ArticleSummary) else len(article.sentences)
    return {
        "id": article.id,
        "title": article.label,
        "source": article.source,
        "url": article.url,
        "date": article.date,
        "byline": article.byline,
        "added_at": article.added_at,
        "sentences": count,
    }
