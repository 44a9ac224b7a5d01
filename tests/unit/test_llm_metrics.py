"""The eval's chat-model metrics: rates from per-prediction counters; absent for the extractive default."""

from __future__ import annotations

import json

import pytest

from evals.configs import llm_config, resolve
from evals.metrics import llm_metrics
from evals.predictions import Prediction


def _p(i: int, llm: dict | None) -> Prediction:  # type: ignore[type-arg]
    return Prediction(f"q{i}", "a", False, (), 1.0, llm)


def _c(invented: int, valid: int, sentences: int, unsupported: int, fallback: str | None,
       tokens: tuple[int, int] | None = (100, 10)) -> dict:  # type: ignore[type-arg]
    return {"invented_citations": invented, "model_citations": valid, "answer_sentences": sentences,
            "unsupported_sentences": unsupported, "fallback": fallback,
            "tokens_in": tokens[0] if tokens else None, "tokens_out": tokens[1] if tokens else None}


def test_rates_over_the_ids_sentences_and_answers_of_the_model():
    got = llm_metrics([
        _p(1, _c(1, 3, 2, 0, None)),
        _p(2, _c(2, 0, 1, 1, "extractive")),
        _p(3, _c(0, 0, 0, 0, "extractive", tokens=None)),  # a failed call: no usage
        _p(4, _c(0, 2, 3, 1, None, tokens=(300, 30))),
    ])
    assert got["llm_answers"] == 4
    assert got["invented_citation_rate"] == pytest.approx(3 / 8)
    assert got["unsupported_sentence_rate"] == pytest.approx(2 / 6)
    assert got["fallback_rate"] == pytest.approx(2 / 4)
    assert got["tokens_per_answer"] == pytest.approx((110 + 110 + 330) / 3)
    assert (got["tokens_in_per_answer"], got["tokens_out_per_answer"]) == (pytest.approx(500 / 3), 50 / 3)


def test_no_counters_no_llm_metrics_and_predictions_stay_as_they_were():
    assert llm_metrics([_p(1, None), _p(2, None)]) == {}
    assert "llm" not in _p(1, None).to_dict()
    line = json.dumps(_p(1, _c(1, 1, 1, 0, None)).to_dict())
    assert Prediction.from_dict(json.loads(line)).llm == _c(1, 1, 1, 0, None)


def test_the_llm_config_of_the_eval_flags():
    config = llm_config("http://127.0.0.1:9/v1", "smol/lm:2", None)
    assert config.name == "llm-smol-lm-2"
    assert config.spec == "--answerer llm --llm-base-url http://127.0.0.1:9/v1 --llm-model smol/lm:2"
    settings = config.settings(__import__("pathlib").Path("."))
    assert (settings.answer.answerer, settings.llm.model, settings.llm.base_url) == (
        "llm", "smol/lm:2", "http://127.0.0.1:9/v1")
    assert [c.name for c in resolve([config])] == ["llm-smol-lm-2", "baseline-langchain"]
