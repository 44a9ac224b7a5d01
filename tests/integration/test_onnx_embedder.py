"""The ONNX embedder: the torch model's vectors, batch-invariant, exported once, torch-free after."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from index.embed.onnx import OnnxEmbedder, exported_model
from index.embed.sentence_transformers import resolve_model_path
from tests.support import ROOT, SEED

TEXTS = [
    "Who said cluster munitions are effective?",
    "John Kirby, the National Security Council's coordinator for strategic communications, spoke.",
    "Yes.",
    "The U.S. sent them in July; Russia has used them since 2022, officials said.",
    "“We will respond,” he said. “Count on it.”",
    "Ünïcödé, emoji 🙂 and numbers 3.14 and 1,000,000 in one line " * 6,
]


@pytest.fixture(scope="session")
def onnx_cache(tmp_path_factory):  # type: ignore[no-untyped-def]
    return tmp_path_factory.mktemp("onnx-cache")


@pytest.fixture(scope="session")
def onnx_embedder(onnx_cache):  # type: ignore[no-untyped-def]
    return OnnxEmbedder(cache_dir=onnx_cache)


def _seed_sentences() -> list[str]:
    from index.build import prepare
    from index.ingest import read_file

    article, _ = prepare(read_file(SEED))
    return [s.text for s in article.sentences]


def test_a_vector_is_the_same_alone_and_in_any_batch(onnx_embedder):
    texts = TEXTS + _seed_sentences()
    together = onnx_embedder.embed(texts)
    alone = np.vstack([onnx_embedder.embed([t]) for t in texts])
    reversed_ = onnx_embedder.embed(texts[::-1])[::-1]
    assert np.abs(together - alone).max() <= 1e-6
    assert np.abs(reversed_ - alone).max() <= 1e-6
    onnx_embedder.batch_size = 3  # other neighbours, other padding
    try:
        assert np.abs(onnx_embedder.embed(texts) - alone).max() <= 1e-6
    finally:
        onnx_embedder.batch_size = 64


def test_the_same_vectors_as_torch(onnx_embedder, embedder):
    # Close enough to share a store with torch (same fingerprint name): see index.embed.onnx.
    texts = TEXTS + _seed_sentences()
    ours, theirs = onnx_embedder.embed(texts), embedder.embed(texts)
    assert onnx_embedder.name == embedder.name and onnx_embedder.dimension == embedder.dimension
    assert float((ours * theirs).sum(axis=1).mean()) >= 0.99
    assert np.abs(ours - theirs).max() <= 1e-5
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)


def test_the_export_is_cached_with_its_checksum_and_redone_when_damaged(onnx_embedder, onnx_cache):
    onnx_embedder.embed(["load"])
    model = resolve_model_path(onnx_embedder.name)
    path = exported_model(model, onnx_cache / "onnx")
    record = json.loads((path.parent / "model.json").read_text())
    assert record["opset"] == 17 and len(record["sha256"]) == 64
    # Checked by size and modification time on later loads; rehashed when they differ.
    assert (record["size"], record["mtime_ns"]) == (path.stat().st_size, path.stat().st_mtime_ns)
    before = path.stat().st_mtime_ns
    assert exported_model(model, onnx_cache / "onnx") == path and path.stat().st_mtime_ns == before
    with path.open("r+b") as f:  # flip some bytes
        f.seek(1000)
        f.write(b"\x00\x01\x02\x03")
    again = exported_model(model, onnx_cache / "onnx")
    assert json.loads((again.parent / "model.json").read_text())["sha256"] == record["sha256"]
    fresh = OnnxEmbedder(cache_dir=onnx_cache).embed(TEXTS)
    assert np.abs(fresh - onnx_embedder.embed(TEXTS)).max() <= 1e-6


def test_a_cached_export_serves_without_importing_torch(onnx_embedder, onnx_cache):
    onnx_embedder.embed(["make sure the export exists"])
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from index.embed.onnx import OnnxEmbedder\n"
        f"v = OnnxEmbedder(cache_dir=Path({str(onnx_cache)!r})).embed(['hello'])\n"
        "print(v.shape, 'torch' in sys.modules, 'transformers' in sys.modules)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["(1,", "384)", "False", "False"]


def test_int8_is_batch_invariant_close_to_torch_and_named_apart(onnx_cache, embedder):
    int8 = OnnxEmbedder(cache_dir=onnx_cache, int8=True)
    texts = TEXTS + _seed_sentences()
    together = int8.embed(texts)
    alone = np.vstack([int8.embed([t]) for t in texts])
    assert np.abs(together - alone).max() <= 1e-6  # one text per call: its neighbours never matter
    assert float((together * embedder.embed(texts)).sum(axis=1).mean()) >= 0.99
    assert int8.name != embedder.name and int8.name.startswith(embedder.name)


def test_a_store_built_with_one_backend_refuses_the_other_with_the_fix(tmp_path, onnx_cache, embedder):
    from assistant.api import Assistant
    from assistant.settings import Settings
    from index.errors import StoreMismatchError

    settings = Settings(data_dir=tmp_path / "data", cache_dir=onnx_cache)
    Assistant(settings, embedder=OnnxEmbedder(cache_dir=onnx_cache, int8=True)).add(str(SEED))
    with pytest.raises(StoreMismatchError, match="--data-dir"):
        Assistant(settings, embedder=embedder).articles()
    # fp32 ONNX and torch are the same embedder: a torch-built store opens with onnx.
    other = Settings(data_dir=tmp_path / "other", cache_dir=onnx_cache)
    Assistant(other, embedder=embedder).add(str(SEED))
    assert len(Assistant(other, embedder=OnnxEmbedder(cache_dir=onnx_cache)).articles()) == 1


def test_int8_gives_a_text_the_same_vector_in_any_batch(onnx_cache):
    int8 = OnnxEmbedder(cache_dir=onnx_cache, int8=True)
    texts = TEXTS + _seed_sentences()
    alone = np.vstack([int8.embed([t]) for t in texts])
    assert np.array_equal(int8.embed(texts[::-1])[::-1], alone)
    for size in (2, 5, 17):
        parts = [int8.embed(texts[i : i + size]) for i in range(0, len(texts), size)]
        assert np.array_equal(np.vstack(parts), alone)


def test_the_default_is_int8_for_a_new_store_and_an_fp32_store_keeps_fp32(tmp_path, onnx_cache):
    from assistant.api import Assistant
    from assistant.settings import Settings
    from index.embed.base import DEFAULT_MODEL
    from index.embed.onnx import INT8_SUFFIX
    from index.errors import StoreMismatchError

    new = Settings(data_dir=tmp_path / "new", cache_dir=onnx_cache)
    assert new.embedder.backend == "auto"
    first = Assistant(new)
    first.add(str(SEED))
    assert first.embedder.name == DEFAULT_MODEL + INT8_SUFFIX
    assert Assistant(new).embedder.name == first.embedder.name  # reopened: still int8
    # A store built with fp32 vectors (the default before int8): opened as before, with fp32.
    old = Settings(data_dir=tmp_path / "old", cache_dir=onnx_cache)
    Assistant(old.with_(**{"embedder.backend": "onnx"})).add(str(SEED))
    reopened = Assistant(old)
    assert reopened.embedder.name == DEFAULT_MODEL and len(reopened.articles()) == 1
    assert reopened.search("cluster munitions", k=2)
    from assistant.integrations.langchain import ArticleEmbeddings

    assert ArticleEmbeddings.from_settings(old).embedder.name == DEFAULT_MODEL
    assert ArticleEmbeddings.from_settings(new).embedder.name == first.embedder.name
    # An explicit backend still wins, and a mismatch is still refused with the fix.
    with pytest.raises(StoreMismatchError, match="--data-dir"):
        Assistant(old.with_(**{"embedder.backend": "onnx-int8"})).articles()
    with pytest.raises(StoreMismatchError, match="--data-dir"):
        Assistant(new.with_(**{"embedder.backend": "onnx"})).articles()


def test_auto_follows_the_store_on_a_chroma_server(chroma_server, tmp_path, onnx_cache):
    import uuid

    from assistant.api import Assistant
    from assistant.settings import Settings
    from index.embed.base import DEFAULT_MODEL
    from index.embed.onnx import INT8_SUFFIX

    database = f"auto_{uuid.uuid4().hex[:12]}"
    where = {"chroma_url": chroma_server, "store": {"database": database}}
    new = Settings(data_dir=tmp_path / "unused", cache_dir=onnx_cache, **where)
    first = Assistant(new)
    first.add(str(SEED))
    assert first.embedder.name == DEFAULT_MODEL + INT8_SUFFIX
    assert len(Assistant(new).articles()) == 1
    old = new.with_(**{"store.collection_prefix": "fp32_"})
    Assistant(old.with_(**{"embedder.backend": "onnx"})).add(str(SEED))
    reopened = Assistant(old)
    assert reopened.embedder.name == DEFAULT_MODEL and len(reopened.articles()) == 1
