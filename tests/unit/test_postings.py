"""Library BM25 from saved per-article segments scores as one bm25s index over all sentences."""

from __future__ import annotations

import json

import numpy as np
import pytest

from assistant.analysis.text import terms
from assistant.retrieval.bm25 import BM25Index
from assistant.retrieval.hybrid import sentence_tokens
from assistant.retrieval.postings import LibraryBM25, Segment
from index.build import prepare
from index.ingest import read_text
from tests.support import ROOT

QUERIES = [
    "Who said the president would veto the bill?",
    "How many people died in the storm",
    "police police said",  # a repeated term counts twice, as in bm25s
    "zzzunseen words only",
    "What did the company report about its quarterly earnings and revenue?",
]


@pytest.fixture(scope="module")
def articles():  # type: ignore[no-untyped-def]
    records = [json.loads(line) for line in (ROOT / "evals" / "data" / "dev.jsonl").open()]
    texts = list({r["article_id"]: r["text"] for r in records}.values())[:13]
    found = [prepare(read_text(t))[0] for t in texts[:12]]
    # A sentence of stopwords only has no terms: bm25s counts it as one empty token.
    empty_sentence = prepare(read_text(texts[12] + "\n\nAnd so it was.\n"))[0]
    assert not terms(empty_sentence.sentences[-1].text)
    return [*found, empty_sentence]


def _full_scores(index, query: str, size: int) -> np.ndarray:  # type: ignore[no-untyped-def]
    got = index.search(terms(query), size)
    out = np.zeros(size)
    out[got.positions] = got.scores
    return out


@pytest.mark.parametrize("split", [1, 3, 13])
def test_scores_and_coverage_equal_one_bm25s_index(articles, split):
    reference = BM25Index(sentence_tokens(articles))
    chunks = [articles[i::split] for i in range(split)]
    ordered = [a for chunk in chunks for a in chunk]
    library = LibraryBM25([Segment.build(chunk) for chunk in chunks])
    expected_index = BM25Index(sentence_tokens(ordered))  # same numbering as the library
    assert library.size == reference.size
    for query in QUERIES:
        want = _full_scores(expected_index, query, library.size)
        got = _full_scores(library, query, library.size)
        assert np.allclose(got, want, rtol=1e-5, atol=1e-5), query
        for position in range(0, library.size, 7):
            assert library.coverage(terms(query), position) == pytest.approx(
                expected_index.coverage(terms(query), position)
            )


def test_merge_save_load_and_removal_keep_the_scores(articles, tmp_path):
    parts = [Segment.build([a]) for a in articles]
    merged = Segment.merge(parts)
    loaded = Segment.from_bytes(merged.to_bytes())
    assert loaded.article_ids == tuple(a.id for a in articles)
    gone = {articles[2].id, articles[5].id}
    kept = [a for a in articles if a.id not in gone]
    for candidate in (LibraryBM25(parts), LibraryBM25([loaded])):
        assert candidate.size == sum(len(a.sentences) for a in articles)
    reduced = LibraryBM25([loaded.without(gone)])
    rebuilt = LibraryBM25([Segment.build(kept)])
    for query in QUERIES:
        assert np.allclose(
            _full_scores(reduced, query, reduced.size), _full_scores(rebuilt, query, rebuilt.size)
        )


def test_positions_map_to_sentences_and_back(articles):
    library = LibraryBM25([Segment.build(articles[:4]), Segment.build(articles[4:])])
    position = 0
    for article in articles:
        for sentence in article.sentences:
            assert library.ref(position) == (article.id, sentence.id)
            assert library.position(article.id, sentence.id) == position
            position += 1
    assert library.position("not-an-article", "s1") is None
    assert library.position(articles[0].id, f"s{len(articles[0].sentences) + 1}") is None
    assert library.groups(np.array([0, position - 1])) == [articles[0].id, articles[-1].id]


def test_top_n_is_the_top_of_the_full_scores(articles):
    library = LibraryBM25([Segment.build(articles[:5]), Segment.build(articles[5:])])
    for query in QUERIES:
        full = _full_scores(library, query, library.size)
        for n in (1, 5, 40):
            got = library.search(terms(query), n)
            assert len(got) == min(n, library.size)
            assert np.allclose(np.sort(got.scores)[::-1], np.sort(full)[::-1][:n])
            assert np.allclose(full[got.positions], got.scores)
