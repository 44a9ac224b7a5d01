"""``article-assistant eval --answerer llm`` on the scripted server: the chat-model rates are reported."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner

from tests.llm_servers import Reply, ScriptedServer
from tests.support import ROOT

pytestmark = pytest.mark.timeout(300)


#: The sentence IDs the scripted model cited, by question.
CHOSEN: dict[str, str] = {}


def _best_sentence(messages: list[dict[str, str]]) -> tuple[str, str]:
    """The shown sentence sharing most words with the last question: the one a model would cite
    (a follow-up's article is in an earlier message)."""
    question = set(re.findall(r"\w+", messages[-1]["content"].rsplit("Question:", 1)[-1].lower()))
    lines = re.findall(r"^\[(s\d+)\] (.+)$", "\n".join(m["content"] for m in messages), re.M)
    sid, text = max(lines, key=lambda line: len(question & set(re.findall(r"\w+", line[1].lower()))))
    return sid, text


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    def respond(body: dict[str, Any]) -> Reply:
        if body["messages"][0]["content"].startswith("Rewrite the user's last question"):
            return Reply(text="")  # an empty rewrite: the rule-based one is used
        # The sentence itself as the claim, so that the support check keeps the model's answer
        # (an unsupported one falls back); [s999] exists in no article.
        sid, text = _best_sentence(body["messages"])
        CHOSEN[body["messages"][-1]["content"].rsplit("Question:", 1)[-1].strip()] = sid
        return Reply(text=f"{text.rstrip('.')} [{sid}][s999].", usage=(40, 8))

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
    assert llm["invented_citation_rate"] == 0.5  # the shown sentence's ID exists, [s999] does not
    assert llm["unsupported_sentence_rate"] == 0.0
    assert llm["tokens_per_answer"] == 48
    assert "invented_citation_rate" not in metrics["results"]["baseline-langchain"]["overall"]
    assert "--answerer llm --llm-base-url" in metrics["dataset"]["command"]
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "| invented citations (of IDs given) | 0.500 | – |" in report
    predictions = (out / "llm-scripted" / "predictions.jsonl").read_text(encoding="utf-8")
    rows = [json.loads(line) for line in predictions.splitlines()]
    assert len(CHOSEN) == 4 and all(r["llm"]["invented_citations"] == 1 for r in rows)
    # A claim the support check doubts (the article's lead for "Who is traveling?") falls back to the
    # extractive answer: the rate reported is the share of rows that say so, and the others keep
    # the sentence the model cited.
    fell_back = [r for r in rows if r["llm"]["fallback"] is not None]
    assert llm["fallback_rate"] == len(fell_back) / 4 < 1
    kept = {r["citations"][0]["sentence_id"] for r in rows if r["llm"]["fallback"] is None}
    assert kept <= set(CHOSEN.values())
    assert "invented citation rate 0.5" in result.output
