"""Load and validate question sets in the evaldata JSONL schema.

One JSON object per line (see ``evals/data/README.md``). Required fields:
``source``, ``article_id``, ``title`` (string or null), ``text``,
``question``, ``answers`` (``[]`` = unanswerable) and ``evidence``
(``[[start, end], ...]`` character spans in ``text``, end exclusive).
Optional: ``id`` (defaults to ``line-N``), ``question_type``,
``evidence_any``, ``history`` (``[{question, answer}]``), ``flags`` and, for a
library-wide question (``question_type == "library"``), ``library_evidence``
(``[{article_id, evidence: [[start, end], ...]}, ...]``: the evidence in every
article, spans into that article's text; it defaults to the record's own
``evidence`` in its ``article_id``). A question with answers but no evidence is
scored on its answer only.

A malformed line raises :class:`DatasetError`, naming the line and field.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from index.errors import InputError

Span = tuple[int, int]
#: The question type of library-wide questions: asked of the whole library, not one article.
LIBRARY = "library"


class DatasetError(InputError):
    """A question set that cannot be read: the message names the line and the field."""


@dataclass(frozen=True, slots=True)
class HistoryTurn:
    """An earlier turn of a conversational record, as the dataset gives it."""

    question: str
    answer: str

    def as_dict(self) -> dict[str, str]:
        """The ``{question, answer}`` form :meth:`Assistant.ask` accepts."""
        return {"question": self.question, "answer": self.answer}


@dataclass(frozen=True, slots=True)
class EvalRecord:
    """One question about one article, with its gold answers and evidence."""

    id: str
    source: str
    article_id: str
    title: str | None
    text: str
    question: str
    #: Acceptable answers; empty when annotators judged the question unanswerable.
    answers: tuple[str, ...]
    #: Whole gold sentences, as ``(start, end)`` offsets into ``text``.
    evidence: tuple[Span, ...]
    #: Sentences any annotator touched; equals ``evidence`` when the set has none.
    evidence_any: tuple[Span, ...]
    question_type: str = "unknown"
    history: tuple[HistoryTurn, ...] = ()
    flags: tuple[str, ...] = ()
    #: A library question's evidence in every article: ``(article_id, spans)`` pairs.
    library_evidence: tuple[tuple[str, tuple[Span, ...]], ...] = ()

    @property
    def library(self) -> bool:
        """True for a library-wide question: asked without an article scope."""
        return self.question_type == LIBRARY

    @property
    def answerable(self) -> bool:
        """False when annotators judged the article not to answer the question."""
        return bool(self.answers)


def load(path: str | Path, limit: int | None = None) -> list[EvalRecord]:
    """Read and validate ``path``; ``limit`` keeps only the first N questions."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise DatasetError(
            f"{path}: no such file. Give a JSONL question set, e.g. evals/data/dev.jsonl."
        ) from None
    except (OSError, UnicodeDecodeError) as e:
        raise DatasetError(f"{path} cannot be read as UTF-8 text ({e}). Give a JSONL question set.") from e
    records: list[EvalRecord] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if limit is not None and len(records) >= limit:
            break
        records.append(parse_line(line, number, str(path)))
    if not records:
        raise DatasetError(f"{path} holds no questions. Give a JSONL file with one question per line.")
    check_consistent(records, str(path))
    return records


