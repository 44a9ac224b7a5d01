"""Bulk adds embed the next batch while the last is written: the results and the store are as before."""

from __future__ import annotations

import json

import pytest

from assistant.api import Assistant
from assistant.settings import Settings
from index.ingest import read_text
from tests.support import ROOT


@pytest.fixture(scope="module")
def raws():  # type: ignore[no-untyped-def]
    records = [json.loads(line) for line in (ROOT / "evals" / "data" / "dev.jsonl").open()]
    texts = list({r["article_id"]: (r["text"], r["title"]) for r in records}.values())[:5]
    return [read_text(text, title=title, source=f"dev {i}") for i, (text, title) in enumerate(texts)]


def _assistant(tmp_path, embedder) -> Assistant:  # type: ignore[no-untyped-def]
    return Assistant(Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache"), embedder=embedder)


def test_repeats_across_batches_and_stored_articles_are_no_ops(tmp_path, embedder, raws) -> None:  # type: ignore[no-untyped-def]
    assistant = _assistant(tmp_path, embedder)
    first = assistant.add_text(raws[0].text, title=raws[0].title, source=raws[0].source).article
    # Batches of two: [0 stored, 1] [2, 1 again] [3, 2 again] [4]: a repeat lands in the batch after its
    # first copy, which is being written while it is embedded.
    order = [raws[0], raws[1], raws[2], raws[1], raws[3], raws[2], raws[4]]
    results = assistant.add_many(order, batch=2)
    assert [r.created for r in results] == [False, True, True, False, True, False, True]
    assert results[0].article.id == first.id and results[0].article.added_at == first.added_at
    assert results[3].article == results[1].article and results[5].article == results[2].article
    listed = [a.id for a in assistant.articles()]
    assert sorted(listed) == sorted({r.article.id for r in results})
    assert assistant.check().consistent
    for r in results:  # each article's passages are stored, and answerable library-wide
        assert len(assistant.store.article_vectors(r.article.id)[0]) == len(r.article.sentences)
    assert assistant.search("What did the police say?", k=5)


class _Failing:
    """An embedder that fails, as a broken model would."""

    def __init__(self, inner) -> None:  # type: ignore[no-untyped-def]
        self._inner = inner
        self.name, self.dimension = inner.name, inner.dimension

    def embed(self, texts):  # type: ignore[no-untyped-def]
        raise RuntimeError("the encoder broke")


def test_one_add_journals_while_it_embeds_and_leaves_no_entry(tmp_path, embedder, raws) -> None:  # type: ignore[no-untyped-def]
    from index.build import add_article

    assistant = _assistant(tmp_path, embedder)
    store = assistant.store
    first = add_article(raws[0], store, embedder)
    again = add_article(raws[0], store, embedder)  # a re-add: embedded for nothing, journals nothing
    assert first.created and not again.created and again.article.added_at == first.article.added_at
    with pytest.raises(RuntimeError, match="the encoder broke"):
        add_article(raws[1], store, _Failing(embedder))  # type: ignore[arg-type]
    assert store._journal.entries() == []  # the entry written while embedding went with the failure
    assert [a.id for a in assistant.articles()] == [first.article.id]
    assert assistant.check().consistent and assistant.check().unfinished == 0
