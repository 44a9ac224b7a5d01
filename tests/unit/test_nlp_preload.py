"""spaCy preloading: the load starts in the background and happens once, however many threads ask."""

from __future__ import annotations

import threading
import time

import pytest

from assistant.analysis import nlp
from assistant.answer.base import PreparingAnswerer
from assistant.answer.extractive.answerer import ExtractiveAnswerer

spacy = pytest.importorskip("spacy")


@pytest.fixture
def counted_loads(monkeypatch):  # type: ignore[no-untyped-def]
    """spacy.load counted and slowed down, on a module that has not loaded its model yet."""
    calls: list[str] = []
    real = spacy.load

    def slow_load(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(threading.current_thread().name)
        time.sleep(0.3)
        return real(*args, **kwargs)

    nlp._load.cache_clear()
    monkeypatch.setattr(nlp, "_preloading", False)
    monkeypatch.setattr(spacy, "load", slow_load)
    yield calls
    nlp._load.cache_clear()  # later tests load the real model again, unpatched


def test_preload_loads_in_the_background_once(counted_loads) -> None:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    ExtractiveAnswerer().prepare()
    assert time.perf_counter() - started < 0.2  # does not wait for the load
    doc = nlp.parse("John Kirby said the munitions were effective.")  # waits for that load, no second one
    assert doc is not None and any(e.label_ == "PERSON" for e in doc.ents)
    nlp.preload()  # loaded: nothing more
    time.sleep(0.05)
    assert counted_loads == ["spacy-preload"]


def test_the_extractive_answerer_prepares() -> None:
    assert isinstance(ExtractiveAnswerer(), PreparingAnswerer)


def test_an_encoder_importing_torch_during_the_preload_waits_instead_of_failing() -> None:
    """spaCy's import hides torch for its duration; an encoder's torch import in another thread
    (the ONNX export on a fresh machine, the torch backend) must wait for it, not fail."""
    import os
    import subprocess
    import sys

    from tests.support import ROOT

    code = (
        "import sys, time\n"
        "from assistant.analysis import nlp\n"
        "from index.embed.sentence_transformers import SentenceTransformerEmbedder\n"
        "nlp.preload()\n"
        "time.sleep(0.05)  # the preload thread is importing spaCy, torch hidden, now\n"
        "vectors = SentenceTransformerEmbedder().embed(['hello'])  # imports torch\n"
        "print('TORCH', vectors.shape, nlp.parse('John Kirby spoke.') is not None)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=180)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "TORCH (1, 384) True" in out.stdout
