"""Calibrated confidence: the probability that an answer's first citation is evidence.

A small logistic function of features the answerer already has (the cited
hit's fused score, its margin over the next candidate, term coverage, dense
similarity, the question's kind, whether a short answer or speaker was found).
The coefficients are heuristic weights kept here as constants, not a trained
model file: they were fitted by plain logistic regression on one half of the
dev articles (split by article-ID hash, ``evals.probe --half a``) and checked
on the other half (see ``evals/results/`` and ``evals/probe.py``). Refit them
with ``python -m evals.calibrate`` after changing retrieval or reranking.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from assistant.questions import Question
from assistant.retrieve import Hit

#: Feature name → weight; "bias" is the intercept. Fitted as described above, on half a
#: (155 answered questions, L2 = 1); on half b they gave log-loss 0.45 and precision 0.93
#: on the most confident half, and answers scored >= 0.8 were right 91% of the time.
WEIGHTS: Mapping[str, float] = {
    "bias": -0.18,
    "score": 0.07,
    "margin": 1.63,
    "coverage": 1.77,
    "dense": 0.55,
    "lexical": -0.92,
    "follow_up": -0.42,
    "who_said": 0.59,
    "yes_no": 0.74,
    "short_found": 0.66,
    "short_missing": -0.87,
}
#: Citations of answers below this probability are flagged ``low_support``: the answer is
#: more likely wrong than right (on the held-back half, answers under 0.5 were right 40-50%
#: of the time; those over 0.8, 91%).
LOW_SUPPORT = 0.5


def features(
    hits: Sequence[Hit],
    cited: tuple[str, str] | None,
    question: Question,
    follow_up: bool,
    short_found: bool,
) -> dict[str, float]:
    """The confidence features of an answer citing ``cited`` first."""
    if not hits:
        return {}
    top = next((h for h in hits if (h.article_id, h.sentence_id) == cited), hits[0])
    others = [h.score for h in hits if h is not top]
    margin = top.score - max(others) if others else top.score
    return {
        "score": top.score,
        "margin": margin,
        "coverage": top.coverage,
        "dense": top.dense,
        "lexical": top.lexical,
        "follow_up": float(follow_up),
        "who_said": float(question.who_said),
        "yes_no": float(question.kind == "yes_no"),
        "short_found": float(question.wants_short and short_found),
        "short_missing": float(question.wants_short and not short_found and not question.who_said),
    }


def probability(values: Mapping[str, float], weights: Mapping[str, float] = WEIGHTS) -> float:
    """The logistic of the weighted features (0.0 when there are none)."""
    if not values:
        return 0.0
    z = weights.get("bias", 0.0) + sum(weights.get(k, 0.0) * v for k, v in values.items())
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
