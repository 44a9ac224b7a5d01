"""The eval's mode metrics and reliability bins (evals/metrics.py, evals/plots.py), on hand-made answers."""

from __future__ import annotations

import dataclasses

import pytest

from evals.metrics import mode_metrics
from evals.plots import reliability
from evals.predictions import Prediction
from tests.unit.test_metrics import S1, S2, TEXT, prediction, record


def _moded(p: Prediction, mode: str) -> Prediction:
    return dataclasses.replace(p, mode=mode)


def test_mode_mix_sure_and_wrong_and_the_right_sentence_among_those_shown() -> None:
    unanswerable = record(id="u", answers=(), evidence=(), evidence_any=())
    records = [record(id=f"q{i}") for i in range(4)] + [unanswerable]
    predictions = [
        # Sure and right: the claim is its two cited sentences (no short answer to score).
        _moded(prediction(TEXT[S2[0] : S2[1]] + " " + TEXT[S1[0] : S1[1]], (S2, S1), id="q0"), "answer"),
        _moded(prediction("Alice\n" + TEXT[S1[0] : S1[1]], (S1,), id="q1"), "answer"),  # wrong sentence
        _moded(prediction("Carol\n" + TEXT[S2[0] : S2[1]], id="q2"), "answer"),  # right sentence, wrong name
        _moded(prediction("x", (S1, S2), id="q3"), "evidence"),  # not sure: the right one second
        _moded(prediction("Bob", id="u"), "answer"),  # sure about an unanswerable question
    ]
    found = mode_metrics(records, predictions)
    assert found["mode_answer"] == pytest.approx(0.8) and found["mode_evidence"] == pytest.approx(0.2)
    assert found["mode_abstain"] == 0.0
    assert found["sure_wrong"] == pytest.approx(3 / 5)
    assert found["shown_right"] == pytest.approx(3 / 4)
    assert mode_metrics(records, [dataclasses.replace(p, mode=None) for p in predictions]) == {}


def test_reliability_bins_answered_confidences() -> None:
    rows = [(0.95, True, True), (0.91, False, True), (0.15, False, True), (0.0, False, False)]
    assert reliability(rows) == [(0.15, 0.0, 1), (pytest.approx(0.93), 0.5, 2)]
