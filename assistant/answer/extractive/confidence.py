"""Calibrated confidence: the probability that an answer's first citation is evidence.

A small logistic function of features the answerer already has (the cited
hit's fused score, its margin over the next candidate, term coverage, dense
similarity, the question's kind, whether a short answer or speaker was found).
The coefficients are the setting ``answer.confidence.weights``, whose default
is the small table ``assistant/data/weights/confidence.json``: fitted by plain
logistic regression on one half of the dev articles (split by article-ID hash,
``evals.probe --half a``) and checked on the other half (see
``evals/results/weights/confidence.md``). Refit them with
``python -m evals.calibrate DUMP --write`` after changing retrieval or reranking.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from assistant.analysis.questions import Question
from assistant.settings import ConfidenceSettings
from assistant.types import Hit


def features(
    hits: Sequence[Hit],
    cited: tuple[str, str] | None,
    question: Question,
    follow_up: bool,
    short_found: bool,
    typed: bool = False,
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
        "type_match": float(short_found and typed and not question.who_said),
    }


def probability(values: Mapping[str, float], weights: Mapping[str, float] | None = None) -> float:
    """The logistic of the weighted features (0.0 when there are none); weights default to settings'."""
    if not values:
        return 0.0
    if weights is None:
        weights = ConfidenceSettings().weights
    z = weights.get("bias", 0.0) + sum(weights.get(k, 0.0) * v for k, v in values.items())
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
