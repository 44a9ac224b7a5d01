"""Fit the confidence weights of :mod:`assistant.confidence` from a probe dump.

    .venv/bin/python -m evals.probe DATA.jsonl --dump /tmp/dump.jsonl
    .venv/bin/python -m evals.calibrate /tmp/dump.jsonl [--write]

Fits a plain L2-regularised logistic regression (label: the first citation
overlaps the evidence) on the articles of half ``a`` and reports, on both
halves, the log-loss, the precision on the most confident half of answerable
questions and a reliability table, for the fitted weights and for the ones in
use. ``--write`` writes the weights fitted on half a, rounded to two decimals,
with their provenance to ``assistant/data/weights/confidence.json``
(:mod:`evals.weights`): the default of ``answer.confidence.weights``. What was
measured goes to ``evals/results/weights/confidence.md``.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np

from assistant.answer.extractive.confidence import probability
from assistant.settings import ConfidenceSettings
from evals import weights as tables
from evals.probe import in_half

WEIGHTS = ConfidenceSettings().weights


def rows(path: Path) -> list[dict[str, Any]]:
    """Answered, answerable questions with their features and label."""
    out = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            if r["answers"] and not r["answer"]["abstained"] and r["features"]:
                out.append({"article_id": r["article_id"], "x": r["features"], "y": r["score"]["hit1"]})
    return out


def fit(data: list[dict[str, Any]], names: list[str], l2: float = 1.0) -> dict[str, float]:
    """Newton's method on the penalised log-likelihood (the bias is not penalised)."""
    x = np.array([[1.0] + [r["x"][n] for n in names] for r in data])
    y = np.array([float(r["y"]) for r in data])
    w = np.zeros(x.shape[1])
    penalty = np.eye(len(w)) * l2
    penalty[0, 0] = 0.0
    for _ in range(50):
        p = 1 / (1 + np.exp(-(x @ w)))
        grad = x.T @ (p - y) + penalty @ w
        hess = (x * (p * (1 - p))[:, None]).T @ x + penalty
        w -= np.linalg.solve(hess, grad)
    return {"bias": float(w[0]), **{n: float(v) for n, v in zip(names, w[1:], strict=True)}}


def check(data: list[dict[str, Any]], weights: dict[str, float]) -> dict[str, float]:
    """Log-loss, top-half precision and a three-bin reliability table."""
    probs = [probability(r["x"], weights) for r in data]
    ys = [float(r["y"]) for r in data]
    pairs = zip(probs, ys, strict=True)
    loss = -sum(y * math.log(max(p, 1e-9)) + (1 - y) * math.log(max(1 - p, 1e-9)) for p, y in pairs)
    order = sorted(range(len(data)), key=lambda i: -probs[i])
    top = order[: len(order) // 2]
    top_half = round(sum(ys[i] for i in top) / len(top), 3)
    out = {"n": len(data), "logloss": round(loss / len(data), 3), "top_half": top_half}
    for lo, hi in ((0.0, 0.5), (0.5, 0.8), (0.8, 1.01)):
        members = [i for i in range(len(data)) if lo <= probs[i] < hi]
        if members:
            mean_p = sum(probs[i] for i in members) / len(members)
            mean_y = sum(ys[i] for i in members) / len(members)
            out[f"[{lo},{hi}) n/p/acc"] = f"{len(members)}/{mean_p:.2f}/{mean_y:.2f}"  # type: ignore[assignment]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dump", type=Path)
    parser.add_argument("--l2", type=float, default=1.0)
    parser.add_argument("--write", action="store_true", help="write assistant/data/weights/confidence.json")
    args = parser.parse_args(argv)
    data = rows(args.dump)
    names = [n for n in WEIGHTS if n != "bias"]
    halves = {h: [r for r in data if in_half(r["article_id"], h)] for h in ("a", "b")}
    fitted = fit(halves["a"], names, args.l2)
    full = fit(data, names, args.l2)
    print("fitted on a:", {k: round(v, 2) for k, v in fitted.items()})
    print("fitted on all:", {k: round(v, 2) for k, v in full.items()})
    for label, weights in (("in use", dict(WEIGHTS)), ("fitted on a", fitted)):
        for h, group in halves.items():
            print(f"{label:12} half {h}:", check(group, weights))
    if args.write:
        path = tables.write(
            "confidence",
            tables.read("confidence")["about"],
            {k: round(v, 2) for k, v in fitted.items()},
            data=f"half a of the articles of {args.dump} (evals.probe.in_half): {len(halves['a'])} answered "
            "answerable questions; label: the first citation overlaps the evidence",
            options={"l2": args.l2},
        )
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
