"""A SIGKILL at any step of an add or a remove leaves nothing half-done once the store is opened again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from tests.kill_add import ADD_POINTS, FINGERPRINT, REMOVE_POINTS
from tests.support import ROOT


@pytest.mark.parametrize("point", [*ADD_POINTS, *REMOVE_POINTS])
def test_a_killed_add_or_remove_leaves_a_consistent_store(point, tmp_path):
    from index.store import ChromaStore, make_client

    data = tmp_path / "store"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "tests.kill_add", str(data), point],
                          env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == -signal.SIGKILL, done.stdout + done.stderr

    store = ChromaStore(make_client(data), FINGERPRINT)  # the owner is dead: opening cleans up
    report = store.check()
    assert report.consistent and report.unfinished == 0, report
    assert store._journal.entries() == []
    for article in store.list_articles():
        ids, _ = store.article_vectors(article.id)
        assert len(ids) == len(article.sentences), "a stored article has all its passages"
    if point in ("before-commit", "before-journal-end"):
        assert len(store.list_articles()) == 1, "an add killed after its article row was written stands"
    else:
        assert store.list_articles() == [], "a killed add stores nothing; a killed remove is finished"
    assert store.count_passages() == sum(len(a.sentences) for a in store.list_articles())


def test_check_reports_and_repairs_orphans_left_without_the_journal(tmp_path):
    from index.store import ChromaStore, make_client

    store = ChromaStore(make_client(tmp_path / "s"), FINGERPRINT)
    # Passages written by hand with no article row (e.g. by a release without the journal).
    store._passages.upsert(ids=["x:p1", "x:p2"], embeddings=[[1.0] * 8, [0.5] * 8],
                           metadatas=[{"article_id": "x", "sentence_ids": "s1"},
                                      {"article_id": "x", "sentence_ids": "s2"}])
    assert store.orphans() == {"x": 2}
    assert store.remove_orphans() == {"x": 2}
    assert store.orphans() == {}
    assert store.count_passages() == 0