def parse_line(line: str, number: int, where: str = "line") -> EvalRecord:
    """Parse one JSONL line; :class:`DatasetError` names the line and the bad field."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as e:
        raise DatasetError(f"{where} line {number}: not valid JSON ({e.msg} at column {e.colno}).") from e
    if not isinstance(data, dict):
        raise DatasetError(f"{where} line {number}: expected a JSON object, got {type(data).__name__}.")
    f = _Fields(data, number, where)
    text = f.string("text")
    evidence = f.spans("evidence", len(text))
    answers = tuple(f.string_list("answers"))
    question_type = f.string("question_type", default="unknown")
    article_id = f.string("article_id")
    library_evidence = (
        f.library_evidence("library_evidence", default=[(article_id, evidence)] if evidence else [])
        if question_type == LIBRARY
        else ()
    )
    return EvalRecord(
        id=f.string("id", default=f"line-{number}"),
        source=f.string("source"),
        article_id=article_id,
        title=f.optional_string("title"),
        text=text,
        question=f.string("question"),
        answers=answers,
        evidence=evidence,
        evidence_any=f.spans("evidence_any", len(text), default=evidence),
        question_type=question_type,
        history=f.history("history"),
        flags=tuple(f.string_list("flags", default=[])),
        library_evidence=library_evidence,
    )


def check_consistent(records: Sequence[EvalRecord], where: str = "dataset") -> None:
    """Ids are unique and each ``article_id`` always comes with the same text."""
    seen_ids: set[str] = set()
    texts: dict[str, str] = {}
    for r in records:
        if r.id in seen_ids:
            raise DatasetError(f"{where}: id {r.id!r} appears twice. Give every question its own id.")
        seen_ids.add(r.id)
        if texts.setdefault(r.article_id, r.text) != r.text:
            raise DatasetError(
                f"{where}: question {r.id!r} gives article {r.article_id!r} a different text than an "
                "earlier question. One article_id must always carry the same text."
            )


class _Fields:
    """Typed access to one record's fields; every failure names line and field."""

    _MISSING = object()

    def __init__(self, data: dict[str, Any], number: int, where: str) -> None:
        self.data = data
        self.number = number
        self.where = where

    def fail(self, field: str, problem: str) -> NoReturn:
        raise DatasetError(f"{self.where} line {self.number}: field {field!r}: {problem}.")

    def _get(self, field: str, default: Any) -> Any:
        value = self.data.get(field, self._MISSING)
        if value is self._MISSING:
            if default is self._MISSING:
                self.fail(field, "missing (see evals/data/README.md for the schema)")
            return default
        return value

    def string(self, field: str, default: Any = _MISSING) -> str:
        value = self._get(field, default)
        if not isinstance(value, str) or not value.strip():
            self.fail(field, f"expected a non-empty string, got {value!r:.60}")
        return str(value)

    def optional_string(self, field: str) -> str | None:
        value = self._get(field, self._MISSING)
        if value is not None and not isinstance(value, str):
            self.fail(field, f"expected a string or null, got {value!r:.60}")
        return value or None

    def string_list(self, field: str, default: Any = _MISSING) -> list[str]:
        value = self._get(field, default)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(field, f"expected a list of strings, got {value!r:.60}")
        return list(value)

    def spans(self, field: str, length: int, default: Any = _MISSING) -> tuple[Span, ...]:
        value = self._get(field, default)
        if isinstance(value, tuple):
            return value
        if not isinstance(value, list):
            self.fail(field, f"expected a list of [start, end] spans, got {value!r:.60}")
        out: list[Span] = []
        for span in value:
            ok = (
                isinstance(span, list)
                and len(span) == 2
                and all(isinstance(v, int) and not isinstance(v, bool) for v in span)
                and 0 <= span[0] < span[1] <= length
            )
            if not ok:
                self.fail(field, f"span {span!r:.40} is not [start, end] with 0 <= start < end <= {length}")
            out.append((span[0], span[1]))
        return tuple(out)

    def library_evidence(self, field: str, default: Any) -> tuple[tuple[str, tuple[Span, ...]], ...]:
        value = self._get(field, default)
        if value is default:
            return tuple(default)
        if not isinstance(value, list):
            self.fail(field, f"expected a list of {{article_id, evidence}} objects, got {value!r:.60}")
        out: list[tuple[str, tuple[Span, ...]]] = []
        for i, item in enumerate(value):
            if not (isinstance(item, dict) and isinstance(item.get("article_id"), str)):
                self.fail(field, f"item {i} is not an object with a string 'article_id' and 'evidence'")
            # Spans index another article's text, whose length this record does not know.
            spans = _Fields(item, self.number, self.where).spans("evidence", 1 << 62)
            out.append((item["article_id"], spans))
        return tuple(out)

    def history(self, field: str) -> tuple[HistoryTurn, ...]:
        value = self._get(field, [])
        if not isinstance(value, list):
            self.fail(field, f"expected a list of {{question, answer}} objects, got {value!r:.60}")
        turns: list[HistoryTurn] = []
        for i, turn in enumerate(value):
            if not (
                isinstance(turn, dict)
                and isinstance(turn.get("question"), str)
                and isinstance(turn.get("answer"), str)
            ):
                self.fail(field, f"turn {i} is not an object with string 'question' and 'answer'")
            turns.append(HistoryTurn(turn["question"], turn["answer"]))
        return tuple(turns)
