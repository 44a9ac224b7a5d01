"""Fit the mode model of the extractive answerer (answer or evidence) from probe dumps.

    ARTICLE_ASSISTANT_ANSWER__MODE_THRESHOLD=0 .venv/bin/python -m evals.probe DATA.jsonl ... \\
        --half a --dump A.jsonl
    ARTICLE_ASSISTANT_ANSWER__MODE_THRESHOLD=0 .venv/bin/python -m evals.probe TUNE.jsonl --dump T.jsonl
    .venv/bin/python -m evals.mode A.jsonl T.jsonl [--target 0.02] [--write]

With the threshold at 0 every answer whose short answer is verified is given in
answer mode, so each dump row says whether it would be *sure and right*
(answerable, first citation is evidence, no wrong short answer leads: the
probe's ``sure_wrong`` is false). The features are the ``mode.*`` diagnostics
(:func:`assistant.answer.extractive.modes.mode_features`). A plain
L2-regularised logistic regression is fitted on every such row of the dumps
given, which must be tuning data only (dev half a, trust_tune, the project's
half-a unanswerable questions). The threshold is the lowest at which "sure and
wrong" (as a share of all questions of the dumps whose names do not contain
``unanswerable``, pooled) stays at or under ``--target``; an
article-grouped cross-validation (by the probe's article hash into four folds)
reports how well the fit ranks rows it did not see. ``--threshold`` sets the
threshold instead (recorded in the table's options): the product's pinned sure
answers on written articles need one low enough (see evals/results/weights/mode.md). ``--write`` writes the
weights and the threshold with their provenance to ``assistant/data/weights/mode.json``
(:mod:`evals.weights`).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from assistant.answer.extractive.confidence import probability
from evals import metrics
from evals import weights as tables
from evals.calibrate import fit

ABOUT = (
    "Mode of extractive answers: the logistic probability that an answer is right (first citation is "
    "evidence, no wrong short answer leads), over the features of assistant.answer.extractive.modes; "
    "'answer' mode at or above the threshold, else 'evidence' (answer.mode_weights / mode_threshold)."
)
#: Diagnostics that are no features of the model (how it was verified is in gap/typed/claim; its output).
_SKIP = {"mode.verified", "mode.p"}


def rows(path: Path) -> tuple[list[dict[str, Any]], int]:
    """The rows of a dump the mode model decides (answer mode at threshold 0, with mode features), and
    the number of questions in the dump."""
    out, total = [], 0
    with path.open(encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            total += 1
            features = dict(r["features"])
            if r["answer"]["mode"] != "answer" or "mode.p" not in features:
                continue
            x = {
                k.removeprefix("mode."): v
                for k, v in features.items()
                if k.startswith("mode.") and k not in _SKIP
            }
            out.append({"article_id": r["article_id"], "x": x, "y": not r["score"]["sure_wrong"]})
    return out, total


def fold(article_id: str, k: int = 4) -> int:
    """The article's cross-validation fold (its ID hash, like evals.probe.in_half)."""
    return hashlib.sha256(article_id.encode()).digest()[1] % k


def cross_validated(data: list[dict[str, Any]], names: list[str], l2: float, k: int = 4) -> list[float]:
    """Each row's probability from a fit on the other folds' articles."""
    out = [0.0] * len(data)
    for f in range(k):
        train = [r for r in data if fold(r["article_id"], k) != f]
        w = fit(train, names, l2)
        for i, r in enumerate(data):
            if fold(r["article_id"], k) == f:
                out[i] = probability(r["x"], w)
    return out


