"""Scoped questions read an article's vectors from the read path's files, not from Chroma."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.api import Assistant
from assistant.library.vectors import VectorCache
from assistant.settings import Settings
from index.store import ChromaStore

TEXT = (
    "Council votes on the budget\n\nThe council voted on Monday. The mayor said the budget was fair. "
    "Critics said the plan cut too much from the libraries."
)
QUESTION = "Who said the budget was fair?"


class _Spying(ChromaStore):
    reads = 0

    def article_vectors(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        type(self).reads += 1
        return super().article_vectors(*args, **kwargs)


@pytest.fixture
def settings(tmp_path):  # type: ignore[no-untyped-def]
    return Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache")


def _open(settings, embedder) -> tuple[Assistant, type[_Spying]]:  # type: ignore[no-untyped-def]
    from index.store import StoreFingerprint, make_client

    spying = type("Spying", (_Spying,), {"reads": 0})
    fingerprint = StoreFingerprint(embedder.name, embedder.dimension, settings.index.passage_window)
    store = spying(make_client(settings.data_dir, None), fingerprint)
    return Assistant(settings, embedder=embedder, store=store), spying


def _answer(assistant: Assistant, article_id: str) -> tuple[str, list[tuple[str, float]]]:
    answer = assistant.ask(QUESTION, article=article_id)
    return answer.text, [(c.sentence_id, round(c.support or 0.0, 6)) for c in answer.citations]


def test_an_add_saves_the_vectors_a_scoped_question_then_reads(settings, embedder) -> None:  # type: ignore[no-untyped-def]
    first, _ = _open(settings, embedder)
    article = first.add_text(TEXT).article
    second, spy = _open(settings, embedder)
    from_files = _answer(second, article.id)
    assert spy.reads == 0

    for path in (settings.cache_dir / "vectors").rglob("*.npy"):
        path.unlink()
    third, spy = _open(settings, embedder)
    assert _answer(third, article.id) == from_files  # the same vectors as the store's
    assert spy.reads == 1
    _, stored = third.store.article_vectors(article.id)
    saved = next((settings.cache_dir / "vectors").rglob(f"{article.id}.npy"))
    again = VectorCache(saved.parent).load(article.id, len(stored))
    assert again is not None and np.array_equal(again, stored)  # read once, saved again, byte for byte


def test_a_damaged_file_is_read_from_the_store_again(settings, embedder) -> None:  # type: ignore[no-untyped-def]
    first, _ = _open(settings, embedder)
    article = first.add_text(TEXT).article
    want = _answer(first, article.id)
    for path in (settings.cache_dir / "vectors").rglob("*.npy"):
        np.save(path, np.zeros((1, 3), dtype=np.float32))  # wrong shape
    second, spy = _open(settings, embedder)
    assert _answer(second, article.id) == want
    assert spy.reads == 1


def test_removing_an_article_removes_its_file(settings, embedder) -> None:  # type: ignore[no-untyped-def]
    first, _ = _open(settings, embedder)
    article = first.add_text(TEXT).article
    assert list((settings.cache_dir / "vectors").rglob(f"{article.id}.npy"))
    first.remove(article.id)
    assert not list((settings.cache_dir / "vectors").rglob(f"{article.id}.npy"))
