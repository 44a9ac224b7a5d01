"""Prose counting: finished sentences count even when a paragraph's last one is cut off."""

from __future__ import annotations

import pytest

from index.errors import NotAnArticleError
from index.extract import check_article, prose_words

SENTENCES = "The council met on Tuesday to vote on the budget. Two members voted against the plan. "


def test_a_one_paragraph_article_cut_off_mid_sentence_still_counts():
    text = SENTENCES * 3 + "The mayor said she would"
    assert prose_words(text) == 48  # 16 words × 3; the unfinished sentence does not count
    check_article(text, "t")


def test_words_without_any_finished_sentence_are_not_prose():
    with pytest.raises(NotAnArticleError):
        check_article("Home News Sport Weather Log in Sign up Contact us About " * 20, "t")


def test_a_small_text_file_with_terminal_colour_codes_is_text(tmp_path):
    from index.ingest import read_file

    path = tmp_path / "colours.txt"
    path.write_bytes(("\x1b[31mRed alert:\x1b[0m " + SENTENCES * 2).encode())
    raw = read_file(path)
    assert "\x1b" not in raw.text
    assert raw.text.startswith("Red alert: The council met")
