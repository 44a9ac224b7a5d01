"""Library-wide retrieval from saved BM25 segments and Chroma's HNSW finds what a full rebuild finds."""

from __future__ import annotations

import json

import numpy as np
import pytest

from assistant.api import Assistant
from assistant.retrieval.bm25 import BM25Index
from assistant.retrieval.dense import ExactDenseIndex
from assistant.retrieval.hybrid import HybridIndex, passage_members, sentence_tokens
from index.ingest import read_text
from tests.support import ROOT

QUESTIONS = [
    "Who said the president would veto the bill?",
    "How many people were killed?",
    "What did the police say about the suspect?",
    "When will the new stadium open?",
]


@pytest.fixture
def settings(tmp_path):  # type: ignore[no-untyped-def]
    """A fresh store, and a cache folder of this test's own (not the user's)."""
    from assistant.settings import Settings

    return Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache")


@pytest.fixture(scope="module")
def raws():  # type: ignore[no-untyped-def]
    records = [json.loads(line) for line in (ROOT / "evals" / "data" / "dev.jsonl").open()]
    texts = list({r["article_id"]: (r["text"], r["title"]) for r in records}.values())[:8]
    return [read_text(text, title=title, source=f"dev {i}") for i, (text, title) in enumerate(texts)]


def _rebuilt(assistant: Assistant) -> HybridIndex:
    """The library index as it was built before segments: everything read and indexed at once."""
    articles = assistant.articles()
    stored = [assistant.store.article_vectors(a.id) for a in articles]
    return HybridIndex(
        articles,
        BM25Index(sentence_tokens(articles)),
        ExactDenseIndex(
            np.vstack([v for _, v in stored]),
            passage_members(articles, [p for p, _ in stored]),
            sum(len(a.sentences) for a in articles),
        ),
        assistant.settings.retrieval,
    )


def _hits(hits):  # type: ignore[no-untyped-def]
    return [(h.article_id, h.sentence_id) for h in hits], np.array([h.score for h in hits])


def _same(got, want) -> None:  # type: ignore[no-untyped-def]
    (got_ids, got_scores), (want_ids, want_scores) = _hits(got), _hits(want)
    assert got_ids == want_ids
    assert np.allclose(got_scores, want_scores, atol=1e-6)


@pytest.mark.parametrize("ann_min_passages", [0, 1_000_000])  # HNSW through Chroma, or exact
def test_library_search_matches_a_full_rebuild(settings, embedder, raws, ann_min_passages):
    settings = settings.with_(**{"retrieval.ann_min_passages": ann_min_passages})
    assistant = Assistant(settings, embedder=embedder)
    assistant.add_many(raws[:5])
    reference = _rebuilt(assistant)
    for q in QUESTIONS:
        _same(assistant.search(q, k=10), reference.search(q, embedder.embed([q])[0], 10))
    # Added one at a time after the first ask: the index is extended, not rebuilt.
    for raw in raws[5:]:
        assistant.add_text(raw.text, title=raw.title, source=raw.source)
    reference = _rebuilt(assistant)
    for q in QUESTIONS:
        _same(assistant.search(q, k=10), reference.search(q, embedder.embed([q])[0], 10))
    # A new process reads the saved segments instead of tokenising again.
    reopened = Assistant(settings, embedder=embedder)
    for q in QUESTIONS:
        _same(reopened.search(q, k=10), reference.search(q, embedder.embed([q])[0], 10))
        answer = reopened.ask(q)
        assert all(c.article_id in {a.id for a in reopened.articles()} for c in answer.citations)


def test_bulk_add_stores_what_one_at_a_time_stores(tmp_path, embedder, raws):
    from assistant.settings import Settings

    one = Assistant(Settings(data_dir=tmp_path / "one", cache_dir=tmp_path / "cache"), embedder=embedder)
    bulk = Assistant(Settings(data_dir=tmp_path / "bulk", cache_dir=tmp_path / "cache"), embedder=embedder)
    singles = [one.add_text(r.text, title=r.title, source=r.source) for r in raws]
    results = bulk.add_many([*raws, raws[0]], batch=3)  # a repeat inside the batch is a no-op
    assert [r.created for r in results] == [True] * len(raws) + [False]
    assert [r.article.id for r in results[:-1]] == [r.article.id for r in singles]
    for a, b in zip(one.articles(), bulk.articles(), strict=True):
        assert (a.id, a.text, a.sentences, a.title) == (b.id, b.text, b.sentences, b.title)
        (pa, va), (pb, vb) = one.store.article_vectors(a.id), bulk.store.article_vectors(b.id)
        order_a, order_b = np.argsort([p[0] for p in pa]), np.argsort([p[0] for p in pb])
        assert np.allclose(va[order_a], vb[order_b], atol=1e-6)
    assert bulk.add_many(raws) and not any(r.created for r in bulk.add_many(raws))


def test_removed_articles_leave_the_library_index(settings, embedder, raws):
    assistant = Assistant(settings, embedder=embedder)
    added = assistant.add_many(raws[:4])
    assistant.search(QUESTIONS[0])
    gone = added[1].article.id
    assistant.remove(gone)
    for q in QUESTIONS:
        assert gone not in {h.article_id for h in assistant.search(q, k=50)}
    reopened = Assistant(settings, embedder=embedder)  # the saved segment holds it: filtered out
    reference = _rebuilt(reopened)
    for q in QUESTIONS:
        _same(reopened.search(q, k=10), reference.search(q, embedder.embed([q])[0], 10))


def test_damaged_saved_segments_are_rebuilt(settings, embedder, raws):
    assistant = Assistant(settings, embedder=embedder)
    assistant.add_many(raws[:3])
    want = _hits(assistant.search(QUESTIONS[1], k=10))
    files = list((settings.cache_dir / "bm25").rglob("*.npz"))
    assert files
    for f in files:
        f.write_bytes(b"not a segment")
    again = Assistant(settings, embedder=embedder)
    got = _hits(again.search(QUESTIONS[1], k=10))
    assert got[0] == want[0] and np.allclose(got[1], want[1])


def test_a_small_article_cache_still_answers_library_wide(settings, embedder, raws):
    small = settings.with_(**{"retrieval.cached_articles": 2})
    Assistant(small, embedder=embedder).add_many(raws[:5])
    assistant = Assistant(small, embedder=embedder)
    answer = assistant.ask(QUESTIONS[2])
    assert answer.text and answer.citations
    reopened = Assistant(small, embedder=embedder)
    assert [a.id for a in assistant.articles()] == [a.id for a in reopened.articles()]
