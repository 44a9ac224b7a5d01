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
