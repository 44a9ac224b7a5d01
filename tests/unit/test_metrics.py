"""Every eval metric on hand-made cases, and the dataset loader's errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import evals
from evals.dataset import DatasetError, EvalRecord, HistoryTurn, load
from evals.metrics import (
    aggregate,
    citation_precision,
    citation_recall,
    containment,
    exact_match,
    hit_at_1,
    lenient_recall,
    normalize_answer,
    percentile,
    score_question,
    summarize,
    token_f1,
)
from evals.predictions import OffsetMismatchError, PredictedCitation, Prediction, check_offsets
from index.errors import InputError

TEXT = "Alice met Bob. Bob said hello. Carol left early. Dan stayed."
S1, S2, S3, S4 = (0, 14), (15, 30), (31, 48), (49, 60)


def record(**changes: object) -> EvalRecord:
    base: dict[str, object] = dict(
        id="q1",
        source="src",
        article_id="a1",
        title=None,
        text=TEXT,
        question="Who said hello?",
        answers=("Bob",),
        evidence=(S2,),
        evidence_any=(S2,),
        question_type="factoid",
    )
    base.update(changes)
    return EvalRecord(**base)  # type: ignore[arg-type]


def prediction(answer: str = "Bob", spans: tuple[tuple[int, int], ...] = (S2,), abstained: bool = False,
               latency_ms: float = 10.0, id: str = "q1") -> Prediction:  # fmt: skip
    cites = tuple(PredictedCitation(s, e, TEXT[s:e], f"s{i}") for i, (s, e) in enumerate(spans, 1))
    return Prediction(id, answer, abstained, cites, latency_ms)


# -- answers ---------------------------------------------------------------


def test_normalisation_is_squads() -> None:
    assert normalize_answer("The  Quick, brown FOX!") == "quick brown fox"
    assert normalize_answer("an apple a day") == "apple day"
    assert normalize_answer("“Trump’s” — team") == normalize_answer('"Trump\'s" team') == "trumps team"


@pytest.mark.parametrize("metric", [exact_match, token_f1, containment])
def test_answer_metrics_perfect_and_empty(metric) -> None:  # type: ignore[no-untyped-def]
    assert metric("Bob Smith", ["bob smith."]) == 1.0
    assert metric("", ["Bob Smith"]) == 0.0
    assert metric("Carol", ["Bob Smith"]) == 0.0
    assert metric("Bob Smith", []) == 0.0


def test_exact_match_takes_the_best_answer() -> None:
    assert exact_match("the Saturday", ["Saturday night", "Saturday"]) == 1.0
    assert exact_match("Saturday evening", ["Saturday night", "Saturday"]) == 0.0


def test_f1_partial_overlap_is_the_exact_fraction() -> None:
    # pred tokens {john, kirby, said}, gold {john, kirby}: P = 2/3, R = 1 → F1 = 0.8
    assert token_f1("John Kirby said", ["John Kirby"]) == pytest.approx(0.8)
    # the max over answers: 0.8 against "John Kirby", 0.5 against "Kirby" (P=1/3, R=1)
    assert token_f1("John Kirby said", ["Kirby", "John Kirby"]) == pytest.approx(0.8)
    assert token_f1("John Kirby said", ["Kirby"]) == pytest.approx(0.5)


def test_containment_needs_whole_words() -> None:
    assert containment("It was John Kirby, the coordinator.", ["john kirby"]) == 1.0
    assert containment("Kirbyson spoke", ["Kirby"]) == 0.0
    assert containment("Kirby spoke", ["John Kirby"]) == 0.0
    assert containment("anything", ["the"]) == 0.0  # normalises to nothing: never credited


# -- citations -----------------------------------------------------------------


def test_citation_metrics_perfect_and_empty() -> None:
    for metric in (citation_precision, citation_recall, hit_at_1):
        assert metric([S2], [S2]) == 1.0
        assert metric([], [S2]) == 0.0
    assert citation_recall([S2], []) == 0.0


def test_citation_overlap_not_exact_offsets() -> None:
    inside = (20, 25)  # part of S2
    assert citation_precision([inside], [S2]) == 1.0
    assert hit_at_1([inside], [S2]) == 1.0
    touching = (S2[1], S3[1])  # starts where S2 ends: no shared character
    assert citation_precision([touching], [S2]) == 0.0


def test_citation_partial_overlap_exact_fractions() -> None:
    cited = [S1, S2, S3]
    evidence = [S2, S4]
    assert citation_precision(cited, evidence) == pytest.approx(1 / 3)
    assert citation_recall(cited, evidence) == pytest.approx(1 / 2)
    assert hit_at_1(cited, evidence) == 0.0
    assert hit_at_1([S4, S1], evidence) == 1.0


def test_lenient_recall_is_the_better_of_strict_and_union() -> None:
    evidence, any_ = [S2], [S2, S3]
    assert lenient_recall([S3], evidence, any_) == pytest.approx(0.5)  # union: 1 of 2
    assert lenient_recall([S2], evidence, any_) == 1.0  # strict: 1 of 1
    assert lenient_recall([S1], evidence, any_) == 0.0


# -- per question ------------------------------------------------------------------


def test_perfect_prediction_scores_one() -> None:
    scores = score_question(record(), prediction())
    for name in ("hit_at_1", "citation_precision", "citation_recall", "exact_match", "f1", "containment"):
        assert scores[name] == 1.0, name
    assert scores["wrongly_abstained"] == 0.0
    assert scores["abstention_recall"] is None


def test_empty_prediction_scores_zero() -> None:
    scores = score_question(record(), prediction(answer="", spans=()))
    for name in ("hit_at_1", "citation_precision", "citation_recall", "exact_match", "f1", "containment"):
        assert scores[name] == 0.0, name


def test_abstaining_on_an_answerable_question_scores_zero_even_with_citations() -> None:
    scores = score_question(record(), prediction(answer="Bob", abstained=True))
    assert scores["wrongly_abstained"] == 1.0
    assert scores["f1"] == scores["containment"] == scores["citation_recall"] == 0.0


def test_lenient_metrics_accept_evidence_any() -> None:
    r = record(evidence=(S2,), evidence_any=(S2, S3))
    scores = score_question(r, prediction(spans=(S3, S2)))
    assert scores["hit_at_1"] == 0.0 and scores["hit_at_1_lenient"] == 1.0
    assert scores["citation_precision"] == 0.5 and scores["citation_precision_lenient"] == 1.0
    assert scores["citation_recall"] == 1.0 and scores["citation_recall_lenient"] == 1.0


def test_unanswerable_is_credited_only_when_abstained() -> None:
    unanswerable = record(answers=(), evidence=(), evidence_any=())
    abstained = score_question(unanswerable, prediction(answer="", spans=(), abstained=True))
    answered = score_question(unanswerable, prediction())
    assert abstained["abstention_recall"] == 1.0
    assert answered["abstention_recall"] == 0.0
    for scores in (abstained, answered):
        assert scores["wrongly_abstained"] is None
        assert scores["f1"] is None and scores["citation_precision"] is None


def test_aggregate_means_only_where_a_metric_applies() -> None:
    records = [
        record(id="a"),
        record(id="b", evidence=(S2, S4)),
        record(id="u", answers=(), evidence=(), evidence_any=()),
    ]
    predictions = [
        prediction(id="a", latency_ms=10.0),  # P 1, R 1
        prediction(id="b", spans=(S1, S2), latency_ms=30.0),  # P 1/2, R 1/2
        prediction(id="u", answer="", spans=(), abstained=True, latency_ms=20.0),
    ]
    out = aggregate(records, predictions)
    assert out["questions"] == 3 and out["answerable"] == 2 and out["unanswerable"] == 1
    assert out["citation_precision"] == pytest.approx(0.75)
    assert out["citation_recall"] == pytest.approx(0.75)
    assert out["abstention_recall"] == 1.0
    assert out["wrongly_abstained"] == 0.0
    assert out["citations_per_answer"] == pytest.approx(1.5)
    assert out["latency_p50_ms"] == 20.0
    assert out["latency_p95_ms"] == pytest.approx(29.0)


def test_summarize_groups_by_source_and_type() -> None:
    records = [record(id="a", source="x"), record(id="b", source="y", question_type="who")]
    out = summarize(records, [prediction(id="b", spans=()), prediction(id="a")])
    assert out["by_source"]["x"]["hit_at_1"] == 1.0
    assert out["by_source"]["y"]["hit_at_1"] == 0.0
    assert set(out["by_question_type"]) == {"factoid", "who"}
    assert out["overall"]["hit_at_1"] == 0.5
    with pytest.raises(ValueError, match="no prediction"):
        summarize(records, [prediction(id="a")])


def test_percentile_interpolates_like_numpy() -> None:
    values = [4.0, 1.0, 3.0, 2.0]
    assert percentile(values, 50) == 2.5
    assert percentile(values, 95) == pytest.approx(3.85)
    assert percentile([7.0], 95) == 7.0
    assert percentile([], 50) is None


def test_offsets_must_slice_the_text() -> None:
    check_offsets(prediction(spans=(S1, S4)), TEXT)
    bad = Prediction("q1", "x", False, (PredictedCitation(0, 5, "Bob s", "s1"),), 1.0)
    with pytest.raises(OffsetMismatchError, match="q1"):
        check_offsets(bad, TEXT)


# -- dataset -------------------------------------------------------------------------


def _line(**changes: object) -> str:
    data: dict[str, object] = {
        "source": "src",
        "article_id": "a1",
        "title": None,
        "text": TEXT,
        "question": "Who said hello?",
        "answers": ["Bob"],
        "evidence": [list(S2)],
        "id": "q1",
        "history": [{"question": "Who met?", "answer": "Alice"}],
    }
    data.update(changes)
    return json.dumps({k: v for k, v in data.items() if v is not ...})


def test_load_reads_records(tmp_path: Path) -> None:
    path = tmp_path / "set.jsonl"
    path.write_text(_line() + "\n\n" + _line(id="q2", evidence_any=[list(S2), list(S3)]) + "\n")
    first, second = load(path)
    assert first.evidence == (S2,) and first.evidence_any == (S2,)
    assert second.evidence_any == (S2, S3)
    assert first.history == (HistoryTurn("Who met?", "Alice"),)
    assert first.question_type == "unknown"
    assert len(load(path, limit=1)) == 1


@pytest.mark.parametrize(
    ("line", "field"),
    [
        (_line(evidence=[[50, 10]]), "evidence"),
        (_line(evidence=[[0, 999]]), "evidence"),
        (_line(answers="Bob"), "answers"),
        (_line(text=...), "text"),
        (_line(question=""), "question"),
        (_line(title=3), "title"),
        (_line(history=[{"question": "x"}]), "history"),
    ],
)
def test_malformed_line_names_line_and_field(tmp_path: Path, line: str, field: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(_line(id="ok") + "\n" + line + "\n")
    with pytest.raises(DatasetError, match=rf"line 2: field '{field}'") as caught:
        load(path)
    assert isinstance(caught.value, InputError)


def test_bad_json_and_duplicate_ids_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(_line() + "\n{not json\n")
    with pytest.raises(DatasetError, match="line 2: not valid JSON"):
        load(path)
    path.write_text(_line() + "\n" + _line() + "\n")
    with pytest.raises(DatasetError, match="'q1' appears twice"):
        load(path)
    path.write_text(_line() + "\n" + _line(id="q2", text=TEXT + " More.") + "\n")
    with pytest.raises(DatasetError, match="different text"):
        load(path)
    with pytest.raises(DatasetError, match="no such file"):
        load(tmp_path / "missing.jsonl")


def test_public_api_is_pinned() -> None:
    assert evals.__all__ == ["DatasetError", "EvalRecord", "EvalResult", "load", "run"]


def test_em_and_f1_score_the_lead_line_containment_the_whole_answer() -> None:
    from evals.metrics import lead

    assert lead("\nBob\nBob said hello.") == "Bob"
    shown = score_question(record(), prediction("Bob\nBob said hello."))
    assert (shown["exact_match"], shown["f1"], shown["containment"]) == (1.0, 1.0, 1.0)
    buried = score_question(record(), prediction("Someone spoke.\nIt was Bob."))
    assert (buried["exact_match"], buried["f1"], buried["containment"]) == (0.0, 0.0, 1.0)


def test_auroc_of_confidence_counts_pairs_and_ties_half() -> None:
    from evals.metrics import auroc, risk_coverage

    # (confidence, right, answered): right ones above every wrong one but a tie.
    scored = [(0.9, True, True), (0.7, True, True), (0.7, False, True), (0.2, False, True)]
    scored.append((0.0, False, False))
    assert auroc(scored) == pytest.approx((3 + 2.5) / 6)  # 0.9 beats all 3; 0.7 beats 2, ties 1
    assert auroc([(0.5, True, True)]) is None  # nothing to rank against
    # The most confident first; the abstention is never answered (coverage ends at 4 of 5).
    assert risk_coverage(scored) == [(0.2, 0.0), (0.4, 0.0), (0.6, 1 / 3), (0.8, 0.5)]


def test_confidence_scores_call_abstentions_zero_and_unanswerable_never_right() -> None:
    from evals.metrics import confidence_scores

    answerable = record(id="a")
    unanswerable = record(id="u", answers=(), evidence=(), evidence_any=())
    cited = (PredictedCitation(*S2, TEXT[S2[0] : S2[1]], "s2"),)
    right = Prediction("a", "Bob", False, cited, 1.0, confidence=0.8)
    confident_but_unanswerable = Prediction("u", "Bob", False, cited, 1.0, confidence=0.9)
    got = confidence_scores([answerable, unanswerable], [right, confident_but_unanswerable])
    assert got == [(0.8, True, True), (0.9, False, True)]
    abstained = Prediction("a", "", True, (), 1.0, confidence=0.4)
    assert confidence_scores([answerable], [abstained]) == [(0.0, False, False)]
    assert confidence_scores([answerable], [Prediction("a", "Bob", False, cited, 1.0)]) == []  # none given
