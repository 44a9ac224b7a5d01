"""Calibrate the citation support score (:class:`assistant.cite.SupportScorer`) on the dev split.

    .venv/bin/python -m evals.support [DATA.jsonl] [--l2 1.0] [--write]

Asks every answerable question (with evidence) of the default extractive
Assistant, and for each citation records the two support features (claim =
the standalone question; see :mod:`assistant.cite`) and the label: the cited
sentence overlaps a gold evidence span. Fits a logistic regression
(:func:`evals.calibrate.fit`) on the articles of half a
(:func:`evals.probe.in_half`) and reports on half b: log-loss, ranking AUC,
and how well each way of flagging "low support" finds the wrong citations:
the extractive answerer's own flag (answer confidence below 0.5) against the
support score below its threshold. ``--write`` writes the weights, rounded to
two decimals, and the threshold with their provenance to
``assistant/data/weights/support.json`` (:mod:`evals.weights`): the defaults of
``answer.support.weights`` / ``low_support``. The result when this was added is
in ``evals/results/weights/support.md``.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
from pathlib import Path
from typing import Any

from evals import weights as tables
from evals.calibrate import fit
from evals.metrics import overlaps
from evals.probe import default_paths, in_half

FEATURES = ["lexical", "dense"]


def collect(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per citation of the default Assistant: features, label, flags, half."""
    from assistant.api import Assistant
    from assistant.cite import SupportScorer
    from assistant.settings import Settings

    rows = []
    with tempfile.TemporaryDirectory() as tmp, Assistant(Settings(data_dir=Path(tmp))) as assistant:
        scorer = SupportScorer(assistant.settings.answer.support)
        ids: dict[str, str] = {}
        for r in records:
            if r["article_id"] not in ids:
                ids[r["article_id"]] = assistant.add_text(r["text"]).article.id
        for r in records:
            if not r["answers"] or not r["evidence"]:
                continue
            article = assistant.get(ids[r["article_id"]])
            answer = assistant.ask(r["question"], article=article.id, history=r.get("history") or [])
            if answer.abstained:
                continue
            gold = [tuple(e) for e in r["evidence"]]
            for c in answer.citations:
                sentence = article.sentence(c.sentence_id)
                claim = answer.diagnostics.query
                vectors = assistant.store.article_vectors(article.id, [s.id for s in article.sentences])
                x = scorer.features(claim, assistant.embedder.embed([claim])[0], sentence, vectors)
                rows.append({
                    "article_id": r["article_id"],
                    "x": x,
                    "y": float(any(overlaps((c.start, c.end), g) for g in gold)),
                    "flag_answerer": c.low_support,
                    "support": c.support,
                })
    return rows


def probability(x: dict[str, float], w: dict[str, float]) -> float:
    z = w["bias"] + sum(w[n] * x[n] for n in FEATURES)
    return 1 / (1 + math.exp(-z))


def auc(scores: list[float], labels: list[float]) -> float:
    """Probability that a right citation outscores a wrong one (ties count half)."""
    pos = [s for s, y in zip(scores, labels, strict=True) if y]
    neg = [s for s, y in zip(scores, labels, strict=True) if not y]
    if not pos or not neg:
        return float("nan")
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def flag_quality(flags: list[bool], labels: list[float]) -> dict[str, float]:
    """How well flags find the wrong citations: share flagged, precision, recall, F1."""
    wrong = [not y for y in labels]
    hit = sum(f and w for f, w in zip(flags, wrong, strict=True))
    p = hit / sum(flags) if any(flags) else 0.0
    r = hit / sum(wrong) if any(wrong) else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"flagged": round(sum(flags) / len(flags), 3), "precision": round(p, 3), "recall": round(r, 3),
            "f1": round(f1, 3)}


def report(rows: list[dict[str, Any]], w: dict[str, float], threshold: float) -> dict[str, Any]:
    probs = [probability(r["x"], w) for r in rows]
    ys = [r["y"] for r in rows]
    loss = -sum(y * math.log(max(p, 1e-9)) + (1 - y) * math.log(max(1 - p, 1e-9))
                for p, y in zip(probs, ys, strict=True)) / len(rows)
    return {
        "n": len(rows),
        "base_rate": round(sum(ys) / len(ys), 3),
        "logloss": round(loss, 3),
        "auc": round(auc(probs, ys), 3),
        "flags_answerer": flag_quality([r["flag_answerer"] for r in rows], ys),
        "flags_support": flag_quality([p < threshold for p in probs], ys),
    }


def best_threshold(rows: list[dict[str, Any]], w: dict[str, float], most: float = 0.25) -> float:
    """The threshold (0.30 to 0.95, step 0.05) whose flags find wrong citations best (F1),
    flagging at most ``most`` of the citations (a flag on half of them would tell a reader nothing)."""
    probs = [probability(r["x"], w) for r in rows]
    ys = [r["y"] for r in rows]
    grid = [round(0.3 + 0.05 * i, 2) for i in range(14)]
    allowed = [t for t in grid if flag_quality([p < t for p in probs], ys)["flagged"] <= most] or grid[:1]
    return max(allowed, key=lambda t: flag_quality([p < t for p in probs], ys)["f1"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="*", type=Path)
    parser.add_argument("--l2", type=float, default=1.0)
    parser.add_argument("--threshold", type=float, help="flag below this (default: best F1 on half a)")
    parser.add_argument("--write", action="store_true", help="write assistant/data/weights/support.json")
    args = parser.parse_args(argv)
    paths = args.data or default_paths()[:1]
    records = [json.loads(line) for p in paths for line in p.read_text(encoding="utf-8").splitlines() if line]
    rows = collect(records)
    halves = {h: [r for r in rows if in_half(r["article_id"], h)] for h in ("a", "b")}
    weights = fit(halves["a"], FEATURES, args.l2)
    threshold = args.threshold if args.threshold is not None else best_threshold(halves["a"], weights)
    how = " (best F1 on half a, at most 25% flagged)" if args.threshold is None else ""
    print(f"threshold: {threshold:.2f}{how}")
    base = sum(r["y"] for r in halves["a"]) / len(halves["a"])
    print("fitted on half a:", {k: round(v, 2) for k, v in weights.items()}, f"(half a base rate {base:.3f})")
    constant = {"bias": math.log(base / (1 - base)), **dict.fromkeys(FEATURES, 0.0)}
    for h in ("a", "b"):
        print(f"half {h}:", json.dumps(report(halves[h], weights, threshold)))
        print(f"half {h} constant:", json.dumps(report(halves[h], constant, threshold)["logloss"]))
    if args.write:
        path = tables.write(
            "support",
            tables.read("support")["about"],
            {k: round(v, 2) for k, v in weights.items()},
            threshold=round(threshold, 2),
            data=f"half a of the articles of {', '.join(map(str, paths))} (evals.probe.in_half): "
            f"{len(halves['a'])} citations of answered questions with evidence; label: the cited sentence "
            "overlaps a gold evidence span",
            options={"l2": args.l2, "most_flagged": 0.25},
        )
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
