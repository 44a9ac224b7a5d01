"""The answerer contract: every registered answerer must pass these.

An answerer cites only sentences it was given; an abstention has no
citations; when it streams, the stream ends with the Answer a plain call
gives. New answerers join by adding a factory to ``ANSWERERS`` below.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from assistant.answer.base import ABSTAIN_TEXT, Answerer, AnswerRequest, StreamingAnswerer
from tests.support import KIRBY_QUESTION


def _extractive() -> Answerer:
    from assistant.answer.extractive.answerer import ExtractiveAnswerer

    return ExtractiveAnswerer()


def _llm() -> Answerer:
    # A LangChain chat model that answers with the best-matching sentence it was shown (and an
    # invented [s999] the answerer must drop), so the contract runs fast and offline.
    from assistant.answer.llm import LLMAnswerer
    from tests.llm_fakes import EchoChatModel

    return LLMAnswerer(EchoChatModel(invent=True))


ANSWERERS: dict[str, Callable[[], Answerer]] = {"extractive": _extractive, "llm": _llm}
QUESTIONS = (
    KIRBY_QUESTION,
    "How many countries have banned cluster munitions?",
    "What did Putin say he would do?",
    "What is the capital of Australia?",
    "How much did the cluster munitions cost?",
)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory, embedder, seed_path):  # type: ignore[no-untyped-def]
    from assistant.api import Assistant
    from assistant.settings import Settings

    assistant = Assistant(Settings(data_dir=tmp_path_factory.mktemp("contract")), embedder=embedder)
    article = assistant.add(str(seed_path)).article
    return assistant, article


def _request(assistant, article, question: str, keep: int | None = None) -> AnswerRequest:  # type: ignore[no-untyped-def]
    hits = assistant.search(question, article=article.id, k=assistant.settings.retrieval.candidates)
    hits = assistant.reranker.rerank(question, question, hits, {article.id: article})
    return AnswerRequest(question, question, tuple(hits[:keep]), {article.id: article})


@pytest.mark.parametrize("name", sorted(ANSWERERS))
@pytest.mark.parametrize("question", QUESTIONS)
def test_cites_only_sentences_it_was_given(name, question, seeded):  # type: ignore[no-untyped-def]
    assistant, article = seeded
    answerer = ANSWERERS[name]()
    request = _request(assistant, article, question, keep=3)
    draft = answerer.answer(request)
    given = {h.ref for h in request.hits}
    # A who-said answer may also cite the sentence naming the speaker: it is in the article shown.
    shown = given | {(article.id, s.id) for s in article.sentences}
    assert set(draft.cited) <= shown
    assert draft.cited or draft.abstained
    assert 0.0 <= draft.confidence <= 1.0


@pytest.mark.parametrize("name", sorted(ANSWERERS))
def test_an_abstention_has_no_citations(name, seeded):  # type: ignore[no-untyped-def]
    assistant, article = seeded
    draft = ANSWERERS[name]().answer(_request(assistant, article, "What is the capital of Australia?"))
    assert draft.abstained
    assert draft.cited == ()
    assert draft.text == ABSTAIN_TEXT


@pytest.mark.parametrize("name", sorted(ANSWERERS))
@pytest.mark.parametrize("question", QUESTIONS[:3])
def test_a_stream_ends_with_the_answer_of_a_plain_call(name, question, seeded, embedder):  # type: ignore[no-untyped-def]
    from assistant.api import Assistant
    from assistant.types import Answer

    base, article = seeded
    assistant = Assistant(base.settings, embedder=embedder, answerer=ANSWERERS[name]())
    pieces = list(assistant.ask_stream(question, article=article.id))
    final = pieces[-1]
    assert isinstance(final, Answer)
    assert all(isinstance(p, str) for p in pieces[:-1])
    plain = assistant.ask(question, article=article.id)
    assert final.to_dict()["citations"] == plain.to_dict()["citations"]
    assert final.text == plain.text
    if not isinstance(assistant.answerer, StreamingAnswerer):
        assert "".join(pieces[:-1]) == final.text
