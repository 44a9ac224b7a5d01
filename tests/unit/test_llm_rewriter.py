"""Follow-up rewriting: the model's rewrite is used only when it keeps the user's names and words."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from assistant.analysis.conversation import standalone_query
from assistant.answer.llm import LLMAnswerer
from assistant.chat import (
    ModelRewriter,
    QueryRewriter,
    RuleRewriter,
    clean_rewrite,
    rewrite_problem,
)
from assistant.errors import LLMTimeoutError
from assistant.settings import Settings
from assistant.types import Turn

HISTORY = (Turn("Who said cluster munitions are effective?", "John Kirby.", short_answer="John Kirby"),)


class Proposer:
    def __init__(self, reply: str | Exception) -> None:
        self.reply = reply
        self.calls: list[tuple[str, Sequence[Turn]]] = []

    def __call__(self, question: str, history: Sequence[Turn]) -> str:
        self.calls.append((question, history))
        if isinstance(self.reply, Exception):
            raise self.reply
        return self.reply


def test_both_rewriters_are_query_rewriters():
    assert isinstance(RuleRewriter(), QueryRewriter)
    assert isinstance(ModelRewriter(Proposer("x")), QueryRewriter)


def test_the_rule_rewriter_is_standalone():
    q = "What else did he say?"
    rewritten = RuleRewriter().rewrite(q, HISTORY)
    assert rewritten == standalone_query(q, HISTORY) == "What else did John Kirby say?"


def test_no_history_no_model_call():
    propose = Proposer("anything")
    assert ModelRewriter(propose).rewrite("Who is Kirby?", ()) == "Who is Kirby?"
    assert propose.calls == []


def test_a_rewrite_that_keeps_names_and_words_is_used():
    propose = Proposer("Rewritten question: What else did John Kirby say about cluster munitions?")
    got = ModelRewriter(propose).rewrite("What else did he say?", HISTORY)
    assert got == "What else did John Kirby say about cluster munitions?"
    assert propose.calls == [("What else did he say?", HISTORY)]


@pytest.mark.parametrize(
    ("question", "reply", "why"),
    [
        ("Did Putin answer him?", "Did the Russian president answer John Kirby?", "Putin"),
        ("What did Syrskyi say about Kirby?", "What did the commander say about it?", "Syrskyi, Kirby"),
        ("What else did he say about the weapons?", "What else did John Kirby say?", "weapon"),
        ("What else did he say?", "", "empty"),
    ],
)
def test_a_rewrite_that_loses_the_users_words_falls_back_to_the_rule(question, reply, why):  # type: ignore[no-untyped-def]
    assert why in (rewrite_problem(question, clean_rewrite(reply, question)) or "")
    got = ModelRewriter(Proposer(reply)).rewrite(question, HISTORY)
    assert got == standalone_query(question, HISTORY)


def test_an_unchanged_question_loses_to_a_rule_that_resolves_the_pronoun():
    got = ModelRewriter(Proposer("What else did he say?")).rewrite("What else did he say?", HISTORY)
    assert got == "What else did John Kirby say?"


def test_a_failing_model_falls_back_to_the_rule():
    got = ModelRewriter(Proposer(LLMTimeoutError("slow"))).rewrite("What else did he say?", HISTORY)
    assert got == "What else did John Kirby say?"


def test_clean_rewrite_takes_the_first_line_without_labels_or_quotes():
    assert clean_rewrite('\n  "What did Kirby say?"\nBecause he…', "q") == "What did Kirby say?"
    assert clean_rewrite("Standalone question: Who paid?", "q") == "Who paid?"


def test_the_llm_answerer_proposes_with_its_model():
    model = GenericFakeChatModel(messages=iter([AIMessage(content="What else did John Kirby say?")]))
    got = LLMAnswerer(model).propose_rewrite("What else did he say?", HISTORY)
    assert got == "What else did John Kirby say?"


def test_the_registry_gives_the_model_rewriter_to_the_llm_answerer_only(tmp_path):  # type: ignore[no-untyped-def]
    from assistant.answer.extractive.answerer import ExtractiveAnswerer
    from assistant.registry import make_rewriter

    model = GenericFakeChatModel(messages=iter([]))
    settings = Settings(data_dir=tmp_path)
    assert isinstance(make_rewriter(settings, LLMAnswerer(model)), ModelRewriter)
    assert isinstance(make_rewriter(settings, ExtractiveAnswerer()), RuleRewriter)
    off = settings.with_(**{"llm.rewrite": False})
    assert isinstance(make_rewriter(off, LLMAnswerer(model)), RuleRewriter)


def test_a_rewrite_stops_reading_at_the_end_of_its_first_line():
    from tests.llm_fakes import ScriptedChatModel

    script = ["What else did John ", "Kirby say?\n", "Because he", RuntimeError("never read")]
    model = ScriptedChatModel(scripts=[script])
    assert LLMAnswerer(model).propose_rewrite("What else did he say?", HISTORY).strip() == (
        "What else did John Kirby say?"
    )
