"""Library-wide exact search after an add reads the new vectors from memory or the vector files, never
the library from Chroma, and finds what exact search over the store's own vectors finds."""

from __future__ import annotations

import json

import numpy as np
import pytest

from assistant.api import Assistant
from assistant.settings import Settings
from index.ingest import read_text
from index.store import ChromaStore
from tests.support import ROOT

QUESTIONS = ["Who said the president would veto the bill?", "How many people were killed?"]


class _Spying(ChromaStore):
    reads = 0

    def articles_vectors(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        type(self).reads += 1
        return super().articles_vectors(*args, **kwargs)


@pytest.fixture(scope="module")
def raws():  # type: ignore[no-untyped-def]
    records = [json.loads(line) for line in (ROOT / "evals" / "data" / "dev.jsonl").open()]
    texts = list({r["article_id"]: (r["text"], r["title"]) for r in records}.values())[:6]
    return [read_text(text, title=title, source=f"dev {i}") for i, (text, title) in enumerate(texts)]


@pytest.fixture
def settings(tmp_path):  # type: ignore[no-untyped-def]
    # Exact dense search at any size (the path below ann_min_passages).
    return Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache").with_(
        **{"retrieval.ann_min_passages": 1_000_000}
    )


def _open(settings, embedder):  # type: ignore[no-untyped-def]
    from index.store import StoreFingerprint, make_client

    spying = type("Spying", (_Spying,), {"reads": 0})
    fingerprint = StoreFingerprint(embedder.name, embedder.dimension, settings.index.passage_window)
    store = spying(make_client(settings.data_dir, None), fingerprint)
    return Assistant(settings, embedder=embedder, store=store), spying


def _exact(assistant: Assistant, query_vector: np.ndarray, k: int) -> list[tuple[str, str]]:
    """The k best sentences by cosine over every passage vector stored in Chroma (one per sentence)."""
    ids = [a.id for a in assistant.articles()]
    rows = assistant.store.articles_vectors(ids)
    keys = [(i, g[0]) for i in ids for g in rows[i][0]]
    scores = np.vstack([rows[i][1] for i in ids]) @ query_vector
    order = np.argsort(-scores, kind="stable")[:k]
    return [keys[j] for j in order]


def _dense(assistant: Assistant, query_vector: np.ndarray, k: int) -> list[tuple[str, str]]:
    assistant._indexes.for_scope(assistant._library.scope(None))  # builds or extends the library's
    built = assistant._indexes._library_index
    assert built is not None
    found = built[1].dense.search(query_vector, k)
    return [built[1].lexical.ref(int(p)) for p in found.positions]


def test_an_add_extends_the_library_matrix_without_reading_chroma(settings, embedder, raws) -> None:  # type: ignore[no-untyped-def]
    assistant, spy = _open(settings, embedder)
    assistant.add_many(raws[:3])
    assistant.ask(QUESTIONS[0])  # builds the library index: from the vectors the adds kept
    for raw in raws[3:]:
        assistant.add_text(raw.text, title=raw.title, source=raw.source)
        assistant.ask(QUESTIONS[1])  # answered or abstained, it searched the extended library index
        assert assistant.search(QUESTIONS[1], k=5)
    assert spy.reads == 0
    for q in QUESTIONS:
        vector = embedder.embed([q])[0]
        assert _dense(assistant, vector, 10) == _exact(assistant, vector, 10)


def test_a_new_process_reads_the_vector_files_else_the_store(settings, embedder, raws) -> None:  # type: ignore[no-untyped-def]
    first, _ = _open(settings, embedder)
    first.add_many(raws[:4])
    second, spy = _open(settings, embedder)
    vector = embedder.embed([QUESTIONS[0]])[0]
    from_files = _dense(second, vector, 10)
    assert spy.reads == 0
    assert from_files == _exact(second, vector, 10)

    for path in (settings.cache_dir / "vectors").rglob("*.npy"):
        path.unlink()
    third, spy = _open(settings, embedder)
    assert _dense(third, vector, 10) == from_files
    assert spy.reads == 1  # read once from Chroma, and saved again
    assert len(list((settings.cache_dir / "vectors").rglob("*.npy"))) == 4
