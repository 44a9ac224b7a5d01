"""Library-wide questions are scored across articles: a citation counts when its article and
span overlap that article's evidence; "cites both" needs evidence cited in each article."""

from __future__ import annotations

import json

from evals.dataset import parse_line
from evals.metrics import score_question
from evals.predictions import PredictedCitation, Prediction

A = "Alpha one. Alpha two."
B = "Beta one. Beta two."


def _record(library_evidence: list[dict[str, object]], answers: list[str]) -> str:
    return json.dumps(
        {
            "id": "q",
            "source": "s",
            "article_id": "a",
            "title": None,
            "text": A,
            "question": "?",
            "answers": answers,
            "evidence": [[0, 10]] if answers else [],
            "question_type": "library",
            "library_evidence": library_evidence,
        }
    )


TWO = parse_line(
    _record([{"article_id": "a", "evidence": [[0, 10]]}, {"article_id": "b", "evidence": [[10, 19]]}], ["x"]),
    1,
)


def _pred(*cites: tuple[str, int, int], abstained: bool = False) -> Prediction:
    texts = {"a": A, "b": B}
    citations = tuple(PredictedCitation(s, e, texts[a][s:e], f"s{i}", a) for i, (a, s, e) in enumerate(cites))
    return Prediction("q", "x", abstained, citations, 1.0)


def test_library_evidence_is_parsed_per_article() -> None:
    assert TWO.library and TWO.library_evidence == (("a", ((0, 10),)), ("b", ((10, 19),)))
    # A library record without library_evidence has its own evidence in its own article.
    plain = parse_line(_record([], ["x"]).replace(', "library_evidence": []', ""), 1)
    assert plain.library_evidence == (("a", ((0, 10),)),)


def test_a_citation_counts_only_in_its_own_article() -> None:
    # [0, 10) of article b is "Beta one." — the same offsets as a's evidence, in the wrong article.
    wrong = score_question(TWO, _pred(("b", 0, 9)))
    assert wrong["hit_at_1"] == 0.0 and wrong["cites_both"] == 0.0
    right = score_question(TWO, _pred(("b", 10, 19), ("a", 0, 10)))
    assert right["hit_at_1"] == 1.0 and right["hit_at_3"] == 1.0
    assert right["citation_recall"] == 1.0 and right["cites_both"] == 1.0
    one = score_question(TWO, _pred(("a", 0, 10), ("a", 11, 21)))
    assert one["hit_at_1"] == 1.0 and one["cites_both"] == 0.0 and one["citation_recall"] == 0.5


def test_unanswerable_library_questions_score_abstention() -> None:
    record = parse_line(_record([], []), 1)
    assert score_question(record, _pred(abstained=True))["abstention_recall"] == 1.0
    assert score_question(record, _pred(("b", 0, 9)))["abstention_recall"] == 0.0
    assert score_question(record, _pred(("b", 0, 9)))["cites_both"] is None
