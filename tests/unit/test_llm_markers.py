"""Citation markers: parsed, checked against what was shown, cleaned while streaming."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.answer.markers import (
    MarkerFilter,
    cut_at_sentence,
    is_abstention,
    marker_labels,
    read_answer,
    strip_markers,
)
from assistant.answer.prompts import build_context
from tests.llm_fakes import SEED_LIKE, article, request

A = article(SEED_LIKE, "art1")
B = article("Another article. With two sentences.", "art2")
ONE = build_context(request("q", A), 3000, 1)
TWO = build_context(request("q", A, B), 3000, 1)


def _run(text: str, context=ONE, size: int = 0) -> tuple[MarkerFilter, list[str]]:  # type: ignore[no-untyped-def]
    f = MarkerFilter(context)
    chunks = [text] if not size else [text[i : i + size] for i in range(0, len(text), size)]
    shown = [f.feed(c) for c in chunks] + [f.finish()]
    return f, shown


@pytest.mark.parametrize(
    ("inner", "labels"),
    [
        ("s12", ["s12"]),
        ("S12", ["s12"]),
        ("s3, s4", ["s3", "s4"]),
        ("s3; s4 and s5", ["s3", "s4", "s5"]),
        ("a2:s7", ["a2:s7"]),
        ("a2 / s7", ["a2:s7"]),
        ("sic", None),
        ("the president", None),
        ("3", None),
        ("s3 says", None),
    ],
)
def test_marker_labels(inner, labels):  # type: ignore[no-untyped-def]
    assert marker_labels(inner) == labels


def test_invented_ids_are_dropped_and_counted_valid_ones_kept():
    f, _ = _run("Kirby said so [s2][s999]. Also [s3, s42].")
    assert f.text == "Kirby said so [s2]. Also [s3]."
    assert f.valid == (("art1", "s2"), ("art1", "s3"))
    assert f.invented == 2


def test_a_dropped_marker_leaves_no_stray_space():
    assert _run("It cost a lot [s999].")[0].text == "It cost a lot."
    assert _run("It cost a lot [s999] and more.")[0].text == "It cost a lot and more."
    assert _run("A [s999][s1] claim.")[0].text == "A [s1] claim."


def test_brackets_that_are_not_markers_stay_text():
    assert _run("He [the president] said [sic] it.")[0].text == "He [the president] said [sic] it."
    assert _run("An open [bracket never closes")[0].text == "An open [bracket never closes"


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7])
def test_streaming_in_any_pieces_gives_the_same_text_and_never_shows_an_invented_id(size):  # type: ignore[no-untyped-def]
    text = "Kirby said so [s2][s999]. Russia used them [s4]. Invented [s77] here [sic]."
    whole, _ = _run(text)
    f, shown = _run(text, size=size)
    assert f.text == whole.text
    assert "".join(shown).strip() == whole.text
    assert all("s999" not in piece and "s77" not in piece for piece in shown)
    assert f.invented == whole.invented == 2


@given(st.text(alphabet="ab [s12]9,.", max_size=60), st.integers(min_value=1, max_value=8))
def test_property_pieces_do_not_change_the_result(text, size):  # type: ignore[no-untyped-def]
    whole, _ = _run(text)
    pieces, shown = _run(text, size=size)
    assert pieces.text == whole.text
    assert "".join(shown).strip() == whole.text
    assert pieces.valid == whole.valid


def test_several_articles_use_numbered_ids():
    f, _ = _run("One [a1:s2]. Two [a2:s1]. Bare and ambiguous [s1]. Bare but unique [s4].", TWO)
    assert f.valid == (("art1", "s2"), ("art2", "s1"), ("art1", "s4"))
    assert f.invented == 1
    assert "[a1:s4]" in f.text  # a bare ID that resolves is shown with its article number


def test_reading_claims_and_unsupported_sentences():
    text = "Kirby said they work [s2]. Russia used them.\n[s4]\nThey were banned. [s3] Nothing backs this."
    reading = read_answer(text, ONE)
    assert reading.claims == (
        (("art1", "s2"), "Kirby said they work."),
        (("art1", "s4"), "Russia used them."),
        (("art1", "s3"), "They were banned."),
    )
    assert reading.unsupported == ("Nothing backs this.",)
    assert reading.sentences == 4


def test_abstention_sentences_are_not_claims():
    reading = read_answer("The article doesn't say.", ONE)
    assert reading.sentences == 0 and reading.unsupported == ()
    assert is_abstention("The article doesn’t say who paid.")
    assert is_abstention("the article does not say.")
    assert not is_abstention("The article says it cost $40 million.")


def test_strip_and_cut():
    assert strip_markers("It works [s2]. Really [sic] [s3].") == "It works. Really [sic]."
    assert cut_at_sentence("One [s1]. Two [s2][s3]. Three is cut of") == "One [s1]. Two [s2][s3]."
    assert cut_at_sentence("no end at all") == "no end at all …"


def test_answer_sentences_keep_abbreviations_and_their_markers():
    from assistant.answer.markers import split_sentences

    assert split_sentences("Mr. Kirby said U.S. aid works [s2]. Then [s3][s4] more! Last") == [
        "Mr. Kirby said U.S. aid works [s2].",
        " Then [s3][s4] more!",
        " Last",
    ]
