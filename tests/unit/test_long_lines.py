"""Long lines: split in time linear in their length, cut only between sentences.

No timing is asserted; the timeouts only turn a return to quadratic time
into a failure instead of a hang. Measurements: tests/benchmarks/split_long_lines.py.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.clean import find_boilerplate
from index.sentences import MAX_PYSBD_CHARS, MAX_PYSBD_LINE, _word_before, split_sentences


def _seed_sentences(seed_path) -> list[str]:  # type: ignore[no-untyped-def]
    text = seed_path.read_text(encoding="utf-8")
    return [s.text for s in split_sentences(text, find_boilerplate(text))]


def _repeat_to(line: str, size: int) -> tuple[str, int]:
    copies = size // (len(line) + 1) + 1
    return " ".join([line] * copies), copies


@pytest.mark.timeout(60)
def test_seed_on_one_20kb_line_splits_into_the_seed_sentences(seed_path):
    """Chunks for pysbd are cut only where the seed's own sentences end."""
    seed = _seed_sentences(seed_path)
    line, copies = _repeat_to(" ".join(seed), 20_000)
    assert MAX_PYSBD_CHARS < len(line) <= MAX_PYSBD_LINE
    sentences = split_sentences(line)
    assert [s.text for s in sentences] == seed * copies
    assert {s.paragraph for s in sentences} == {1}


@pytest.mark.timeout(60)
def test_one_megabyte_line_splits_into_many_sentences(seed_path):
    """Past MAX_PYSBD_LINE the stop rule alone splits; on the seed it agrees with pysbd."""
    seed = _seed_sentences(seed_path)
    line, copies = _repeat_to(" ".join(seed), 1_000_000)
    assert len(line) > MAX_PYSBD_LINE
    sentences = split_sentences(line)
    assert [s.text for s in sentences] == seed * copies
    assert all(line[s.start : s.end] == s.text for s in sentences)


_PATHOLOGICAL = {
    "initials": "A. ",
    "abbreviations": "Mr. ",
    "dotted, no spaces": "a.",
    "numbered list": "1. ",
    "curly quotes": "“” ",
    "straight quotes": '"',
    "stops": ". ",
    "spaces": "x" + " " * 99,
    "one long word": "abcdefghij",
    "quoted stops": "“a.” B ",
}


@pytest.mark.timeout(60)
@pytest.mark.parametrize("unit", list(_PATHOLOGICAL.values()), ids=list(_PATHOLOGICAL))
def test_pathological_megabyte_line_splits_in_bounded_sentences(unit):
    text = "Start here. " + unit * (1_000_000 // len(unit)) + " The end."
    sentences = split_sentences(text)
    assert sentences
    assert all(text[s.start : s.end] == s.text for s in sentences)
    assert max(len(s.text) for s in sentences) <= MAX_PYSBD_CHARS
    covered = "".join(s.text for s in sentences)
    assert "".join(covered.split()) == "".join(text.split())


@pytest.mark.timeout(60)
def test_boilerplate_rules_leave_long_lines_alone():
    promo = "Get our app and sign up for the newsletter. " * 25_000
    text = f"Download the app now\n{promo}\nSubscribe\n"
    dropped = find_boilerplate(text)
    assert [d.text for d in dropped] == ["Download the app now", "Subscribe"]


_ORIGINAL_WORD_BEFORE = re.compile(r"([A-Za-z.]+)[.!?]$")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="aZ.!? \n“é", max_size=30), st.sampled_from(".!?"), st.integers(0, 40))
def test_word_before_finds_what_the_regex_it_replaced_found(body, stop, start):
    text = body + stop
    start = min(start, len(text) - 1)
    found = _ORIGINAL_WORD_BEFORE.search(text[start:])
    assert _word_before(text, start, len(text) - 1) == (found.group(1) if found else None)
