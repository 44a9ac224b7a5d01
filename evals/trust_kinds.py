"""Per-kind figures of issue 21 from an eval's ``predictions.jsonl`` (the harness groups by
``question_type`` but has no lead/sure-and-wrong/hit@3 figures).

    PYTHONPATH=$PWD python -m evals.trust_kinds evals/data/trust/trust_tune.jsonl \
        /tmp/trust_base_tune/default/predictions.jsonl [--markdown]

Per kind (``question_type``) and overall:

* ``lead_n`` / ``lead_right``: answers whose first line is a typed short answer (the
  first non-empty line is not the first cited sentence itself), and the share of
  those with token F1 >= 0.5 against a gold answer (unanswerable questions: never right).
* ``sure_wrong``: among answers given (not abstained), the share with confidence >=
  :data:`SURE` that are wrong: unanswerable, or the first citation is not evidence, or a
  short answer leads and is wrong. "Sure" is answer *mode* (``mode == "answer"``); for
  predictions made before modes existed, the confidence threshold the issue used for its
  held-out figure (0.8). A summary has no short answer: it is right when it cites the lead.
* ``hit1`` / ``hit3``: answerable questions with evidence whose first / any of the first
  three citations overlaps a gold evidence sentence (abstained = 0).
* ``wrong_abst``: answerable questions abstained on; ``unans_abst``: unanswerable
  questions abstained on.
* ``cites_both``: library questions whose evidence lies in two articles that cite
  evidence in each (library questions are scored across articles, see
  :mod:`evals.library_scoring`).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from evals.dataset import EvalRecord, load
from evals.library_scoring import cites_every_article, in_library
from evals.metrics import lead, overlaps, token_f1
from evals.predictions import Prediction, read

#: Confidence at or above which an answer counts as "sure" (no answer mode yet).
SURE = 0.8
RIGHT_F1 = 0.5
COLUMNS = (
    "n",
    "lead_n",
    "lead_right",
    "sure_wrong",
    "hit1",
    "hit3",
    "wrong_abst",
    "unans_abst",
    "cites_both",
)


def _is_evidence(span: tuple[int, int], record: EvalRecord) -> bool:
    return any(overlaps(span, g) for g in record.evidence)


def short_lead(p: Prediction) -> str | None:
    """The typed short answer leading ``p``, or None when the answer starts with its sentence."""
    if p.abstained or not p.answer.strip():
        return None
    first = lead(p.answer).strip()
    if p.citations and (
        first == p.citations[0].text.strip() or p.citations[0].text.strip().startswith(first)
    ):
        return None
    if any(first == c.text.strip() for c in p.citations):
        return None
    return first


def judge(r: EvalRecord, p: Prediction) -> dict[str, Any]:
    """One question's flags (None where a figure does not apply)."""
    both = cites_every_article(r, p)
    r, p = in_library(r, p)
    # A summary's first line is its lead sentence, not a short answer.
    short = None if r.question_type == "summary" else short_lead(p)
    short_right = None if short is None else (r.answerable and token_f1(short, r.answers) >= RIGHT_F1)
    cited = [c.span for c in p.citations] if not p.abstained else []
    has_ev = r.answerable and bool(r.evidence)
    hit1 = (bool(cited) and _is_evidence(cited[0], r)) if has_ev else None
    hit3 = any(_is_evidence(c, r) for c in cited[:3]) if has_ev else None
    sure = not p.abstained and (p.mode == "answer" if p.mode else (p.confidence or 0.0) >= SURE)
    wrong = (not r.answerable) or (has_ev and not hit1) or (short_right is False)
    return {
        "short": short,
        "short_right": short_right,
        "answered": not p.abstained,
        "sure_wrong": (sure and wrong) if not p.abstained else None,
        "hit1": hit1,
        "hit3": hit3,
        "wrong_abst": p.abstained if r.answerable else None,
        "unans_abst": p.abstained if not r.answerable else None,
        "cites_both": None if both is None else bool(both),
    }


def _mean(values: Sequence[bool | None]) -> float | None:
    vals = [v for v in values if v is not None]
    return sum(vals) / len(vals) if vals else None


def figures(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    leads = [r for r in rows if r["short"] is not None]
    return {
        "n": len(rows),
        "lead_n": len(leads),
        "lead_right": _mean([r["short_right"] for r in leads]),
        "sure_wrong": _mean([r["sure_wrong"] for r in rows]),
        "hit1": _mean([r["hit1"] for r in rows]),
        "hit3": _mean([r["hit3"] for r in rows]),
        "wrong_abst": _mean([r["wrong_abst"] for r in rows]),
        "unans_abst": _mean([r["unans_abst"] for r in rows]),
        "cites_both": _mean([r["cites_both"] for r in rows]),
    }


def by_kind(records: Sequence[EvalRecord], predictions: Sequence[Prediction]) -> dict[str, dict[str, Any]]:
    preds = {p.id: p for p in predictions}
    missing = [r.id for r in records if r.id not in preds]
    if missing:
        raise SystemExit(f"no prediction for {len(missing)} question(s), e.g. {missing[0]!r}")
    judged: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        judged.setdefault(r.question_type, []).append(judge(r, preds[r.id]))
    out = {kind: figures(rows) for kind, rows in sorted(judged.items())}
    out["all"] = figures([row for rows in judged.values() for row in rows])
    return out


def markdown(table: dict[str, dict[str, Any]]) -> str:
    head = "| kind | " + " | ".join(COLUMNS) + " |"
    lines = [head, "|---|" + "---:|" * len(COLUMNS)]
    for kind, f in table.items():
        cells = []
        for c in COLUMNS:
            v = f[c]
            cells.append("–" if v is None else (str(v) if isinstance(v, int) else f"{v:.2f}"))
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Per-kind issue-21 figures from predictions.jsonl")
    p.add_argument("data", type=Path)
    p.add_argument("predictions", type=Path)
    p.add_argument("--markdown", action="store_true")
    args = p.parse_args(argv)
    table = by_kind(load(args.data), read(args.predictions))
    print(markdown(table) if args.markdown else json.dumps(table, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
