"""Run by tests: add an article to a store and SIGKILL this process at a chosen point.

``python -m tests.kill_add DATA_DIR POINT``, POINT one of ``before-passages``,
``before-article``, ``before-commit``. The kill is real (SIGKILL, no cleanup);
the test then opens the store and checks what is left.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import numpy as np

from index.build import add_article
from index.models import RawArticle
from index.store import ChromaStore, StoreFingerprint, make_client

FINGERPRINT = StoreFingerprint("kill-test", 8, 1)
TEXT = " ".join(f"Sentence number {i} says the council met on day {i}." for i in range(1, 41))


class HashEmbedder:
    name, dimension = FINGERPRINT.embedder, FINGERPRINT.dimension

    def embed(self, texts):  # type: ignore[no-untyped-def]
        rows = np.array([[hash((t, j)) % 97 + 1 for j in range(8)] for t in texts], dtype=np.float32)
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def _die(*_: object, **__: object) -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def main(data_dir: str, point: str) -> None:
    store = ChromaStore(make_client(Path(data_dir)), FINGERPRINT)
    passages, articles = store._passages, store._articles
    calls = {"modify": 0}
    real_modify = articles.modify

    def modify(**kw):  # type: ignore[no-untyped-def]
        calls["modify"] += 1
        # The second modify clears the pending mark: dying before it leaves a finished add uncommitted.
        if point == "before-commit" and calls["modify"] == 2:
            _die()
        return real_modify(**kw)

    articles.modify = modify
    if point == "before-passages":
        passages.upsert = _die
    elif point == "before-article":
        articles.upsert = _die
    add_article(RawArticle(text=TEXT, source="kill-test"), store, HashEmbedder())
    print("finished without being killed")


if __name__ == "__main__":
    main(*sys.argv[1:3])
