"""The whole generative path through a REAL llama.cpp server (xllamacpp + SmolLM2-135M) and ChatOpenAI.

The model is tiny and often cites nothing or invents IDs: these tests hold
whatever it says to the rules: every citation shown is a stored sentence it
was shown, no invented marker reaches the text, and an answer without a
valid citation is the labelled extractive fallback.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from assistant.analysis.text import terms
from assistant.api import Assistant
from assistant.settings import Settings
from assistant.types import Answer
from tests.llm_servers import local_llm
from tests.support import KIRBY_QUESTION

pytestmark = pytest.mark.timeout(300)

QUESTIONS = (
    KIRBY_QUESTION,
    "How many countries have banned cluster munitions?",
    "What did Putin say he would do?",
)


@pytest.fixture(scope="module")
def llm_url(tmp_path_factory) -> Iterator[str]:  # type: ignore[no-untyped-def]
    yield from local_llm(tmp_path_factory.mktemp("local-llm") / "server.log")


@pytest.fixture(scope="module")
def generative(llm_url, tmp_path_factory, embedder, seed_path):  # type: ignore[no-untyped-def]
    settings = Settings(data_dir=tmp_path_factory.mktemp("llm-local")).with_(**{
        "answer.answerer": "llm", "llm.base_url": llm_url, "llm.model": "smollm2", "llm.max_tokens": 120,
    })
    assistant = Assistant(settings, embedder=embedder)
    article = assistant.add(str(seed_path)).article
    return assistant, article


def _holds_the_rules(answer: Answer, article) -> None:  # type: ignore[no-untyped-def]
    ids = {s.id for s in article.sentences}
    for c in answer.citations:
        assert c.sentence_id in ids and c.text == article.text[c.start : c.end]
    shown_markers = set(re.findall(r"\[(s\d+)\]", answer.text))
    assert shown_markers <= {c.sentence_id for c in answer.citations}  # nothing invented reaches the text
    if answer.diagnostics.fallback:
        assert answer.diagnostics.fallback == "extractive" and answer.diagnostics.notes
    elif not answer.abstained:
        assert answer.citations and answer.diagnostics.model == "smollm2"


@pytest.mark.parametrize("question", QUESTIONS)
def test_answers_cite_valid_sentences_or_are_a_labelled_fallback(generative, question):  # type: ignore[no-untyped-def]
    assistant, article = generative
    answer = assistant.ask(question, article=article.id)
    _holds_the_rules(answer, article)
    assert answer.diagnostics.tokens_in and answer.diagnostics.tokens_out  # llama.cpp reports usage


def test_tokens_stream_before_the_answer(generative):  # type: ignore[no-untyped-def]
    assistant, article = generative
    pieces = list(assistant.ask_stream(QUESTIONS[1], article=article.id))
    final = pieces[-1]
    assert isinstance(final, Answer)
    texts = [p for p in pieces[:-1] if isinstance(p, str)]
    assert len(texts) > 3  # token by token, not one block at the end
    _holds_the_rules(final, article)
    if not final.diagnostics.fallback and not final.abstained:
        assert "".join(texts).strip() == final.text


def test_a_follow_up_keeps_the_users_words(generative):  # type: ignore[no-untyped-def]
    assistant, article = generative
    first = assistant.ask(KIRBY_QUESTION, article=article.id)
    answer = assistant.ask("What else did he say?", article=article.id, history=[(KIRBY_QUESTION, first)])
    assert set(terms("What else did he say?")) <= set(terms(answer.diagnostics.query))
    _holds_the_rules(answer, article)
