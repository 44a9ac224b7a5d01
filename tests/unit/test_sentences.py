"""Sentence splitting: offsets, paragraphs, quote links, boilerplate skipped."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import index.sentences
from index.clean import find_boilerplate
from index.sentences import MAX_PYSBD_CHARS, split_sentences


def test_seed_sentences_hold_offsets_and_skip_boilerplate(seed_path):
    text = seed_path.read_text(encoding="utf-8")
    sentences = split_sentences(text, find_boilerplate(text))
    assert [s.id for s in sentences] == [f"s{i}" for i in range(1, len(sentences) + 1)]
    for s in sentences:
        assert text[s.start : s.end] == s.text
    joined = " ".join(s.text for s in sentences)
    assert "CLICK HERE" not in joined
    assert all(s.text != "Author" for s in sentences)


def test_multi_sentence_quote_links_to_its_attribution(seed_path):
    text = seed_path.read_text(encoding="utf-8")
    sentences = split_sentences(text, find_boilerplate(text))
    effective = next(s for s in sentences if "They’re using them effectively" in s.text)
    appropriate = next(s for s in sentences if "using them appropriately" in s.text)
    kirby = next(s for s in sentences if "said John Kirby" in s.text)
    assert effective.id != kirby.id, "the quote is split into its sentences"
    assert effective.quote_close == kirby.id
    assert appropriate.quote_close == kirby.id
    assert kirby.quote_close is None
    assert effective.paragraph == kirby.paragraph


def test_abbreviations_and_initials_do_not_split():
    text = "He met Sen. Jim Risch and U.S. officials. “I went home. J. Smith said no.” Then he left."
    got = [s.text for s in split_sentences(text)]
    assert got == [
        "He met Sen. Jim Risch and U.S. officials.",
        "“I went home.",
        "J. Smith said no.”",
        "Then he left.",
    ]


def test_paragraphs_are_lines():
    got = split_sentences("One here. Two here.\n\nThree here.\n")
    assert [(s.text, s.paragraph) for s in got] == [
        ("One here.", 1),
        ("Two here.", 1),
        ("Three here.", 2),
    ]


_pieces = st.sampled_from(
    list("abcXYZ .,!?\n“”\"'’‘—é中\t\u00a0()")
    + [
        "Mr. ",
        "U.S. ",
        "3.5",
        "\r\n",
        "\u2028",
        "\x0c",
        "\x85",
        "\r",
        "\n\n",
        "Sen. Jim",
        " He said. ",
        "“Yes. No.” ",
        "A. ",
        "1. ",
        "a.a.a.",
        "!!! ",
        "e\u0301",
        "😀",
        "\u2009",
        "     ",
        "Mr. Smith left. ",
        "“I went. Then I came back.” ",
        "unbrokenrunofletterswithoutanyspaceatall",
    ]
)
_messy = st.lists(_pieces, max_size=120).map("".join)
# Long lines: messy units repeated, so that runs of stops, quotes, spaces or
# letters without a space go on for thousands of characters.
_runs = st.lists(st.tuples(_pieces, st.integers(1, 300)), max_size=40).map(
    lambda runs: "".join(piece * count for piece, count in runs)
)


def _check_sentences(text: str, max_len: int) -> None:
    sentences = split_sentences(text)
    previous_end = 0
    by_id = {s.id: s for s in sentences}
    for s in sentences:
        assert text[s.start : s.end] == s.text
        assert s.text == s.text.strip() and s.text
        assert s.start >= previous_end
        assert len(s.text.splitlines()) == 1, "a sentence never spans a line break"
        assert len(s.text) <= max_len
        if s.quote_close is not None:
            close = by_id[s.quote_close]
            assert close.start > s.start and close.paragraph == s.paragraph
        previous_end = s.end
    covered = "".join(s.text for s in sentences)
    # Every visible character lands in exactly one sentence: nothing is lost.
    assert "".join(covered.split()) == "".join(text.split())


@settings(max_examples=150, deadline=None)
@given(_messy)
def test_offsets_slice_the_text_on_messy_input(text):
    _check_sentences(text, MAX_PYSBD_CHARS)


@settings(max_examples=60, deadline=None)
@given(_runs, st.integers(8, 60), st.integers(60, 400))
def test_long_line_paths_keep_the_invariants(text, max_chars, max_line):
    """With the bounds shrunk, short texts take every long-line path: chunks, fallbacks, stop rule."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(index.sentences, "MAX_PYSBD_CHARS", max_chars)
        patch.setattr(index.sentences, "MAX_PYSBD_LINE", max_line)
        _check_sentences(text[:3000], max_chars)


@settings(max_examples=6, deadline=None)
@given(_runs.filter(lambda t: len(max(t.splitlines() or [""], key=len)) > MAX_PYSBD_CHARS))
def test_long_messy_lines_keep_the_invariants(text):
    _check_sentences(text[:20_000], MAX_PYSBD_CHARS)
