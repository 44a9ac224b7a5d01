"""Pure logic of the extractive answerer: question kinds, short answers, attribution, follow-ups."""

from __future__ import annotations

import pytest

from assistant.analysis.attribution import find_speaker, speaker_in
from assistant.analysis.conversation import conversation_positions, standalone_query
from assistant.analysis.questions import analyse, is_follow_up
from assistant.analysis.short_answer import extract
from assistant.types import Turn
from index.models import Article
from index.sentences import split_sentences


def _article(text: str) -> Article:
    return Article(id="a", text=text, sentences=split_sentences(text))


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("How many innings did Harvey throw?", "number"),
        ("When was Samuel DuBose shot?", "date"),
        ("Where did she go to school?", "place"),
        ("Who did Rousey lose to?", "person"),
        ("Which team won?", "choice"),
        ("What happens when they do not explode?", "other"),
        ("Did he get into any trouble?", "yes_no"),
        ("Why not?", "reason"),
    ],
)
def test_question_kinds(question: str, kind: str) -> None:
    assert analyse(question).kind == kind


def test_who_said_detects_the_polnear_template_and_plain_questions() -> None:
    assert analyse(
        "According to the article, who is the source of the following statement: “x y z”?"
    ).who_said
    assert analyse("Who said cluster munitions are effective?").who_said
    assert not analyse("Which network reported Kirby's remarks?").who_said


@pytest.mark.parametrize(
    ("question", "sentence", "short"),
    [
        ("How many innings did Harvey throw?", "Harvey threw six innings, allowing three runs.", "six"),
        (
            "When was DuBose shot?",
            "DuBose was shot to death by an officer on July 19, the family said.",
            "July 19",
        ),
        (
            "Who was the college player of the year in 2013?",
            "But Amanda Kessel, a leading scorer, was the college player of the year in 2013.",
            "Amanda Kessel",
        ),
        (
            "Which network reported Kirby's remarks?",
            "“I can leave it at that,” said John Kirby, the NSC’s coordinator, according to CNN.",
            "CNN",
        ),
    ],
)
def test_short_answer_is_a_span_of_the_sentence(question: str, sentence: str, short: str) -> None:
    found = extract(analyse(question), sentence)
    assert found == short
    assert found in sentence


def test_short_answer_skips_a_capitalised_opener() -> None:
    assert extract(analyse("Which group is at risk?"), "Additionally, they can pose a threat.") is None


@pytest.mark.parametrize(
    ("sentence", "speaker"),
    [
        (
            "“We remain hopeful,” said John Kirby, the NSC’s coordinator, according to CNN.",
            "John Kirby, the NSC’s coordinator",
        ),
        ("“If the Russians didn’t use them, perhaps we would not,” Syrskyi said.", "Syrskyi"),
        (
            'The American people do not agree with Trump," Sanders said, suggesting a few questions.',
            "Sanders",
        ),
        ("Dean, a former party chairman, poked at Trump, tweeting, “Notice Trump sniffing.”", "Dean"),
        ("“That is not accepting responsibility.”", None),
    ],
)
def test_speaker_in_attribution_shapes(sentence: str, speaker: str | None) -> None:
    assert speaker_in(sentence) == speaker


def test_speaker_of_a_multi_sentence_quote_is_named_in_its_last_sentence() -> None:
    article = _article(
        "“They are using them appropriately. They’re using them well. I can leave it,” said John Kirby."
    )
    first = article.sentences[0]
    found = find_speaker(article, first)
    assert found is not None
    assert found[0] == "John Kirby"
    assert found[1].id == article.sentences[-1].id


def test_a_quote_paragraph_continues_the_last_speaker() -> None:
    article = _article('"No, this is not politics," Cruz said at the time.\n"I will tell the truth."')
    found = find_speaker(article, article.sentences[1])
    assert found is not None and found[0] == "Cruz"


def test_follow_up_rewrites_pronoun_to_last_speaker() -> None:
    turn = Turn("Who said it?", "John Kirby.", short_answer="John Kirby, the NSC’s coordinator")
    assert standalone_query("What else did he say?", [turn]) == "What else did John Kirby say?"
    assert is_follow_up("What else did he say?")
    assert is_follow_up("When?")
    assert not is_follow_up("Who is the US Secretary of Defense?")


def test_conversation_positions_follow_answers_through_the_article() -> None:
    article = _article("Drake played in New York on Saturday.\nHe came with friends.\nLater he sang.")
    turns = [Turn("Where?", "New York"), Turn("With whom?", "friends"), Turn("Was he happy?", "yes")]
    positions = conversation_positions(article, turns)
    assert positions[:2] == [0, 1]
    # A yes/no answer is placed by its question's words, else stays where the talk was.
    assert positions[2] == 1