def sure_wrong(
    group: list[dict[str, Any]], total: int, probs: list[float], threshold: float
) -> tuple[float, float]:
    """(sure and wrong, answered sure) as shares of ``total`` questions at ``threshold``."""
    sure = [r for r, p in zip(group, probs, strict=True) if p >= threshold]
    return sum(not r["y"] for r in sure) / total, len(sure) / total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dumps", nargs="+", type=Path)
    parser.add_argument("--l2", type=float, default=1.0)
    parser.add_argument("--target", type=float, default=0.02, help="most sure-and-wrong share (pooled)")
    parser.add_argument(
        "--threshold",
        type=float,
        help="use this threshold, not the target's (recorded; e.g. the lowest p of the tests' sure answers)",
    )
    parser.add_argument("--write", action="store_true", help="write assistant/data/weights/mode.json")
    parser.add_argument(
        "--reliability",
        type=Path,
        help="fit nothing: plot the weights in use against sure-and-right on these (held-out) dumps",
    )
    args = parser.parse_args(argv)
    groups = {p: rows(p) for p in args.dumps}
    if args.reliability:
        return reliability(groups, args.reliability)
    data = [r for group, _ in groups.values() for r in group]
    names = list(data[0]["x"])
    weights = fit(data, names, args.l2)
    cv = cross_validated(data, names, args.l2)
    pairs = [(p, bool(r["y"]), True) for p, r in zip(cv, data, strict=True)]
    print(
        f"{len(data)} rows, {sum(r['y'] for r in data)} sure and right; cross-validated AUROC "
        f"{metrics.auroc(pairs):.3f}"
    )
    print("weights:", {k: round(v, 2) for k, v in weights.items()})
    scored = {p: [probability(r["x"], weights) for r in g] for p, (g, _) in groups.items()}
    counted = [p for p in args.dumps if "unanswerable" not in p.name]
    threshold = 1.0
    pooled = [r for p in counted for r in groups[p][0]]
    pooled_scores = [s for p in counted for s in scored[p]]
    questions = sum(groups[p][1] for p in counted)
    for t in np.arange(0.30, 1.0, 0.01):
        if sure_wrong(pooled, questions, pooled_scores, t)[0] <= args.target:
            threshold = round(float(t), 2)
            break
    print("threshold of the target:", threshold)
    if args.threshold is not None:
        threshold = args.threshold
    for t in sorted({threshold, 0.5, 0.6, 0.7, 0.8, 0.9}):
        shares = {
            p.name: tuple(round(v, 3) for v in sure_wrong(g, n, scored[p], t)) for p, (g, n) in groups.items()
        }
        cvs = {p.name: round(sure_wrong(g, n, _slice(cv, data, g), t)[0], 3) for p, (g, n) in groups.items()}
        print(f"threshold {t:.2f}: sure&wrong / sure {shares}; cross-validated sure&wrong {cvs}")
    print("chosen threshold:", threshold)
    if args.write:
        path = tables.write(
            "mode",
            ABOUT,
            {k: round(v, 2) for k, v in weights.items()},
            threshold=threshold,
            data="half a of the dev articles and the trust set's tune half (tuning data only): "
            + ", ".join(f"{p.name} ({len(g)} rows of {n})" for p, (g, n) in groups.items())
            + "; label: sure and right (evals.probe's sure_wrong is false)",
            options={"l2": args.l2, "target": args.target, "threshold": args.threshold},
        )
        print(f"wrote {path}")
    return 0


def reliability(groups: dict[Path, tuple[list[dict[str, Any]], int]], path: Path) -> int:
    """Plot and print how often answers of each bin of the mode model's p (the weights in use) are
    sure and right, per dump: only aggregates, so held-out dumps can be reported untouched."""
    from assistant.settings import AnswerSettings
    from evals.plots import reliability_plot

    settings = AnswerSettings()
    scored = {
        p.stem: [(probability(r["x"], settings.mode_weights), bool(r["y"]), True) for r in g]
        for p, (g, _) in groups.items()
    }
    reliability_plot(path, scored)
    edges = (0.0, 0.5, 0.6, settings.mode_threshold, 0.8, 0.9, 1.01)
    for name, points in scored.items():
        print(name, "threshold", settings.mode_threshold)
        for lo, hi in zip(edges, edges[1:], strict=False):
            members = [y for p, y, _ in points if lo <= p < hi]
            if members:
                share = sum(members) / len(members)
                print(f"  p in [{lo}, {min(hi, 1.0)}): {len(members)} answers, {share:.2f} sure and right")
    return 0


def _slice(values: list[float], data: list[dict[str, Any]], group: list[dict[str, Any]]) -> list[float]:
    """The entries of ``values`` (one per row of ``data``) for the rows of ``group``."""
    ids = {id(r) for r in group}
    return [v for v, r in zip(values, data, strict=True) if id(r) in ids]


if __name__ == "__main__":
    sys.exit(main())
