"""The store's contract, run on the embedded store and on a real `chroma run` server."""

from __future__ import annotations

import numpy as np
import pytest

from index.build import prepare
from index.errors import ArticleNotFoundError, StoreMismatchError
from index.models import RawArticle
from index.passages import make_passages
from index.store import ChromaStore, StoreFingerprint, make_client

FINGERPRINT = StoreFingerprint("test-embedder", 4, 1)


@pytest.fixture(params=["embedded", "server"])
def client_factory(request, tmp_path):
    """Make clients on one fresh store, embedded or on the test server."""
    if request.param == "embedded":
        return lambda: make_client(data_dir=tmp_path / "store")
    url = request.getfixturevalue("clean_server")
    return lambda: make_client(url=url)


def _article(text: str):
    # Built directly: this tests the store, not ingest's "is this an article?" checks.
    article, _ = prepare(RawArticle(text=text, source="test", title="T"))
    passages = make_passages(article, 1)
    # Deterministic vectors: one-hot by sentence position, so rankings are exact.
    vectors = np.zeros((len(passages), 4), dtype=np.float32)
    for i in range(len(passages)):
        vectors[i, i % 4] = 1.0
    return article, passages, vectors


def test_put_get_list_remove(client_factory):
    store = ChromaStore(client_factory(), FINGERPRINT)
    assert store.list_articles() == []
    article, passages, vectors = _article("Alpha one. Beta two.\n\nGamma three.")
    store.put_article(article, passages, vectors)

    got = store.get_article(article.id)
    assert got.text == article.text
    assert got.sentences == article.sentences
    assert got.title == "T"
    assert got.added_at
    assert [a.id for a in store.list_articles()] == [article.id]
    assert store.count_passages() == 3

    ids, stored = store.article_vectors(article.id)
    by_sentence = {group: tuple(v) for group, v in zip(ids, stored.tolist(), strict=True)}
    assert by_sentence[("s2",)] == (0.0, 1.0, 0.0, 0.0)
    # Looked up by passage ID (the caller knows the sentences): the same rows as the scan.
    ids_by_id, stored_by_id = store.article_vectors(article.id, [s.id for s in article.sentences])
    assert {g: tuple(v) for g, v in zip(ids_by_id, stored_by_id.tolist(), strict=True)} == by_sentence

    hits = store.query(np.array([0, 0, 1, 0], dtype=np.float32), k=2)
    assert hits[0].sentence_ids == ("s3",)
    assert hits[0].similarity == pytest.approx(1.0, abs=1e-5)

    store.remove_article(article.id)
    assert store.list_articles() == []
    assert store.count_passages() == 0
    with pytest.raises(ArticleNotFoundError):
        store.get_article(article.id)
    with pytest.raises(ArticleNotFoundError):
        store.remove_article(article.id)


def test_reopening_sees_the_same_articles(client_factory):
    article, passages, vectors = _article("Alpha one. Beta two.")
    ChromaStore(client_factory(), FINGERPRINT).put_article(article, passages, vectors)
    reopened = ChromaStore(client_factory(), FINGERPRINT)
    assert reopened.get_article(article.id).sentences == article.sentences


def test_refuses_another_embedder(client_factory):
    ChromaStore(client_factory(), FINGERPRINT)
    other = StoreFingerprint("another-model", 8, 1)
    with pytest.raises(StoreMismatchError, match="built with embedder 'test-embedder'"):
        ChromaStore(client_factory(), other)


def test_vector_count_mismatch_writes_nothing(client_factory):
    store = ChromaStore(client_factory(), FINGERPRINT)
    article, passages, vectors = _article("Alpha one. Beta two.")
    with pytest.raises(ValueError):
        store.put_article(article, passages, vectors[:1])
    assert store.list_articles() == []
    assert store.count_passages() == 0


def test_an_article_with_more_passages_than_one_write_takes(client_factory):
    """A 4.9 MB one-paragraph article has ~30,000 passages; Chroma takes about 5,000 a call."""
    client = client_factory()
    store = ChromaStore(client, FINGERPRINT)
    count = int(client.get_max_batch_size()) + 10
    text = " ".join(f"Sentence number {i} is about the council." for i in range(count))
    article, passages, vectors = _article(text)
    assert len(passages) > client.get_max_batch_size()
    store.put_article(article, passages, vectors)
    ids, stored = store.article_vectors(article.id)
    assert len(ids) == len(passages) and stored.shape == (len(passages), 4)
