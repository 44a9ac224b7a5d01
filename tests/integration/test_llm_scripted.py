"""The 'llm' answerer through ChatOpenAI against a scripted OpenAI-compatible server on loopback.

Real Assistant, real store, real embedder; the server plays what a real model
cannot be made to do on demand: invented IDs, no citations, unreadable output,
a stall, 500 then success, 429 with Retry-After, a stream cut mid-way.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner

from assistant.answer.llm import LLMAnswerer
from assistant.answer.markers import strip_markers
from assistant.api import Assistant
from assistant.errors import LLMConnectionError, LLMStreamError, LLMTimeoutError
from assistant.registry import chat_model, make_answerer
from assistant.types import Answer
from tests.llm_servers import Reply
from tests.support import KIRBY_QUESTION, free_port

pytestmark = pytest.mark.timeout(120)

#: A claim the support scorer finds backed by s5 (the sentence that names Kirby).
KIRBY = "John Kirby, the National Security Council’s coordinator for strategic communications, said so"


@pytest.fixture
def make(seeded_store, embedder, scripted_server):  # type: ignore[no-untyped-def]
    """An Assistant answering with ChatOpenAI on the scripted server (fast timeouts)."""
    base, article = seeded_store
    scripted_server.respond = None

    def build(fallback: str = "extractive", url: str | None = None, sleeps: list[float] | None = None,
              **llm: Any) -> Assistant:
        values = {"base_url": url or scripted_server.url, "model": "scripted", "timeout_s": 2,
                  "deadline_s": 6,
                  "backoff_s": 0.05, "rewrite": False, **llm}
        settings = base.with_(**{"answer.answerer": "llm", "answer.fallback": fallback,
                                 **{f"llm.{k}": v for k, v in values.items()}})
        answerer = make_answerer(settings)
        if sleeps is not None:
            assert isinstance(answerer, LLMAnswerer)
            model = chat_model(settings.llm)
            answerer = LLMAnswerer(model, settings.llm, answerer.fallback, sleep=sleeps.append)
        return Assistant(settings, embedder=embedder, answerer=answerer)

    return build


def _extractive(seeded_store, embedder):  # type: ignore[no-untyped-def]
    return Assistant(seeded_store[0], embedder=embedder).ask(KIRBY_QUESTION, article=seeded_store[1].id)


def test_a_valid_citation_is_kept_and_an_invented_one_dropped(make, scripted_server, seeded_store):  # type: ignore[no-untyped-def]
    scripted_server.script(Reply(text=f"{KIRBY} [s5][s999]."))
    answer = make().ask(KIRBY_QUESTION, article=seeded_store[1].id)
    assert [c.sentence_id for c in answer.citations] == ["s5"]
    assert answer.text == f"{KIRBY}."  # clean prose: the claim carries the citation
    claims = [(c.start, c.end, c.citations, c.supported) for c in answer.claims]
    assert claims == [(0, len(answer.text), (0,), True)]
    first = answer.citations[0]
    assert first.text == seeded_store[1].text[first.start : first.end]
    assert answer.citations[0].support is not None
    d = answer.diagnostics
    assert (d.invented_citations, d.model_citations, d.fallback, d.model) == (1, 1, None, "scripted")
    assert (d.tokens_in, d.tokens_out) == (20, 5)  # the usage chunk the server sends on request
    body = scripted_server.requests[-1]
    assert body["stream"] is True and body["temperature"] == 0 and body["model"] == "scripted"
    assert body.get("max_completion_tokens", body.get("max_tokens")) == 400
    prompt = "\n".join(m["content"] for m in body["messages"])
    assert "[s5] I think I can leave it at that,” said John Kirby" in prompt


def test_no_citation_falls_back_to_the_extractive_answer_labelled(  # type: ignore[no-untyped-def]
    make, scripted_server, seeded_store, embedder
):
    scripted_server.script(Reply(text="Kirby said so, I believe."))
    answer = make().ask(KIRBY_QUESTION, article=seeded_store[1].id)
    plain = _extractive(seeded_store, embedder)
    assert answer.text == plain.text
    assert answer.to_dict()["citations"] == plain.to_dict()["citations"]
    assert answer.diagnostics.fallback == "extractive"
    assert answer.to_dict()["notes"] == [
        "The model's answer cited no sentence of the article; this is the extractive answer instead."
    ]
    assert answer.diagnostics.unsupported == ("Kirby said so, I believe.",)


def test_no_citation_abstains_when_the_fallback_is_abstain(make, scripted_server, seeded_store):  # type: ignore[no-untyped-def]
    scripted_server.script(Reply(text="It is effective [s999]."))
    answer = make(fallback="abstain").ask(KIRBY_QUESTION, article=seeded_store[1].id)
    assert answer.abstained and answer.citations == ()
    assert answer.diagnostics.fallback == "abstain" and answer.diagnostics.invented_citations == 1


def test_unreadable_output_is_retried(make, scripted_server, seeded_store):  # type: ignore[no-untyped-def]
    scripted_server.script(Reply(kind="garbage"), Reply(text=f"{KIRBY} [s5]."))
    answer = make().ask(KIRBY_QUESTION, article=seeded_store[1].id)
    assert [c.sentence_id for c in answer.citations] == ["s5"] and len(scripted_server.requests) == 2


def test_unreadable_output_every_time_falls_back_saying_so(make, scripted_server, seeded_store):  # type: ignore[no-untyped-def]
    scripted_server.script(Reply(kind="garbage"))
    answer = make(retries=1).ask(KIRBY_QUESTION, article=seeded_store[1].id)
    assert answer.diagnostics.fallback == "extractive" and len(scripted_server.requests) == 2
    assert "could not be read" in answer.diagnostics.notes[0]


def test_a_server_error_then_success(make, scripted_server, seeded_store):  # type: ignore[no-untyped-def]
    scripted_server.script(Reply(kind="status", status=500), Reply(text=f"{KIRBY} [s5]."))
    answer = make().ask(KIRBY_QUESTION, article=seeded_store[1].id)
    assert answer.diagnostics.fallback is None and len(scripted_server.requests) == 2


def test_a_429_waits_for_retry_after(make, scripted_server, seeded_store):  # type: ignore[no-untyped-def]
    sleeps: list[float] = []
    wait = Reply(kind="status", status=429, headers={"Retry-After": "2"})
    scripted_server.script(wait, Reply(text=f"{KIRBY} [s5]."))
    answer = make(sleeps=sleeps).ask(KIRBY_QUESTION, article=seeded_store[1].id)
    assert sleeps == [2.0] and len(scripted_server.requests) == 2
    assert answer.diagnostics.fallback is None


def test_a_refused_key_is_not_retried(make, scripted_server, seeded_store):  # type: ignore[no-untyped-def]
    scripted_server.script(Reply(kind="status", status=401))
    answer = make().ask(KIRBY_QUESTION, article=seeded_store[1].id)
    assert len(scripted_server.requests) == 1
    assert "HTTP 401" in answer.diagnostics.notes[0] and "API key" in answer.diagnostics.notes[0]


def test_a_stall_past_the_deadline_ends_with_the_fallback_or_an_error(make, scripted_server, seeded_store):  # type: ignore[no-untyped-def]
    scripted_server.script(Reply(kind="stall", seconds=60))
    answer = make(timeout_s=0.5, deadline_s=1.5, retries=5).ask(KIRBY_QUESTION, article=seeded_store[1].id)
    assert answer.diagnostics.fallback == "extractive"
    assert "sent nothing" in answer.diagnostics.notes[0] or "deadline" in answer.diagnostics.notes[0]
    with pytest.raises(LLMTimeoutError):
        hasty = make(fallback="abstain", timeout_s=0.5, deadline_s=1.0, retries=0)
        hasty.ask(KIRBY_QUESTION, article=seeded_store[1].id)


def test_a_stream_cut_mid_way_keeps_what_was_received(make, scripted_server, seeded_store):  # type: ignore[no-untyped-def]
    text = "John Kirby said they are effective [s5]. He also said more"
    scripted_server.script(Reply(kind="cut", text=text, after=40), Reply(text=f"{KIRBY} [s5]."))
    shown = []
    with pytest.raises(LLMStreamError) as info:
        for piece in make().ask_stream(KIRBY_QUESTION, article=seeded_store[1].id):
            shown.append(piece)
    received = "".join(p for p in shown if isinstance(p, str))
    assert received.strip() == info.value.partial
    assert info.value.partial.startswith("John Kirby said they are effective [s5].")
    assert "broke off" in str(info.value)
    # ask(): nobody saw the text, so the cut stream is retried.
    scripted_server.script(Reply(kind="cut", text=text, after=40), Reply(text=f"{KIRBY} [s5]."))
    assert [c.sentence_id for c in make().ask(KIRBY_QUESTION, article=seeded_store[1].id).citations] == ["s5"]


def test_streaming_through_the_assistant_yields_text_then_the_answer(make, scripted_server, seeded_store):  # type: ignore[no-untyped-def]
    scripted_server.script(Reply(text=f"{KIRBY} [s5]. Russia used them [s999]."))
    pieces = list(make().ask_stream(KIRBY_QUESTION, article=seeded_store[1].id))
    final = pieces[-1]
    assert isinstance(final, Answer)
    texts = [p for p in pieces[:-1] if isinstance(p, str)]
    assert len(texts) > 3 and not any("s999" in t for t in texts)
    assert strip_markers("".join(texts)) == final.text  # the stream's markers become the claims'
    assert [c.citations for c in final.claims] == [(0,), ()] and not final.claims[1].supported


def test_connection_refused(make, seeded_store):  # type: ignore[no-untyped-def]
    url = f"http://127.0.0.1:{free_port()}/v1"
    answer = make(url=url, retries=1).ask(KIRBY_QUESTION, article=seeded_store[1].id)
    assert answer.diagnostics.fallback == "extractive"
    assert "Could not reach the model server" in answer.diagnostics.notes[0]
    with pytest.raises(LLMConnectionError, match="Check --llm-base-url") as info:
        make(url=url, fallback="abstain", retries=0).ask(KIRBY_QUESTION, article=seeded_store[1].id)
    assert "\n" not in str(info.value)


def test_an_over_long_answer_is_capped(make, scripted_server, seeded_store):  # type: ignore[no-untyped-def]
    scripted_server.script(Reply(text=f"{KIRBY} [s5]. " * 30))
    answer = make(max_answer_chars=200).ask(KIRBY_QUESTION, article=seeded_store[1].id)
    assert len(answer.text) <= 200 + len(KIRBY) and answer.text.endswith("said so.")
    assert any("cut at 200" in n for n in answer.diagnostics.notes)


def _rewrites(rewrite: str, answer: str) -> Any:
    def respond(body: dict[str, Any]) -> Reply:
        system = body["messages"][0]["content"]
        return Reply(text=rewrite if system.startswith("Rewrite the user's last question") else answer)

    return respond


@pytest.mark.parametrize(
    ("rewrite", "query"),
    [
        ("What else did John Kirby say about the munitions?",) * 2,
        ("What did John Kirby say?", "What else did John Kirby say?"),  # drops "else": the rule instead
    ],
)
def test_follow_ups_are_rewritten_by_the_model_keeping_the_users_words(  # type: ignore[no-untyped-def]
    make, scripted_server, seeded_store, rewrite, query
):
    scripted_server.respond = _rewrites(rewrite, "He said he could leave it at that [s5].")
    history = [{"question": KIRBY_QUESTION, "answer": "John Kirby, the Security Council’s coordinator."}]
    answer = make(rewrite=True).ask("What else did he say?", article=seeded_store[1].id, history=history)
    assert answer.diagnostics.query == query
    assert [c.sentence_id for c in answer.citations] == ["s5"]


def test_cli_ask_and_chat_use_the_llm_flags(scripted_server, seeded_store, seed_path):  # type: ignore[no-untyped-def]
    from assistant.cli import cli

    settings, article = seeded_store
    scripted_server.respond = None
    scripted_server.script(Reply(text=f"{KIRBY} [s5]."))
    flags = ["--answerer", "llm", "--llm-base-url", scripted_server.url, "--llm-model", "scripted"]
    data_dir = ["--data-dir", str(settings.data_dir)]
    out = CliRunner().invoke(cli, [*data_dir, "ask", KIRBY_QUESTION, "--json", *flags])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output[out.output.index("{") :])
    assert [c["sentence_id"] for c in data["citations"]] == ["s5"] and data["fallback"] is None
    out = CliRunner().invoke(cli, [*data_dir, "chat", *flags], input=f"{KIRBY_QUESTION}\n\n")
    assert out.exit_code == 0, out.output
    assert f"{KIRBY} [1]." in out.output and "answered by scripted" in out.output
    assert f"{article.id}/s5" in out.output and "support" in out.output
