"""Run by tests: add (or add, then remove) an article and SIGKILL this process at a chosen point.

``python -m tests.kill_add DATA_DIR POINT [real]``. Add points: ``before-passages``
(journal entry written), ``mid-passages`` (after the first of several passage
batches), ``before-article``, ``before-commit`` (rows written, generation not
bumped), ``before-journal-end``. Remove points (the article is added first,
unharmed): ``remove-before-row`` (journal entry and first generation bump
written), ``remove-before-passages`` (row deleted), ``remove-before-commit``,
``remove-before-journal-end``. The kill is real (SIGKILL, no cleanup); the
test then opens the store and checks what is left.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import Any

import numpy as np

from index.build import add_article
from index.models import RawArticle
from index.store import ChromaStore, StoreFingerprint, make_client

FINGERPRINT = StoreFingerprint("kill-test", 8, 1)
TEXT = " ".join(f"Sentence number {i} says the council met on day {i}." for i in range(1, 41))
ADD_POINTS = ("before-passages", "mid-passages", "before-article", "before-commit", "before-journal-end")
REMOVE_POINTS = ("remove-before-row", "remove-before-passages", "remove-before-commit",
                 "remove-before-journal-end")


class HashEmbedder:
    name, dimension = FINGERPRINT.embedder, FINGERPRINT.dimension

    def embed(self, texts):  # type: ignore[no-untyped-def]
        rows = np.array([[hash((t, j)) % 97 + 1 for j in range(8)] for t in texts], dtype=np.float32)
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def _die_on(obj: Any, method: str, call: int = 1) -> None:
    """SIGKILL this process at the ``call``-th call of ``obj.method`` (before it runs)."""
    real = getattr(obj, method)
    count = {"n": 0}

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        count["n"] += 1
        if count["n"] == call:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*args, **kwargs)

    setattr(obj, method, wrapper)


def main(data_dir: str, point: str, real: str = "") -> None:
    """``real`` ("real"): go through the Assistant with the bundled model, on a store the CLI can open."""
    if real:
        from assistant.api import Assistant
        from assistant.settings import Settings

        assistant = Assistant(Settings(data_dir=Path(data_dir)))
        store = assistant.store
        embedder: Any = assistant.embedder
    else:
        store = ChromaStore(make_client(Path(data_dir)), FINGERPRINT)
        embedder = HashEmbedder()
    raw = RawArticle(text=TEXT, source="kill-test")
    if point in REMOVE_POINTS:
        article = add_article(raw, store, embedder).article
        journal = store._journal._find(create=True)
        # Each remove bumps the generation twice: when it starts and when it is done.
        _die_on(*{
            "remove-before-row": (store._articles, "delete"),
            "remove-before-passages": (store._passages, "delete"),
            "remove-before-commit": (store._articles, "modify", 2),
            "remove-before-journal-end": (journal, "delete"),
        }[point])  # type: ignore[arg-type]
        store.remove_article(article.id)
    else:
        journal = store._journal._find(create=True)
        if point == "mid-passages":
            store._client.get_max_batch_size = lambda: 10  # four passage batches, not one
        _die_on(*{
            "before-passages": (store._passages, "upsert"),
            "mid-passages": (store._passages, "upsert", 2),
            "before-article": (store._articles, "upsert"),
            "before-commit": (store._articles, "modify"),
            "before-journal-end": (journal, "delete"),
        }[point])  # type: ignore[arg-type]
        add_article(raw, store, embedder)
    print("finished without being killed")


if __name__ == "__main__":
    main(*sys.argv[1:4])
