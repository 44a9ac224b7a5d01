"""``article-assistant eval --answerer llm`` on the scripted server: the chat-model rates are reported."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner

from tests.llm_servers import Reply, ScriptedServer
from tests.support import ROOT

pytestmark = pytest.mark.timeout(300)


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    def respond(body: dict[str, Any]) -> Reply:
        if body["messages"][0]["content"].startswith("Rewrite the user's last question"):
            return Reply(text="")  # an empty rewrite: the rule-based one is used
        return Reply(text="The answer is here [s1][s999].", usage=(40, 8))

    with ScriptedServer() as s:
        s.respond = respond
        yield s


def test_eval_with_the_llm_flags_reports_invented_fallback_and_tokens(server, tmp_path):  # type: ignore[no-untyped-def]
    from evals.cli import eval_

    lines = (ROOT / "evals" / "data" / "dev.jsonl").read_text(encoding="utf-8").splitlines()
    data = tmp_path / "four.jsonl"
    data.write_text("\n".join(lines[:4]) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(eval_, [str(data), "--out", str(out), "--answerer", "llm",
                                        "--llm-base-url", server.url, "--llm-model", "scripted"])
    assert result.exit_code == 0, result.output
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    llm = metrics["results"]["llm-scripted"]["overall"]
    assert llm["llm_answers"] == 4
    assert llm["invented_citation_rate"] == 0.5  # [s1] exists in every article, [s999] in none
    assert (llm["fallback_rate"], llm["unsupported_sentence_rate"]) == (0.0, 0.0)
    assert llm["tokens_per_answer"] == 48
    assert "invented_citation_rate" not in metrics["results"]["baseline-langchain"]["overall"]
    assert "--answerer llm --llm-base-url" in metrics["dataset"]["command"]
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "| invented citations (of IDs given) | 0.500 | – |" in report
    predictions = (out / "llm-scripted" / "predictions.jsonl").read_text(encoding="utf-8")
    rows = [json.loads(line) for line in predictions.splitlines()]
    assert all(r["llm"]["invented_citations"] == 1 and r["citations"][0]["sentence_id"] == "s1" for r in rows)
    assert "invented citation rate 0.5" in result.output
