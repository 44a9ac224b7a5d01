"""Fit the calibrated abstention of the extractive answerer from a probe dump.

    .venv/bin/python -m evals.probe evals/data/dev.jsonl evals/data/project_unanswerable.jsonl \\
        evals/data/project_unanswerable_tune.jsonl --half a --dump /tmp/a.jsonl
    .venv/bin/python -m evals.probe evals/data/trust/trust_tune.jsonl --dump /tmp/t.jsonl
    .venv/bin/python -m evals.abstention /tmp/a.jsonl --whole /tmp/t.jsonl [--cap 0.03] [--folds 5] [--write]

Rows are the questions the hard checks let through (their ``evidence.*``
features are in the dump); the label is "unanswerable". The logistic is fitted
by Newton's method with an L2 penalty (the bias is not penalised) on half a of
the articles only (and every question of each ``--whole`` dump, a tuning set of its own
articles such as trust_tune); the table shows, for each threshold, how many answerable
questions of the dump would be abstained on (counting those the hard checks
already abstain on) and how many unanswerable ones. ``--write`` writes the
weights and the chosen threshold, with their provenance, to
``assistant/data/weights/abstention.json`` (:mod:`evals.weights`): the defaults
of ``answer.abstain.evidence_weights`` / ``evidence_threshold``. What was
measured goes to ``evals/results/weights/abstention.md``.

``--folds K`` cross-validates by article: each article's questions are scored by weights fitted
without that article's fold, and the threshold is chosen on those out-of-fold probabilities, so
the printed shares are what the features are worth on articles the fit did not see.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from evals import weights as tables
from evals.probe import in_half

FEATURES = ("typed_uncited", "noun_uncited", "verb_uncited", "confidence", "follow_up")


def rows(path: Path, half: str | None = "a") -> list[dict[str, Any]]:
    """Every question of the dump in ``half``, with its features (empty when a hard check abstained)."""
    out = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            if not in_half(r["article_id"], half):
                continue
            feats = r["features"]
            x = {k.removeprefix("evidence."): v for k, v in feats.items() if k.startswith("evidence.")}
            x.setdefault("follow_up", feats.get("follow_up", 0.0))
            hard = r["answer"]["abstained"] and not (r.get("abstain_reason") or "").startswith("the evidence")
            out.append(
                # "judged": the calibrated decision saw it (summaries and "What else did he say?"
                # answers bypass it; a hard check may have abstained before it).
                {"x": x, "y": float(not r["answers"]), "hard": hard, "source": r["source"],
                 "article": r["article_id"], "judged": "evidence.p" in feats}
            )
    return out


def fit(
    data: list[dict[str, Any]], names: tuple[str, ...], l2: float = 1.0, answerable_weight: float = 1.0
) -> dict[str, float]:
    """Penalised logistic regression (Newton's method); answerable rows count ``answerable_weight``
    times (a wrong abstention costs more than a missed one)."""
    x = np.array([[1.0] + [r["x"][n] for n in names] for r in data])
    y = np.array([r["y"] for r in data])
    c = np.where(y > 0, 1.0, answerable_weight)
    w = np.zeros(x.shape[1])
    penalty = np.eye(len(w)) * l2
    penalty[0, 0] = 0.0
    for _ in range(50):
        p = 1 / (1 + np.exp(-(x @ w)))
        hess = (x * (c * p * (1 - p))[:, None]).T @ x + penalty
        w -= np.linalg.solve(hess, x.T @ (c * (p - y)) + penalty @ w)
    rounded = {n: round(float(v), 2) for n, v in zip(names, w[1:], strict=True)}
    return {"bias": round(float(w[0]), 2), **rounded}


def probability(x: dict[str, float], weights: dict[str, float]) -> float:
    z = weights["bias"] + sum(weights[k] * x.get(k, 0.0) for k in weights if k != "bias")
    return float(1 / (1 + np.exp(-z)))


def fold_of(article_id: str, folds: int) -> int:
    """A fixed fold per article (hash of its ID, independent of the half split's bit)."""
    return int(hashlib.sha256(article_id.encode()).hexdigest()[2:10], 16) % folds


def out_of_fold(
    data: list[dict[str, Any]], names: tuple[str, ...], folds: int, l2: float, answerable_weight: float
) -> list[dict[str, Any]]:
    """``data`` with ``p`` set by weights fitted on the other folds' articles (hard rows: p 1)."""
    out = []
    for k in range(folds):
        train = [r for r in data if fold_of(r["article"], folds) != k and r["judged"]]
        weights = fit(train, names, l2, answerable_weight)
        out += [
            {**r, "p": 1.0 if r["hard"] else probability(r["x"], weights) if r["judged"] else 0.0}
            for r in data
            if fold_of(r["article"], folds) == k
        ]
    return out


def choose_p(data: list[dict[str, Any]], cap: float) -> tuple[float, float, float]:
    """:func:`choose` over precomputed probabilities ``p`` (out of fold)."""
    answerable = [r for r in data if not r["y"]]
    unanswerable = [r for r in data if r["y"]]
    best = (1.0, 1.0, -1.0)
    for t in np.arange(0.3, 0.95, 0.005):
        shares = [sum(r["p"] >= t for r in g) / max(len(g), 1) for g in (answerable, unanswerable)]
        if shares[0] <= cap and shares[1] > best[2]:
            best = (round(float(t), 3), round(shares[0], 3), round(shares[1], 3))
    return best


def table(data: list[dict[str, Any]], weights: dict[str, float]) -> list[tuple[float, float, float]]:
    """(threshold, share of answerable abstained, share of unanswerable abstained), hard checks included."""
    out = []
    answerable = [r for r in data if not r["y"]]
    unanswerable = [r for r in data if r["y"]]
    for t in np.arange(0.30, 0.91, 0.05):

        def abstains(r: dict[str, Any], t: float = float(t)) -> bool:
            return bool(r["hard"] or (r["judged"] and probability(r["x"], weights) >= t))

        a = sum(map(abstains, answerable)) / max(len(answerable), 1)
        u = sum(map(abstains, unanswerable)) / max(len(unanswerable), 1)
        out.append((round(float(t), 2), round(a, 3), round(u, 3)))
    return out


def choose(data: list[dict[str, Any]], weights: dict[str, float], cap: float) -> tuple[float, float, float]:
    """The threshold (0.005 steps) that abstains on the most unanswerable questions while abstaining on
    at most ``cap`` of the answerable ones (hard checks included): (threshold, answerable, unanswerable)."""
    answerable = [r for r in data if not r["y"]]
    unanswerable = [r for r in data if r["y"]]
    best = (1.0, 1.0, -1.0)
    for t in np.arange(0.3, 0.95, 0.005):
        shares = [
            sum(bool(r["hard"] or (r["judged"] and probability(r["x"], weights) >= t)) for r in group)
            / max(len(group), 1)
            for group in (answerable, unanswerable)
        ]
        if shares[0] <= cap and shares[1] > best[2]:
            best = (round(float(t), 3), round(shares[0], 3), round(shares[1], 3))
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dump", type=Path)
    parser.add_argument("--whole", type=Path, action="append", default=[],
                        help="a dump whose every question is tuning data (trust_tune); repeatable")
    parser.add_argument("--folds", type=int, default=0, help="cross-validate by article (0: off)")
    parser.add_argument("--l2", type=float, default=1.0)
    parser.add_argument("--features", default=",".join(FEATURES))
    parser.add_argument("--answerable-weight", type=float, default=1.0)
    parser.add_argument("--cap", type=float, default=0.05, help="most answerable questions abstained on")
    parser.add_argument("--write", action="store_true", help="write assistant/data/weights/abstention.json")
    args = parser.parse_args(argv)
    names = tuple(args.features.split(","))
    train = rows(args.dump, "a") + [r for path in args.whole for r in rows(path, None)]
    if args.folds:
        t, a, u = choose_p(out_of_fold(train, names, args.folds, args.l2, args.answerable_weight), args.cap)
        print(f"{args.folds}-fold by article, out of fold: threshold {t} (answerable abstained {a}, "
              f"unanswerable abstained {u})")
    weights = fit([r for r in train if r["judged"]], names, args.l2, args.answerable_weight)
    print(json.dumps(weights))
    t, a, u = choose(train, weights, args.cap)
    print(f"chosen on half a: threshold {t} (answerable abstained {a}, unanswerable abstained {u})")
    if args.write:
        path = tables.write(
            "abstention",
            tables.read("abstention")["about"],
            weights,
            threshold=t,
            data=f"half a of the articles of {args.dump} (evals.probe.in_half)"
            + "".join(f" and every question of {p}" for p in args.whole)
            + ", questions the hard checks let through",
            options={"l2": args.l2, "answerable_weight": args.answerable_weight, "cap": args.cap,
                     "folds": args.folds},
        )
        print(f"wrote {path}")
    check = rows(args.dump, "b")
    print("threshold  half a: answerable / unanswerable abstained" + ("   half b" if check else ""))
    other = table(check, weights) if check else []
    for i, (t, a, u) in enumerate(table(train, weights)):
        b = other[i] if i < len(other) else None
        print(f"{t:9}  {a:8} / {u:<8}" + (f"   {b[1]:8} / {b[2]:<8}" if b else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
