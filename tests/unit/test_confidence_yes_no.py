"""Calibrated confidence, yes/no verdicts and the newer attribution shapes."""

from __future__ import annotations

import pytest

from assistant.analysis.attribution import speaker_in
from assistant.analysis.questions import analyse
from assistant.answer.extractive.confidence import features, probability
from assistant.answer.extractive.yes_no import alternative, verdict
from assistant.types import Hit


def _hit(sid: str, score: float, coverage: float = 0.5, dense: float = 0.5) -> Hit:
    return Hit("a", sid, score, lexical=0.5, dense=dense, coverage=coverage)


def test_confidence_is_a_probability_that_rises_with_margin_and_coverage() -> None:
    question = analyse("Who won the match?")
    weak = features([_hit("s1", 1.0, 0.2, 0.3), _hit("s2", 0.98)], ("a", "s1"), question, False, False)
    strong = features([_hit("s1", 1.5, 1.0, 0.8), _hit("s2", 0.7)], ("a", "s1"), question, False, True)
    assert 0.0 < probability(weak) < probability(strong) < 1.0
    assert probability({}) == 0.0


def test_confidence_features_describe_the_cited_hit() -> None:
    hits = [_hit("s1", 1.0), _hit("s2", 0.9, coverage=0.1)]
    values = features(hits, ("a", "s2"), analyse("Who said it?"), True, True)
    assert values["coverage"] == 0.1
    assert values["margin"] == pytest.approx(-0.1)
    assert values["follow_up"] == 1.0


@pytest.mark.parametrize(
    ("question", "sentence", "expected"),
    [
        ("Were there any witnesses?", "He said there were no witnesses.", "No"),
        ("Was he on duty when he was killed?", "Barnette, 26, was on duty when he was killed.", "Yes"),
        ("Do they know the motive?", "It was not immediately clear what motivated the killing.", "No"),
        ("Did Congress have faith in him?", "He was rapidly losing the confidence of Congress.", "No"),
        ("Didn't he win?", "He won the race.", "No"),
    ],
)
def test_yes_no_verdicts(question: str, sentence: str, expected: str) -> None:
    assert verdict(question, sentence) == expected


def test_alternative_question_picks_the_option_the_sentence_names() -> None:
    assert alternative("Was it decided by judge or jury?", "A jury was convinced of his guilt.") == "jury"
    assert alternative("Did he go or not?", "He went.") is None
    assert alternative("Was it red or blue?", "It was red and blue.") is None


@pytest.mark.parametrize(
    ("sentence", "speaker"),
    [
        (
            "Following a late meeting, the Security Council issued a statement calling it “a violation.”",
            "the Security Council",
        ),
        ("Mr. Schultz supported Democrats for years, and said he did not support Mr. Trump.", "Mr. Schultz"),
        ("“Outrageous,” Obama's former campaign strategist said.", "Obama's former campaign strategist"),
        (
            "Michael Mulgrew, president of the union, which represents teachers, said he hopes it works.",
            "Michael Mulgrew",
        ),
    ],
)
def test_attribution_shapes(sentence: str, speaker: str) -> None:
    assert speaker_in(sentence) == speaker


@pytest.mark.parametrize(
    ("question", "sentence", "short"),
    [
        ("How old is Paige Decker?", "Decker, 23, left a consulting job in Boston in 2013.", "23"),
        ("How old is he?", "Stickley, a 75-year-old retiree, voted in 2012.", "75"),
        ("What team does Matt Harvey play for?", "PHILADELPHIA — Matt Harvey had a bad day.", None),
        ("Who chairs the committee?", "The committee met Thursday.", None),
    ],
)
def test_short_answers_skip_years_datelines_days(question: str, sentence: str, short: str | None) -> None:
    from assistant.analysis.short_answer import extract

    assert extract(analyse(question), sentence) == short


def test_which_politician_asks_for_a_person() -> None:
    assert analyse("Which politician compared Mr. Trump to a sideshow?").kind == "person"
    assert analyse("Which team won?").kind == "choice"
