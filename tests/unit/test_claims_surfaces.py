"""Claims in every surface: a fake chat model through the real Assistant on the seed article."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from assistant.answer.llm import LLMAnswerer
from assistant.api import Assistant
from assistant.cli_output import print_answer
from assistant.registry import make_answerer
from assistant.settings import LLMSettings
from assistant.web.render import render_chat
from tests.support import KIRBY_QUESTION

KIRBY = "John Kirby, the National Security Council’s coordinator for strategic communications, said so"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory, embedder, seed_path):  # type: ignore[no-untyped-def]
    from assistant.settings import Settings

    settings = Settings(data_dir=tmp_path_factory.mktemp("claims"))
    article = Assistant(settings, embedder=embedder).add(str(seed_path)).article
    return settings, article


def ask(seeded, embedder, reply: str, fallback: str = "extractive"):  # type: ignore[no-untyped-def]
    settings, article = seeded
    settings = settings.with_(**{"answer.fallback": fallback})
    extractive = make_answerer(settings)
    model = GenericFakeChatModel(messages=iter([AIMessage(content=reply)]))
    answerer = LLMAnswerer(model, LLMSettings(rewrite=False), None if fallback == "abstain" else extractive)
    return Assistant(settings, embedder=embedder, answerer=answerer).ask(KIRBY_QUESTION, article=article.id)


def shown(answer) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    with CliRunner().isolation() as streams:
        print_answer(answer)
    out = streams[0]
    html = render_chat([{"question": KIRBY_QUESTION, "answer": answer.to_dict()}], "seed", {})
    return out.getvalue().decode(), html


def test_claims_spans_and_no_raw_markers(seeded, embedder):  # type: ignore[no-untyped-def]
    answer = ask(seeded, embedder, f"{KIRBY} [s5]. The weather in Kyiv is sunny [s7].")
    data = answer.to_dict()
    assert "[s" not in answer.text and data["model"] == "GenericFakeChatModel" and data["fallback"] is None
    first, second = data["claims"]
    for claim in (first, second):
        assert answer.text[claim["start"] : claim["end"]] == claim["text"]
    assert first["text"] == f"{KIRBY}." and first["supported"] is True
    assert [data["citations"][i]["sentence_id"] for i in first["citations"]] == ["s5"]
    assert second["supported"] is False  # its one citation is low support
    out, html = shown(answer)
    assert f"{KIRBY}. [1]" in out and "sunny. [2] (unsupported)" in out
    assert "answered by GenericFakeChatModel" in out
    assert "[s5]" not in html and "[s7]" not in html
    assert 'class="cite-marker' in html and "unsupported-badge" in html
    assert "Answered by <code>GenericFakeChatModel</code>" in html


def test_no_supported_claim_falls_back_labelled(seeded, embedder):  # type: ignore[no-untyped-def]
    answer = ask(seeded, embedder, "The weather in Kyiv is sunny [s7].")
    assert answer.diagnostics.fallback == "extractive" and "No claim" in answer.diagnostics.notes[-1]
    assert len(answer.claims) == 1 and answer.claims[0].text == answer.text
    out, html = shown(answer)
    assert "extractive fallback: No claim of the model's answer is supported" in out
    assert "Extractive fallback: No claim" in html and "sunny" not in html


def test_no_supported_claim_abstains_without_a_fallback(seeded, embedder):  # type: ignore[no-untyped-def]
    answer = ask(seeded, embedder, "The weather in Kyiv is sunny [s7].", fallback="abstain")
    assert answer.abstained and answer.diagnostics.fallback == "abstain" and answer.claims == ()
    out, _ = shown(answer)
    assert "abstain fallback: No claim" in out
