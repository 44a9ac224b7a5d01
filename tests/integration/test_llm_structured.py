"""Structured citations (``llm.citations = "structured"``) against the scripted OpenAI-compatible server.

The scripted server plays what a schema-enforcing server would never send
(IDs outside the enum, a claim with no citation, invalid JSON) and a server
that refuses ``response_format``: each is read as for inline markers, or
answered again inline with a note.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from assistant.api import Assistant
from assistant.settings import Settings
from tests.llm_servers import Reply
from tests.support import KIRBY_QUESTION

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def ask(seeded_store, embedder, scripted_server):  # type: ignore[no-untyped-def]
    base, article = seeded_store
    scripted_server.respond = None

    def run(citations: str = "structured", **llm: Any):  # type: ignore[no-untyped-def]
        values = {"base_url": scripted_server.url, "model": "scripted", "timeout_s": 2, "deadline_s": 6,
                  "backoff_s": 0.05, "rewrite": False, "citations": citations, **llm}
        settings = base.with_(**{"answer.answerer": "llm", "answer.fallback": "extractive",
                                 **{f"llm.{k}": v for k, v in values.items()}})
        return Assistant(settings, embedder=embedder).ask(KIRBY_QUESTION, article=article.id)

    return run


def _json(*claims: tuple[str, list[str]]) -> str:
    return json.dumps({"answer": [{"text": t, "citations": c} for t, c in claims]})


def test_the_request_carries_a_json_schema_whose_enum_is_exactly_the_ids_shown(ask, scripted_server):  # type: ignore[no-untyped-def]
    scripted_server.script(Reply(text=_json(("John Kirby said they are effective.", ["s5"]))))
    answer = ask()
    body = scripted_server.requests[-1]
    rf = body["response_format"]
    assert rf["type"] == "json_schema"
    items = rf["json_schema"]["schema"]["properties"]["answer"]["items"]
    enum = items["properties"]["citations"]["items"]["enum"]
    prompt = "\n".join(str(m["content"]) for m in body["messages"])
    shown = [line.split("]")[0][1:] for line in prompt.splitlines() if line.startswith("[s")]
    assert enum and set(enum) <= set(shown) and len(enum) == len(set(enum))
    article_ids = [line.split("]")[0][1:] for line in body["messages"][-1]["content"].splitlines()
                   if line.startswith("[s")]
    assert enum == article_ids  # the article's IDs, none of the worked example's
    assert body["stream"] is True
    assert answer.diagnostics.notes == (), (answer.text, answer.diagnostics)
    assert [c.sentence_id for c in answer.citations] == ["s5"]
    assert answer.text == "John Kirby said they are effective."  # clean prose: the claim carries [s5]
    assert [(c.text, c.start, c.end, c.citations) for c in answer.claims] == [
        ("John Kirby said they are effective.", 0, 35, (0,))
    ]
    d = answer.diagnostics
    assert (d.fallback, d.invented_citations, d.model_citations, d.notes) == (None, 0, 1, ())
    assert d.claims and d.claims[0][1] == "John Kirby said they are effective."
    assert answer.citations[0].support is not None


def test_ids_outside_the_enum_are_dropped_and_counted(ask, scripted_server):  # type: ignore[no-untyped-def]
    # A claim the support check accepts for s5 (an unsupported one would fall back).
    claim = "John Kirby, the National Security Council’s coordinator for strategic communications, said so"
    scripted_server.script(Reply(text=_json((claim, ["s5", "s999", "x1"]))))
    answer = ask()
    assert [c.sentence_id for c in answer.citations] == ["s5"]
    assert (answer.diagnostics.invented_citations, answer.diagnostics.model_citations) == (2, 1)


def test_only_invented_ids_fall_back_to_the_extractive_answer(ask, scripted_server):  # type: ignore[no-untyped-def]
    scripted_server.script(Reply(text=_json(("Kirby said so.", ["s999"]))))
    answer = ask()
    d = answer.diagnostics
    assert d.fallback == "extractive" and d.invented_citations == 1
    assert "not shown" in d.notes[-1]
    assert answer.citations  # the extractive answer's


def test_a_claim_with_no_citation_is_unsupported(ask, scripted_server):  # type: ignore[no-untyped-def]
    scripted_server.script(Reply(text=_json(("John Kirby said they are effective.", ["s5"]),
                                   ("He is also a famous painter.", []))))
    answer = ask()
    d = answer.diagnostics
    assert d.fallback is None and d.unsupported == ("He is also a famous painter.",)
    assert d.answer_sentences == 2


def test_a_structured_abstention_abstains(ask, scripted_server):  # type: ignore[no-untyped-def]
    scripted_server.script(Reply(text=_json(("The article doesn't say.", []))))
    answer = ask()
    assert answer.abstained and answer.diagnostics.fallback is None


def test_invalid_json_is_answered_again_inline_with_a_note(ask, scripted_server):  # type: ignore[no-untyped-def]
    scripted_server.script(Reply(text='{"answer": [{"text": "Kirby'), Reply(text="John Kirby said so [s5]."))
    answer = ask()
    assert [("response_format" in r) for r in scripted_server.requests] == [True, False]
    assert [c.sentence_id for c in answer.citations] == ["s5"]
    d = answer.diagnostics
    assert d.fallback is None
    assert len(d.notes) == 1 and "not valid JSON" in d.notes[0] and "inline" in d.notes[0]


def test_a_reply_cut_at_max_tokens_is_answered_again_inline_at_once(ask, scripted_server):  # type: ignore[no-untyped-def]
    scripted_server.script(Reply(text='{"answer": [{"text": "Kirby Kirby Kirby', finish="length"),
                  Reply(text="John Kirby said so [s5]."))
    answer = ask()
    # No retry of the cut reply:
    assert [("response_format" in r) for r in scripted_server.requests] == [True, False]
    assert [c.sentence_id for c in answer.citations] == ["s5"]
    d = answer.diagnostics
    assert d.fallback is None and len(d.notes) == 1 and "max_tokens" in d.notes[0]


def test_a_refused_response_format_is_answered_inline_with_a_note(ask, scripted_server):  # type: ignore[no-untyped-def]
    def respond(body: dict[str, Any]) -> Reply:
        if "response_format" in body:
            refusal = "'response_format' of type 'json_schema' is not supported"
            return Reply(kind="status", status=400, text=refusal)
        return Reply(text="John Kirby said so [s5].")

    scripted_server.script()
    scripted_server.respond = respond
    answer = ask()
    assert [("response_format" in r) for r in scripted_server.requests] == [True, False]
    assert [c.sentence_id for c in answer.citations] == ["s5"]
    d = answer.diagnostics
    assert d.fallback is None and len(d.notes) == 1 and "refused structured citations" in d.notes[0]


def test_another_400_is_not_taken_for_a_refusal(ask, scripted_server):  # type: ignore[no-untyped-def]
    scripted_server.script(Reply(kind="status", status=400, text="model 'scripted' not found"))
    answer = ask()
    assert len(scripted_server.requests) == 1  # not retried, not asked again inline
    assert answer.diagnostics.fallback == "extractive"
    assert not any("inline" in n for n in answer.diagnostics.notes)


def test_inline_is_the_default_and_sends_no_response_format(ask, scripted_server):  # type: ignore[no-untyped-def]
    scripted_server.script(Reply(text="John Kirby said so [s5]."))
    answer = ask(citations="inline")
    assert "response_format" not in scripted_server.requests[-1]
    assert [c.sentence_id for c in answer.citations] == ["s5"]
    assert Settings().llm.citations == "inline"
