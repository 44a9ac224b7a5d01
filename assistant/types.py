"""The read path's data model: citations, answers and conversation turns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


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

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "article_id": self.article_id,
            "sentence_id": self.sentence_id,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "low_support": self.low_support,
        }


@dataclass(frozen=True, slots=True)
class Answer:
    """An answer with its citations; ``abstained`` when the article doesn't say."""

    text: str
    citations: tuple[Citation, ...]
    abstained: bool
    #: 0..1, how likely the first citation is the right evidence.
    confidence: float = 0.0
    #: The short answer (speaker, date, number…) when one was found.
    short_answer: str | None = None
    #: Milliseconds per step: ``embed``, ``retrieve``, ``answer``, ``total``.
    timings: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "text": self.text,
            "short_answer": self.short_answer,
            "abstained": self.abstained,
            "confidence": round(self.confidence, 4),
            "citations": [c.to_dict() for c in self.citations],
            "timings": {k: round(v, 2) for k, v in self.timings.items()},
        }


@dataclass(frozen=True, slots=True)
class Turn:
    """One earlier exchange of a conversation."""

    question: str
    answer: str
    citations: tuple[Citation, ...] = ()
    short_answer: str | None = None

    @classmethod
    def of(cls, item: Any) -> Turn:
        """Accept a Turn, a ``(question, Answer)`` pair or a ``{question, answer}`` dict."""
        if isinstance(item, Turn):
            return item
        if isinstance(item, dict):
            return cls(str(item["question"]), str(item["answer"]))
        question, answer = item
        if isinstance(answer, Answer):
            return cls(question, answer.text, answer.citations, answer.short_answer)
        return cls(str(question), str(answer))
