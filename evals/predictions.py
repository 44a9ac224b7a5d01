"""Predictions: what a config answered for each question, as written to predictions.jsonl.

One JSON object per line, exactly::

    {"id": str, "answer": str, "abstained": bool,
     "citations": [{"start": int, "end": int, "text": str, "sentence_id": str}],
     "latency_ms": float}

plus ``"confidence"`` and ``"mode"`` ("answer", "evidence" or "abstain") when the
system gives them (the project's answerers do, the baseline does not), and,
for a config whose answerer asked a chat model, ``"llm"``: that answer's
counters (``invented_citations``, ``model_citations``, ``answer_sentences``,
``unsupported_sentences``, ``fallback``, ``tokens_in``, ``tokens_out``,
``supported_claims``: its claims with a citation not flagged low support, and
``notes``: the answer's notes, such as structured citations answered inline).

``start``/``end`` are offsets into the record's ``text``, so
``text[start:end] == citation text`` for every citation. A library-wide question
(asked of the whole library) gives each citation an ``"article"``: the dataset
``article_id`` of the cited article, whose text the offsets index.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from index.errors import ArticleAssistantError


class OffsetMismatchError(ArticleAssistantError):
    """A citation whose offsets do not slice the record's text to the cited sentence."""


@dataclass(frozen=True, slots=True)
class PredictedCitation:
    """A cited sentence located in the record's text."""

    start: int
    end: int
    text: str
    sentence_id: str
    #: The cited article (library-wide questions only): the system's key, then the dataset ``article_id``.
    article: str | None = None

    @property
    def span(self) -> tuple[int, int]:
        return (self.start, self.end)


@dataclass(frozen=True, slots=True)
class Prediction:
    """One config's answer to one question."""

    id: str
    answer: str
    abstained: bool
    citations: tuple[PredictedCitation, ...]
    #: Wall time of the ask, rounded to a microsecond so JSON round-trips exactly.
    latency_ms: float
    #: The chat model's counters for this answer (None: no model was asked).
    llm: dict[str, Any] | None = None
    #: The answer's own confidence (None: the system gives none, as the baseline).
    confidence: float | None = None
    #: "answer", "evidence" or "abstain" (None: the system gives none, as the baseline).
    mode: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out = {
            "id": self.id,
            "answer": self.answer,
            "abstained": self.abstained,
            "citations": [_citation_dict(c) for c in self.citations],
            "latency_ms": self.latency_ms,
        }
        if self.llm is not None:
            out["llm"] = self.llm
        if self.confidence is not None:
            out["confidence"] = self.confidence
        if self.mode is not None:
            out["mode"] = self.mode
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Prediction:
        return cls(
            id=data["id"],
            answer=data["answer"],
            abstained=data["abstained"],
            citations=tuple(PredictedCitation(**c) for c in data["citations"]),
            latency_ms=float(data["latency_ms"]),
            llm=data.get("llm"),
            confidence=data.get("confidence"),
            mode=data.get("mode"),
        )


def _citation_dict(c: PredictedCitation) -> dict[str, Any]:
    out: dict[str, Any] = {"start": c.start, "end": c.end, "text": c.text, "sentence_id": c.sentence_id}
    if c.article is not None:
        out["article"] = c.article
    return out


def check_offsets(prediction: Prediction, text: str, texts: dict[str, str] | None = None) -> None:
    """Raise :class:`OffsetMismatchError` unless every citation slices its text exactly: ``text``,
    or for a citation naming its article, that article's text in ``texts``."""
    for c in prediction.citations:
        source = texts[c.article] if c.article is not None and texts is not None else text
        if source[c.start : c.end] != c.text:
            raise OffsetMismatchError(
                f"Question {prediction.id!r}: citation {c.sentence_id} at [{c.start}, {c.end}) "
                f"slices the record's text to {source[c.start : c.end]!r:.80}, not to the cited "
                f"{c.text!r:.80}. The stored article no longer matches the text given to add_text; "
                "the eval cannot map offsets and stops here."
            )


def dumps(predictions: Iterable[Prediction]) -> str:
    """predictions.jsonl content."""
    return "".join(json.dumps(p.to_dict(), ensure_ascii=False) + "\n" for p in predictions)


def read(path: str | Path) -> list[Prediction]:
    """Read a predictions.jsonl file."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [Prediction.from_dict(json.loads(line)) for line in lines if line.strip()]
