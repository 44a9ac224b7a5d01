"""Library-wide search over the memory-mapped int8 matrix finds what exact search finds (issue 26).

A small library is forced onto the path (``ann_min_passages`` 0, ``library_dense`` "mapped"):
results equal a full exact rebuild from the vectors in Chroma; Chroma's own index is never
queried; another Assistant's adds and removes are seen; a damaged matrix file (either part) is
logged, never changes a result, and is written again. Real bundled model, real embedded Chroma.
"""

from __future__ import annotations

import logging
import os

import pytest

from assistant.api import Assistant
from assistant.library.matrix import open_matrix
from index.store import ChromaStore
from tests.integration.test_library_scale import QUESTIONS, _rebuilt, _same, raws  # noqa: F401


@pytest.fixture
def settings(tmp_path):  # type: ignore[no-untyped-def]
    from assistant.settings import Settings

    s = Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache")
    return s.with_(**{"retrieval.ann_min_passages": 0, "retrieval.library_dense": "mapped"})


@pytest.fixture
def no_hnsw(monkeypatch):  # type: ignore[no-untyped-def]
    """Fail any library-wide query of Chroma's HNSW index (the path this one replaces)."""

    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("Chroma's HNSW index was queried")

    monkeypatch.setattr(ChromaStore, "nearest_passages", refuse)
    monkeypatch.setattr(ChromaStore, "query", refuse)


def _matrix(settings):  # type: ignore[no-untyped-def]
    found = list((settings.cache_dir / "matrix").rglob("library.mat"))
    assert len(found) == 1
    return found[0]


def _check(assistant, embedder) -> None:  # type: ignore[no-untyped-def]
    reference = _rebuilt(Assistant(assistant.settings, embedder=embedder))
    for q in QUESTIONS:
        _same(assistant.search(q, k=10), reference.search(q, embedder.embed([q])[0], 10))


def test_mapped_search_is_exact_search(settings, embedder, raws, no_hnsw):  # noqa: F811
    writer = Assistant(settings, embedder=embedder)
    writer.add_many(raws[:4])
    path = _matrix(settings)  # the bulk add left the file for the next process
    assert open_matrix(path, 384) is not None
    reader = Assistant(settings, embedder=embedder)
    _check(reader, embedder)
    # A sentence's own vector finds it first, as exact search does (HNSW can miss among duplicates).
    article = reader.articles()[1]
    for sentence in article.sentences[:5]:
        top = reader.search(sentence.text, k=1)[0]
        assert (top.article_id, top.sentence_id) == (article.id, sentence.id) or top.dense >= 0.9999
    # Added one at a time: the in-memory tail, then a new process maps the file and the tail.
    for raw in raws[4:6]:
        reader.add_text(raw.text, title=raw.title, source=raw.source)
    _check(reader, embedder)
    _check(Assistant(settings, embedder=embedder), embedder)


def test_another_processes_adds_and_removes_are_seen(settings, embedder, raws, no_hnsw):  # noqa: F811
    first = Assistant(settings, embedder=embedder)
    added = first.add_many(raws[:4])
    _check(first, embedder)
    other = Assistant(settings, embedder=embedder)
    gone = added[2].article.id
    other.remove(gone)
    new = other.add_text(raws[5].text, title=raws[5].title, source=raws[5].source).article
    for q in QUESTIONS:
        assert gone not in {h.article_id for h in first.search(q, k=50)}
    _check(first, embedder)
    top = first.search(new.sentences[2].text, k=1)[0]
    assert top.article_id == new.id
    reopened = Assistant(settings, embedder=embedder)  # the file still holds the removed article
    for q in QUESTIONS:
        assert gone not in {h.article_id for h in reopened.search(q, k=50)}
    _check(reopened, embedder)


@pytest.mark.parametrize("where", ["codes", "float32", "cut", "zeroed"])
def test_a_damaged_matrix_file_is_rebuilt(settings, embedder, raws, no_hnsw, caplog, where):  # noqa: F811
    Assistant(settings, embedder=embedder).add_many(raws[:4])
    path = _matrix(settings)
    size = path.stat().st_size
    data = bytearray(path.read_bytes())
    if where == "codes":  # inside the checked part
        data[size // 8] ^= 0x40
    elif where == "float32":  # the rows read by pread, checked against their codes
        data[size - 4 * 384 * 3 + 2] ^= 0x40
    elif where == "cut":
        data = data[: size // 2]
    else:
        data = bytearray(len(data))
    path.write_bytes(bytes(data))
    with caplog.at_level(logging.WARNING, logger="assistant.library.files"):
        reader = Assistant(settings, embedder=embedder)
        if where == "float32":  # found only when those rows are read: a search near them
            last = reader.articles()[-1]
            for sentence in last.sentences:
                reader.search(sentence.text, k=3)
        _check(reader, embedder)
    assert any("ignoring the cache file" in r.message and "library.mat" in r.message for r in caplog.records)
    if where == "float32":  # deleted when found; the next process writes it again
        assert not path.exists()
        _check(Assistant(settings, embedder=embedder), embedder)
    matrix = open_matrix(path, 384)
    assert matrix is not None and os.path.getsize(path) == size
