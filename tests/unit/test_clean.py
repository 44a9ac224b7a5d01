"""Boilerplate detection drops promos and labels, never prose."""

from __future__ import annotations

import pytest

from index.clean import boilerplate_reason, find_boilerplate


@pytest.mark.parametrize(
    "line",
    [
        "CLICK HERE TO GET THE DALLAS EXPRESS APP",
        "Author",
        "Share this article",
        "Subscribe to our newsletter",
        "Sign up for the Morning Briefing",
        "Follow us on Twitter",
        "Download the app",
    ],
)
def test_boilerplate_lines_are_dropped(line):
    assert boilerplate_reason(line) is not None


@pytest.mark.parametrize(
    "line",
    [
        "Russian President Vladimir Putin previously said that he would deploy his own stockpile.",
        "The author of the letter, Sen. Jim Risch, declined to comment.",
        "Apple shares rose after the company said its new app store rules would change.",
        "",
    ],
)
def test_prose_is_kept(line):
    assert boilerplate_reason(line) is None


def test_offsets_point_at_the_dropped_lines():
    text = "First line of news.\n\n  CLICK HERE TO GET THE APP  \nAuthor"
    dropped = find_boilerplate(text)
    assert [(text[d.start : d.end], d.reason) for d in dropped] == [
        ("CLICK HERE TO GET THE APP", "app promo"),
        ("Author", "byline label"),
    ]
