"""The JSON the CLI prints (``add/list/show/ask --json``) keeps its documented keys and types.

Through click's CliRunner on a temporary data dir: real store, real model.
README "JSON output" describes the same schema; change both together.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner

from assistant.cli import cli
from tests.support import KIRBY_QUESTION

ARTICLE = {
    "id": str, "title": str, "source": (str, type(None)), "url": (str, type(None)),
    "date": (str, type(None)), "byline": (str, type(None)), "added_at": str, "sentences": int,
}
SENTENCE = {"id": str, "start": int, "end": int, "paragraph": int, "page": (int, type(None)), "text": str}
ANSWER = {
    "text": str, "mode": str, "short_answer": (str, type(None)), "abstained": bool, "confidence": float,
    "citations": list, "timings": dict, "fallback": (str, type(None)), "notes": list,
    "query": (str, type(None)), "claims": list, "model": (str, type(None)),
}
CLAIM = {"text": str, "start": int, "end": int, "citations": list, "supported": bool}
CITATION = {
    "article_id": str, "sentence_id": str, "start": int, "end": int, "text": str,
    "low_support": bool, "support": (float, type(None)), "page": (int, type(None)),
}
ADDED = {"id": str, "created": bool, "title": str, "sentences": int, "dropped": list, "notes": list}
DROPPED = {"text": str, "reason": str}
TIMINGS = {"retrieve", "rerank", "answer", "total"}


def _conforms(data: dict[str, Any], schema: dict[str, Any]) -> None:
    assert set(data) == set(schema)
    for key, kind in schema.items():
        assert isinstance(data[key], kind), (key, data[key])


@pytest.fixture(scope="module")
def run(tmp_path_factory):  # type: ignore[no-untyped-def]
    data_dir = tmp_path_factory.mktemp("json-schema")

    def invoke(*args: str) -> Any:
        result = CliRunner().invoke(cli, ["--data-dir", str(data_dir), *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    return invoke


def test_add_list_show_ask_json(run, seed_path):
    [added] = run("add", str(seed_path), "--json")
    _conforms(added, ADDED)
    for dropped in added["dropped"]:
        _conforms(dropped, DROPPED)

    [listed] = run("list", "--json")
    _conforms(listed, ARTICLE)
    assert listed["id"] == added["id"] and listed["source"] == str(seed_path)

    shown = run("show", added["id"], "--json")
    _conforms(shown, {**ARTICLE, "sentences": list})
    assert len(shown["sentences"]) == listed["sentences"]
    for sentence in shown["sentences"]:
        _conforms(sentence, SENTENCE)

    answer = run("ask", KIRBY_QUESTION, "--json")
    _conforms(answer, ANSWER)
    assert answer["citations"] and not answer["abstained"]
    for citation in answer["citations"]:
        _conforms(citation, CITATION)
        assert citation["article_id"] == added["id"]
        sentence = next(s for s in shown["sentences"] if s["id"] == citation["sentence_id"])
        assert (sentence["start"], sentence["end"], sentence["text"]) == (
            citation["start"], citation["end"], citation["text"]
        )
    assert set(answer["timings"]) == TIMINGS
    # The extractive answer is one claim citing its citations; its span is the whole text.
    [claim] = answer["claims"]
    _conforms(claim, CLAIM)
    assert answer["text"][claim["start"] : claim["end"]] == claim["text"] == answer["text"]
    assert claim["citations"] == list(range(len(answer["citations"]))) and answer["model"] is None


def test_an_abstention_has_the_same_keys(run, seed_path):
    run("add", str(seed_path), "--json")
    answer = run("ask", "What is the capital of Australia?", "--json")
    _conforms(answer, ANSWER)
    assert answer["abstained"] is True
    assert answer["citations"] == [] and answer["short_answer"] is None and answer["claims"] == []
