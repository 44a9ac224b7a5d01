"""Titles of plain-text articles: a headline-like first line, never a sentence; IDs unaffected."""

from __future__ import annotations

import pytest

from index.build import prepare
from index.ingest import _text_title, read_file, read_text
from index.models import RawArticle

BODY = "The council met on Tuesday to vote. The mayor said the budget is final."


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Council Approves New Park Budget\n\n" + BODY, "Council Approves New Park Budget"),
        ("Will the park open in spring?\n" + BODY, "Will the park open in spring?"),
        ("# Markdown heading\n\n" + BODY, "Markdown heading"),
        ("\n\n  Ferry Schedule Changes  \n\n" + BODY, "Ferry Schedule Changes"),
        (BODY, None),  # one line: the text itself
        ("The council met on Tuesday to vote.\n\n" + BODY, None),  # a sentence, not a headline
        ("“We are done,” she said\n\n" + BODY, None),  # a quotation
        (" ".join(["word"] * 25) + "\n\n" + BODY, None),  # too long for a headline
    ],
)
def test_title_of_a_text_file(tmp_path, text: str, title: str | None) -> None:
    path = tmp_path / "story.txt"
    path.write_text(text, encoding="utf-8")
    assert read_file(path).title == title


def test_a_lone_line_is_no_headline() -> None:
    assert _text_title("Council Approves New Park Budget\n\n") is None
    assert _text_title("") is None


def test_pasted_text_uses_the_given_title_first() -> None:
    text = "Council Approves New Park Budget\n\n" + BODY
    assert read_text(text, title="Mine").title == "Mine"
    assert read_text(text).title == "Council Approves New Park Budget"


def test_the_title_never_changes_the_sentences(tmp_path) -> None:
    text = "Council Approves New Park Budget\n\n" + BODY
    path = tmp_path / "story.txt"
    path.write_text(text, encoding="utf-8")
    titled, _ = prepare(read_file(path))
    plain, _ = prepare(RawArticle(text=text, source=str(path)))
    assert titled.title == "Council Approves New Park Budget" and plain.title is None
    assert titled.id == plain.id and titled.sentences == plain.sentences
