"""The trust sets build from their hand-written questions through the product's own readers.

Set 2 (``evals/data/trust2``) is an untouched held-out set: this test never asks the
answerer anything, it only checks that every evidence sentence is still found, whole, in the
text the product stores (a reader that drops a bullet or a Word paragraph fails here).
"""

from __future__ import annotations

from typing import Any

import yaml

from evals.trust_build import SETS, TrustSet, build, check_counts


def test_set_names_keep_set_one_files() -> None:
    one, two = SETS["trust"], SETS["trust2"]
    assert [one.single(h) for h in one.halves] == ["trust_tune.jsonl", "trust_test.jsonl"]
    assert one.library("test") == "trust_library_test.jsonl"
    assert (two.halves, two.single("test"), two.library("test")) == (
        ("test",), "trust2_test.jsonl", "trust2_library_test.jsonl"
    )


def _built(name: str) -> tuple[TrustSet, dict[str, list[dict[str, Any]]], list[dict[str, Any]]]:
    """Set ``name`` built from its questions, checked to build without warnings and with the counts
    it promises, and to give one gold record per question with the set's source: (set, files, records)."""
    tset = SETS[name]
    spec = yaml.safe_load((tset.here / "questions.yaml").read_text(encoding="utf-8"))
    out, gold, warnings = build(spec, tset)
    assert warnings == []
    assert check_counts(out, tset) == []
    records = [r for recs in out.values() for r in recs]
    assert len(gold) == len(records)
    assert {r["source"] for r in records} == {f"{name}-v1"}
    return tset, out, records


def test_trust2_builds_with_whole_sentences() -> None:
    tset, out, records = _built("trust2")
    assert sorted(out) == ["trust2_library_test.jsonl", "trust2_test.jsonl"]
    assert len(records) >= 100
    # All eight articles, every form, are in the one-article file (the library run's store).
    assert len({r["article_id"] for r in out["trust2_test.jsonl"]}) == 8
    assert sum(r["question_type"] == "unanswerable" for r in records) >= 20
    assert sum(bool(r["history"]) for r in records) >= 10


def test_trust3_builds_with_whole_sentences_in_each_half() -> None:
    tset, out, records = _built("trust3")
    for half in tset.halves:
        # Six articles per half, one of each form, all in the half's one-article file.
        single = out[tset.single(half)]
        assert len({r["article_id"] for r in single}) == 6
        assert {r["flags"][0] for r in single} == {
            "txt-headline", "markdown", "html", "liveblog", "pasted", "docx"
        }
        assert sum(r["question_type"] == "unanswerable" for r in single) >= 10
        assert sum(bool(r["history"]) for r in single) >= 8
        assert out[tset.library(half)]


def test_quotes4_builds_with_whole_sentences_in_each_half() -> None:
    tset, out, records = _built("quotes4")
    # Attribution questions only, and no library files.
    assert sorted(out) == sorted(tset.single(h) for h in tset.halves)
    assert {r["question_type"] for r in records} == {"quote", "followup", "unanswerable"}
    for half in tset.halves:
        # Four articles per half, one of each form, every question tagged with its pattern.
        single = out[tset.single(half)]
        assert len({r["article_id"] for r in single}) == 4
        assert {r["flags"][0] for r in single} == {"txt-headline", "markdown", "html", "pasted"}
        assert all(any(f.startswith("pattern:") for f in r["flags"]) for r in single)
        assert sum(r["question_type"] == "unanswerable" for r in single) >= 8
        assert sum(bool(r["history"]) for r in single) >= 8


def test_quotes5_builds_with_whole_sentences_in_each_half() -> None:
    tset, out, records = _built("quotes5")
    assert sorted(out) == sorted(tset.single(h) for h in tset.halves)
    assert {r["question_type"] for r in records} == {"quote", "followup", "unanswerable"}
    for half in tset.halves:
        # Three articles per half, one of each form; weighted to unanswerable near misses.
        single = out[tset.single(half)]
        assert len({r["article_id"] for r in single}) == 3
        assert {r["flags"][0] for r in single} == {"txt-headline", "markdown", "pasted"}
        assert all(any(f.startswith("pattern:") for f in r["flags"]) for r in single)
        unanswerable = sum(r["question_type"] == "unanswerable" for r in single)
        assert unanswerable >= 0.35 * len(single)
        assert sum("pattern:near-miss-opposite" in r["flags"] for r in single) >= 8
        assert sum(bool(r["history"]) for r in single) >= 4
