"""Pick and describe a config's worst misses for report.md."""

from __future__ import annotations

from collections.abc import Sequence

from evals.dataset import EvalRecord
from evals.predictions import Prediction

Scored = tuple[EvalRecord, Prediction, dict[str, float | None]]
_MAX_CHARS = 300
_MAX_CITATIONS = 3


def _badness(item: Scored) -> tuple[float, ...]:
    record, prediction, s = item
    if not record.answerable:
        return (0.0,) * 4 if not prediction.abstained else (2.0,) * 4
    return tuple(s[k] or 0.0 for k in ("hit_at_1_lenient", "citation_recall_lenient", "f1", "containment"))


def is_miss(item: Scored) -> bool:
    """Unanswerable and answered, or answerable with a first citation that misses all evidence."""
    record, prediction, s = item
    if not record.answerable:
        return not prediction.abstained
    return s["hit_at_1"] == 0.0 or (s["hit_at_1"] is None and not s["containment"])


def worst_misses(scored: Sequence[Scored], n: int = 10) -> list[Scored]:
    """The ``n`` worst misses; ties go to the sources in turn, then file order."""
    misses = sorted((item for item in scored if is_miss(item)), key=_badness)
    rank_in_source: dict[str, int] = {}
    keyed = []
    for position, item in enumerate(misses):
        source = item[0].source
        rank = rank_in_source.get(source, 0)
        rank_in_source[source] = rank + 1
        keyed.append(((_badness(item), rank, position), item))
    return [item for _, item in sorted(keyed, key=lambda pair: pair[0])[:n]]


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_CHARS else text[: _MAX_CHARS - 1] + "…"


def worst_misses_markdown(scored: Sequence[Scored], n: int = 10) -> list[str]:
    """Markdown lines describing the worst misses."""
    chosen = worst_misses(scored, n)
    if not chosen:
        return ["No misses."]
    lines: list[str] = []
    for i, (record, prediction, s) in enumerate(chosen, start=1):
        lines += [f"{i}. `{record.id}` ({record.source}, {record.question_type})", ""]
        if record.history:
            last = record.history[-1]
            lines.append(f"   - previous turn: {_clip(last.question)} → {_clip(last.answer)}")
        lines.append(f"   - question: {_clip(record.question)}")
        gold = " | ".join(_clip(a) for a in record.answers) if record.answers else "(unanswerable)"
        lines.append(f"   - gold answers: {gold}")
        lines.append(
            f"   - answer: {'(abstained) ' if prediction.abstained else ''}{_clip(prediction.answer)}"
        )
        for start, end in record.evidence:
            lines.append(f"   - gold evidence [{start}:{end}]: {_clip(record.text[start:end])}")
        shown = prediction.citations[:_MAX_CITATIONS]
        for c in shown:
            lines.append(f"   - cited {c.sentence_id} [{c.start}:{c.end}]: {_clip(c.text)}")
        if len(prediction.citations) > len(shown):
            lines.append(f"   - … and {len(prediction.citations) - len(shown)} more citations")
        if not prediction.citations:
            lines.append("   - cited: nothing")
        if record.answerable:
            lines.append(
                "   - scores: "
                + ", ".join(
                    f"{k} {s[k]:.2f}"
                    for k in ("hit_at_1", "citation_precision", "citation_recall", "f1", "containment")
                    if s[k] is not None
                )
            )
        lines.append("")
    return lines
