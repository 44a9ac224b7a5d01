"""The answerer contract: every registered answerer must pass these.

An answerer cites only sentences it was given; an abstention has no
citations; when it streams, the stream ends with the Answer a plain call
gives. The suite runs every answerer of :data:`assistant.registry.ANSWERERS`, made
by the registry from settings as the Assistant makes it, so a new answerer is
checked the day it is registered. Answerers that talk to a chat model get a fake
one (:class:`tests.llm_fakes.EchoChatModel`), so the contract runs fast and offline.
"""

from __future__ import annotations

import pytest

from assistant import registry
from assistant.answer.base import ABSTAIN_TEXT, Answerer, AnswerRequest, StreamingAnswerer
from assistant.settings import Settings
from tests.support import KIRBY_QUESTION

ANSWERERS = sorted(registry.ANSWERERS)


def _make(name: str, settings: Settings) -> Answerer:
    """The registered answerer ``name`` as the registry builds it from ``settings``.

    A chat model answers with the best-matching sentence it was shown (and an invented
    [s999] the answerer must drop); no fallback, so what is checked is the answerer's own draft.
    """
    from tests.llm_fakes import EchoChatModel

    chosen = settings.with_(
        **{"answer.answerer": name, "answer.fallback": "abstain", "llm.model": "echo-fake"}
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(registry, "chat_model", lambda llm, environ=None: EchoChatModel(invent=True))
        return registry.make_answerer(chosen)
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

    assistant = Assistant(Settings(data_dir=tmp_path_factory.mktemp("contract")), embedder=embedder)
    article = assistant.add(str(seed_path)).article
    return assistant, article


def _request(assistant, article, question: str, keep: int | None = None) -> AnswerRequest:  # type: ignore[no-untyped-def]
    hits = assistant.search(question, article=article.id, k=assistant.settings.retrieval.candidates)
    hits = assistant.reranker.rerank(question, question, hits, {article.id: article})
    return AnswerRequest(question, question, tuple(hits[:keep]), {article.id: article})


@pytest.mark.parametrize("name", ANSWERERS)
@pytest.mark.parametrize("question", QUESTIONS)
def test_cites_only_sentences_it_was_given(name, question, seeded):  # type: ignore[no-untyped-def]
    assistant, article = seeded
    answerer = _make(name, assistant.settings)
    request = _request(assistant, article, question, keep=3)
    draft = answerer.answer(request)
    given = {h.ref for h in request.hits}
    # A who-said answer may also cite the sentence naming the speaker: it is in the article shown.
    shown = given | {(article.id, s.id) for s in article.sentences}
    assert set(draft.cited) <= shown
    assert draft.cited or draft.abstained
    assert 0.0 <= draft.confidence <= 1.0


@pytest.mark.parametrize("name", ANSWERERS)
def test_an_abstention_has_no_citations(name, seeded):  # type: ignore[no-untyped-def]
    assistant, article = seeded
    answerer = _make(name, assistant.settings)
    draft = answerer.answer(_request(assistant, article, "What is the capital of Australia?"))
    assert draft.abstained
    assert draft.cited == ()
    assert draft.text == ABSTAIN_TEXT


@pytest.mark.parametrize("name", ANSWERERS)
@pytest.mark.parametrize("question", QUESTIONS[:3])
def test_a_stream_ends_with_the_answer_of_a_plain_call(name, question, seeded, embedder):  # type: ignore[no-untyped-def]
    from assistant.api import Assistant
    from assistant.types import Answer

    base, article = seeded
    assistant = Assistant(base.settings, embedder=embedder, answerer=_make(name, base.settings))
    pieces = list(assistant.ask_stream(question, article=article.id))
    final = pieces[-1]
    assert isinstance(final, Answer)
    assert all(isinstance(p, str) for p in pieces[:-1])
    plain = assistant.ask(question, article=article.id)
    assert final.to_dict()["citations"] == plain.to_dict()["citations"]
    assert final.text == plain.text
    if not isinstance(assistant.answerer, StreamingAnswerer):
        assert "".join(pieces[:-1]) == final.text


def test_the_suite_covers_every_registered_answerer():
    assert sorted(registry.ANSWERERS) == ANSWERERS and {"extractive", "llm"} <= set(ANSWERERS)
