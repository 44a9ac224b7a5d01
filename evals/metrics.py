"""Scoring: pure functions from gold records and predictions to numbers.

Answers use SQuAD's normalisation (lower case, no punctuation, no articles,
single spaces; Unicode punctuation stripped too) and take the maximum over the acceptable answers. Citations
are scored by overlap of character spans, never by exact offsets: a cited
sentence is correct when it overlaps a gold ``evidence`` span.

Per question:

* ``exact_match``, ``f1``: on the answer's first line (its lead: the short
  answer when the system extracted one, e.g. "John Kirby, …" above the
  supporting sentence); ``containment``: a gold answer appears anywhere in
  the answer text. Answerable questions only; an abstention scores 0.
* ``citation_precision``: share of citations that overlap an evidence span;
  ``citation_recall``: share of evidence spans overlapped by some citation;
  ``hit_at_1``: the first citation overlaps evidence. Scored on answerable
  questions that have evidence; no citations scores 0 on all three.
* lenient variants accept ``evidence_any`` (any annotator's sentences) as
  well: precision and hit@1 against the union, recall the better of recall
  against ``evidence`` and against the union.
* ``hit_at_3``: one of the first three citations overlaps evidence.
* library-wide questions (``question_type == "library"``) are scored across
  articles (:mod:`evals.library_scoring`): a citation counts when its article
  and span overlap that article's evidence; ``cites_both``: on those whose
  evidence lies in two articles or more, evidence is cited in each.
* ``abstention_recall``: unanswerable questions that were abstained on;
  ``wrongly_abstained``: answerable questions that were abstained on.

Aggregates are means over the questions where a metric applies, and
latency percentiles over every question. For a config whose answerer asks a
chat model (predictions carry ``llm`` counters), :func:`llm_metrics` adds the
invented-citation rate (IDs the model gave that it was not shown, over all
IDs it gave), the unsupported-sentence rate (answer sentences without a valid
citation, over all its answer sentences), the fallback rate (answers the
model's own answer was not used for) and tokens per answer (when the model
reported usage).
"""

from __future__ import annotations

import bisect
import math
import re
import string
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from evals.dataset import EvalRecord, Span
from evals.library_scoring import cites_every_article, in_library
from evals.predictions import Prediction

#: Per-question metrics, in the order reports show them.
QUESTION_METRICS = (
    "hit_at_1",
    "hit_at_3",
    "citation_precision",
    "citation_recall",
    "hit_at_1_lenient",
    "citation_precision_lenient",
    "citation_recall_lenient",
    "cites_both",
    "exact_match",
    "f1",
    "containment",
    "abstention_recall",
    "wrongly_abstained",
    "citations_per_answer",
)

_PUNCTUATION = set(string.punctuation)
_ARTICLES = re.compile(r"\b(a|an|the)\b")


# -- answers ---------------------------------------------------------------


def normalize_answer(text: str) -> str:
    """SQuAD normalisation: lower case, strip punctuation and articles, collapse spaces.

    Like MLQA's variant, Unicode punctuation (curly quotes, dashes) is stripped
    too, so "Trump’s" and "Trump's" normalise alike.
    """
    text = "".join(ch for ch in text.lower() if not _is_punctuation(ch))
    return " ".join(_ARTICLES.sub(" ", text).split())


def _is_punctuation(ch: str) -> bool:
    return ch in _PUNCTUATION or unicodedata.category(ch).startswith("P")


def exact_match(prediction: str, answers: Sequence[str]) -> float:
    """1.0 when the normalised prediction equals a normalised answer."""
    pred = normalize_answer(prediction)
    return max((float(pred == normalize_answer(a)) for a in answers), default=0.0)


def token_f1(prediction: str, answers: Sequence[str]) -> float:
    """SQuAD token F1, the best over ``answers``."""
    return max((_f1(prediction, a) for a in answers), default=0.0)


