"""spaCy preloading: the load starts in the background and happens once, however many threads ask."""

from __future__ import annotations

import pytest

from assistant.answer.base import PreparingAnswerer
from assistant.answer.extractive.answerer import ExtractiveAnswerer

spacy = pytest.importorskip("spacy")


#: Run in a fresh process, where nothing has loaded spaCy's model yet: spacy.load (spaCy's public
#: entry) is counted and slowed down, and only the public preload/parse functions are called.
PRELOAD_ONCE = """
import threading, time
import spacy
calls = []
real = spacy.load

def slow_load(*args, **kwargs):
    calls.append(threading.current_thread().name)
    time.sleep(0.3)
    return real(*args, **kwargs)

spacy.load = slow_load
from assistant.analysis import nlp
from assistant.answer.extractive.answerer import ExtractiveAnswerer

started = time.perf_counter()
ExtractiveAnswerer().prepare()
waited = time.perf_counter() - started
doc = nlp.parse("John Kirby said the munitions were effective.")  # waits for that load, no second one
people = any(e.label_ == "PERSON" for e in doc.ents) if doc is not None else False
threads = [threading.Thread(target=nlp.parse, args=("Kirby spoke.",)) for _ in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
nlp.preload()  # loaded: nothing more
time.sleep(0.05)
print("RESULT", waited < 0.2, people, calls)
"""


def test_preload_loads_in_the_background_once() -> None:
    import os
    import subprocess
    import sys

    from tests.support import ROOT

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", PRELOAD_ONCE], capture_output=True, text=True, env=env, timeout=180
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert "RESULT True True ['spacy-preload']" in out.stdout, out.stdout


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
