"""Short answers read off the sentence, not a headline run into it; a name that is part of a source
gives the whole source; summary requests known by their words (issue 21, round 3)."""

from __future__ import annotations

import pytest

from assistant.analysis.gap import source_phrase
from assistant.analysis.questions import analyse
from assistant.analysis.text import body_text, headline_run
from index.structure import line_kind


@pytest.mark.parametrize(
    ("text", "body"),
    [
        ("STORM 88, HARBOR HAWKS 81 Porter Bay rallied late.", "Porter Bay rallied late."),
        ("NEW YORK — The city said it would appeal.", "The city said it would appeal."),
        ("BREAKING NEWS FIRE DOWNTOWN Crews fought a fire.", "Crews fought a fire."),
        # Not a headline: an agency and a title before a name, a dateline of one word, an acronym.
        ("NASA CEO Bill Nelson said the launch slipped.", "NASA CEO Bill Nelson said the launch slipped."),
        ("HARWICK — The council voted.", "HARWICK — The council voted."),
        ("F.B.I. agents searched the house.", "F.B.I. agents searched the house."),
    ],
)
def test_a_headline_run_into_a_sentence_is_not_its_body(text: str, body: str) -> None:
    assert body_text(text) == body
    assert (headline_run(text) > 0) == (body != text)


@pytest.mark.parametrize(
    ("sentence", "name", "source"),
    [
        (
            "Donations hit $1.1 billion through August, a USA TODAY analysis of newly filed reports shows.",
            "USA TODAY",
            "a USA TODAY analysis of newly filed reports",
        ),
        (
            "As many tax experts, including Mr. Goldberg, have pointed out, the rule is old.",
            "Goldberg",
            "many tax experts, including Mr. Goldberg",
        ),
        ("A spokesman for Northway Power said it.", "Northway Power", "A spokesman for Northway Power"),
        # The name is the source: it stays the answer.
        ("“They are using them appropriately,” said John Kirby, the spokesman.", "John Kirby", None),
        ("The mayor's spokeswoman, Dana Cho, said the city would pay.", "Dana Cho", None),
        ("Her coach, Felipe Duarte, said she was ready.", "Felipe Duarte", None),
    ],
)
def test_a_name_inside_a_source_gives_the_whole_source(sentence: str, name: str, source: str | None) -> None:
    assert source_phrase(sentence, name) == source


@pytest.mark.parametrize(
    ("question", "summary"),
    [
        ("Tell me what this story is about.", True),
        ("What are the highlights?", True),
        ("What are the most important points?", True),
        ("Can you give me the key points?", True),
        ("Give me the gist.", True),
        ("What did he say about it?", False),
        ("What is the vote about?", False),
        ("What happened to the bridge?", False),
        ("What else happened?", False),
    ],
)
def test_summary_requests_are_known_by_their_words_in_any_order(question: str, summary: bool) -> None:
    assert (analyse(question).kind == "summary") == summary


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("Published 7:10 a.m. ET Aug. 14, 2025 | Updated 9:45 a.m. ET Aug. 14, 2025", "byline"),
        ("Commuters wait at the terminal on Wednesday. (Photo: Lee Tan/Coastal Courier)", "caption"),
        ("Commuters waited for an hour (the photos were shared widely) before boarding.", None),
    ],
)
def test_credit_lines_and_credited_captions_are_structure(line: str, kind: str | None) -> None:
    assert line_kind(line) == kind