def _f1(prediction: str, answer: str) -> float:
    pred, gold = normalize_answer(prediction).split(), normalize_answer(answer).split()
    if not pred or not gold:
        return float(pred == gold)
    common = sum((Counter(pred) & Counter(gold)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(pred), common / len(gold)
    return 2 * precision * recall / (precision + recall)


def lead(answer: str) -> str:
    """The answer's first non-empty line: what EM and F1 score."""
    return next((line for line in answer.splitlines() if line.strip()), "")


def containment(prediction: str, answers: Sequence[str]) -> float:
    """1.0 when a normalised answer appears, as whole words, in the normalised prediction."""
    pred = f" {normalize_answer(prediction)} "
    golds = (normalize_answer(a) for a in answers)
    return float(any(gold and f" {gold} " in pred for gold in golds))


# -- citations ---------------------------------------------------------------


def overlaps(a: Span, b: Span) -> bool:
    """True when the half-open spans share at least one character."""
    return a[0] < b[1] and b[0] < a[1]


def _touches(span: Span, gold: Sequence[Span]) -> bool:
    return any(overlaps(span, g) for g in gold)


def citation_precision(cited: Sequence[Span], evidence: Sequence[Span]) -> float:
    """Share of cited spans that overlap some evidence span; 0 when nothing is cited."""
    if not cited:
        return 0.0
    return sum(_touches(c, evidence) for c in cited) / len(cited)


def citation_recall(cited: Sequence[Span], evidence: Sequence[Span]) -> float:
    """Share of evidence spans that some cited span overlaps; 0 when there is no evidence."""
    if not evidence:
        return 0.0
    return sum(_touches(e, cited) for e in evidence) / len(evidence)


def hit_at_1(cited: Sequence[Span], evidence: Sequence[Span]) -> float:
    """1.0 when the first cited span overlaps evidence."""
    return float(bool(cited) and _touches(cited[0], evidence))


def lenient_recall(cited: Sequence[Span], evidence: Sequence[Span], evidence_any: Sequence[Span]) -> float:
    """Recall against ``evidence`` or against ``evidence`` ∪ ``evidence_any``, whichever is higher."""
    union = _union(evidence, evidence_any)
    return max(citation_recall(cited, evidence), citation_recall(cited, union))


def _union(a: Sequence[Span], b: Sequence[Span]) -> tuple[Span, ...]:
    return tuple(sorted(set(a) | set(b)))


# -- latency -------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float | None:
    """The ``p``-th percentile with linear interpolation (numpy's default); None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


# -- per question and aggregates ----------------------------------------------


def score_question(record: EvalRecord, prediction: Prediction) -> dict[str, float | None]:
    """Every per-question metric; None where a metric does not apply."""
    scores: dict[str, float | None] = dict.fromkeys(QUESTION_METRICS)
    scores["cites_both"] = cites_every_article(record, prediction)
    record, prediction = in_library(record, prediction)
    if not record.answerable:
        scores["abstention_recall"] = float(prediction.abstained)
        return scores
    scores["wrongly_abstained"] = float(prediction.abstained)
    answer = "" if prediction.abstained else prediction.answer
    scores["exact_match"] = exact_match(lead(answer), record.answers) if answer else 0.0
    scores["f1"] = token_f1(lead(answer), record.answers) if answer else 0.0
    scores["containment"] = containment(answer, record.answers)
    if not prediction.abstained:
        scores["citations_per_answer"] = float(len(prediction.citations))
    if record.evidence:
        cited = [] if prediction.abstained else [c.span for c in prediction.citations]
        union = _union(record.evidence, record.evidence_any)
        scores["hit_at_1"] = hit_at_1(cited, record.evidence)
        scores["hit_at_3"] = float(any(_touches(c, record.evidence) for c in cited[:3]))
        scores["citation_precision"] = citation_precision(cited, record.evidence)
        scores["citation_recall"] = citation_recall(cited, record.evidence)
        scores["hit_at_1_lenient"] = hit_at_1(cited, union)
        scores["citation_precision_lenient"] = citation_precision(cited, union)
        scores["citation_recall_lenient"] = lenient_recall(cited, record.evidence, record.evidence_any)
    return scores


def confidence_scores(
    records: Sequence[EvalRecord], predictions: Sequence[Prediction]
) -> list[tuple[float, bool, bool]]:
    """(confidence, right, answered) per question, where the system gives a confidence.

    Right: answerable, answered, and the first citation is evidence. Abstentions count as
    confidence 0 and unanswerable questions as never right.
    """
    out = []
    for r, p in zip(records, predictions, strict=True):
        if p.confidence is None:
            continue
        right = bool(r.answerable and not p.abstained and r.evidence and score_question(r, p)["hit_at_1"])
        out.append((0.0 if p.abstained else p.confidence, right, not p.abstained))
    return out


def auroc(scored: Sequence[tuple[float, bool, bool]]) -> float | None:
    """The chance that a right answer's confidence beats a wrong or unanswerable one's (ties half)."""
    right = sorted(c for c, ok, _ in scored if ok)
    wrong = sorted(c for c, ok, _ in scored if not ok)
    if not right or not wrong:
        return None
    wins = 0.0
    for c in right:
        below, upto = bisect.bisect_left(wrong, c), bisect.bisect_right(wrong, c)
        wins += below + 0.5 * (upto - below)
    return wins / (len(right) * len(wrong))


def risk_coverage(scored: Sequence[tuple[float, bool, bool]]) -> list[tuple[float, float]]:
    """(coverage, risk) answering only the most confident questions: one point per answered one."""
    answered = sorted((s for s in scored if s[2]), key=lambda s: -s[0])
    points, wrong = [], 0
    for i, (_, ok, _) in enumerate(answered, start=1):
        wrong += not ok
        points.append((i / max(len(scored), 1), wrong / i))
    return points


def aggregate(records: Sequence[EvalRecord], predictions: Sequence[Prediction]) -> dict[str, Any]:
    """Means of the per-question metrics, latency percentiles and counts."""
    per_question = [score_question(r, p) for r, p in zip(records, predictions, strict=True)]
    out: dict[str, Any] = {
        "questions": len(records),
        "answerable": sum(r.answerable for r in records),
        "unanswerable": sum(not r.answerable for r in records),
    }
    for name in QUESTION_METRICS:
        values = [s[name] for s in per_question if s[name] is not None]
        out[name] = sum(values) / len(values) if values else None  # type: ignore[arg-type]
    latencies = [p.latency_ms for p in predictions]
    out["auroc_confidence"] = auroc(confidence_scores(records, predictions))
    out["latency_p50_ms"] = percentile(latencies, 50)
    out["latency_p95_ms"] = percentile(latencies, 95)
    out.update(llm_metrics(predictions))
    out.update(mode_metrics(records, predictions))
    return out


MODES = ("answer", "evidence", "abstain")
#: The answer-mode metrics, in the order reports show them (see :func:`mode_metrics`).
MODE_METRICS = ("mode_answer", "mode_evidence", "mode_abstain", "sure_wrong", "shown_right")


def mode_metrics(records: Sequence[EvalRecord], predictions: Sequence[Prediction]) -> dict[str, Any]:
    """The mode mix (share of questions in each mode); "sure and wrong": answer mode on an
    unanswerable question, with a first citation that is no evidence, or with a short answer (a first
    line that is not the cited sentences) of token F1 < 0.5, as a share of all questions; and the share
    of answered answerable questions with an evidence sentence among those shown. Empty when the
    system gives no modes (the baseline)."""
    pairs = [in_library(r, p) for r, p in zip(records, predictions, strict=True) if p.mode is not None]
    if not pairs:
        return {}
    modes = [p.mode for _, p in pairs]
    out: dict[str, Any] = {f"mode_{m}": modes.count(m) / len(modes) for m in MODES}
    out["sure_wrong"] = sum(p.mode == "answer" and _wrong(r, p) for r, p in pairs) / len(pairs)
    shown = [
        any(_touches(c.span, r.evidence) for c in p.citations)
        for r, p in pairs
        if r.answerable and r.evidence and not p.abstained
    ]
    out["shown_right"] = sum(shown) / len(shown) if shown else None
    return out


def _wrong(record: EvalRecord, prediction: Prediction) -> bool:
    if not record.answerable or not prediction.citations:
        return True
    if record.evidence and not hit_at_1([c.span for c in prediction.citations], record.evidence):
        return True
    first = lead(prediction.answer).strip()
    # A claim answer's first line is its cited sentence(s); anything else leads with a short answer.
    short = not first.startswith(prediction.citations[0].text.strip())
    return short and token_f1(first, record.answers) < 0.5


#: The chat-model metrics, in the order reports show them.
LLM_METRICS = (
    "invented_citation_rate",
    "unsupported_sentence_rate",
    "fallback_rate",
    "tokens_per_answer",
    "tokens_in_per_answer",
    "tokens_out_per_answer",
)


def llm_metrics(predictions: Sequence[Prediction]) -> dict[str, Any]:
    """The chat model's rates over the predictions that carry its counters; {} when none do."""
    rows = [p.llm for p in predictions if p.llm is not None]
    if not rows:
        return {}

    def total(key: str) -> int:
        return sum(int(r.get(key) or 0) for r in rows)

    def share(part: float, whole: float) -> float | None:
        return part / whole if whole else None

    invented = total("invented_citations")
    used = [r for r in rows if r.get("tokens_in") is not None or r.get("tokens_out") is not None]
    tokens_in = [int(r.get("tokens_in") or 0) for r in used]
    tokens_out = [int(r.get("tokens_out") or 0) for r in used]
    return {
        "llm_answers": len(rows),
        "invented_citation_rate": share(invented, invented + total("model_citations")),
        "unsupported_sentence_rate": share(total("unsupported_sentences"), total("answer_sentences")),
        "fallback_rate": sum(r.get("fallback") is not None for r in rows) / len(rows),
        "tokens_per_answer": share(sum(tokens_in) + sum(tokens_out), len(used)),
        "tokens_in_per_answer": share(sum(tokens_in), len(used)),
        "tokens_out_per_answer": share(sum(tokens_out), len(used)),
    }


def summarize(records: Sequence[EvalRecord], predictions: Sequence[Prediction]) -> dict[str, Any]:
    """Aggregates overall, per ``source`` and per ``question_type``.

    ``predictions`` are matched to ``records`` by id; every record needs one.
    """
    by_id = {p.id: p for p in predictions}
    missing = [r.id for r in records if r.id not in by_id]
    if missing:
        raise ValueError(f"no prediction for {len(missing)} question(s), e.g. {missing[0]!r}")
    paired = [(r, by_id[r.id]) for r in records]
    return {
        "overall": _aggregate_pairs(paired),
        "by_source": _grouped(paired, lambda r: r.source),
        "by_question_type": _grouped(paired, lambda r: r.question_type),
    }


def _aggregate_pairs(pairs: Sequence[tuple[EvalRecord, Prediction]]) -> dict[str, Any]:
    return aggregate([r for r, _ in pairs], [p for _, p in pairs])


def _grouped(
    pairs: Sequence[tuple[EvalRecord, Prediction]], key: Callable[[EvalRecord], str]
) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[tuple[EvalRecord, Prediction]]] = {}
    for pair in pairs:
        groups.setdefault(key(pair[0]), []).append(pair)
    return {name: _aggregate_pairs(group) for name, group in groups.items()}
