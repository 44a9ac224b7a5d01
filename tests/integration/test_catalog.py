"""The saved library listing: opening a store reads one file, never a stale one."""

from __future__ import annotations

import pytest

from assistant.api import Assistant
from assistant.settings import Settings
from index.store import ChromaStore

TITLED = "Council votes on the budget\n\nThe council voted on Monday. The mayor said the budget was fair."
UNTITLED = "Rain fell across the valley on Sunday. Farmers said the harvest would be late this year."
THIRD = "The museum reopened after repairs. Visitors queued for hours to see the new wing."


class _Counting(ChromaStore):
    """The real store, counting full metadata reads."""

    reads = 0

    def summaries(self):  # type: ignore[no-untyped-def]
        type(self).reads += 1
        return super().summaries()


@pytest.fixture
def settings(tmp_path):  # type: ignore[no-untyped-def]
    return Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache")


def _open(settings, embedder) -> tuple[Assistant, type[_Counting]]:  # type: ignore[no-untyped-def]
    """A new Assistant, as a new process makes one, on a store that counts its metadata reads."""
    from index.store import StoreFingerprint, make_client

    counting = type("Counting", (_Counting,), {"reads": 0})
    client = make_client(settings.data_dir, None)
    fingerprint = StoreFingerprint(embedder.name, embedder.dimension, settings.index.passage_window)
    return Assistant(settings, embedder=embedder, store=counting(client, fingerprint)), counting


def _listing(assistant: Assistant) -> list[tuple[str, int, str]]:
    return [(s.id, s.n_sentences, s.label) for s in assistant.summaries()]


def test_a_new_process_lists_from_the_saved_file_without_reading_the_store(settings, embedder) -> None:  # type: ignore[no-untyped-def]
    first, _ = _open(settings, embedder)
    first.add_text(TITLED, title="Council votes on the budget")
    first.add_text(UNTITLED)
    want = [(a.id, len(a.sentences), a.label) for a in first.articles()]

    second, reads = _open(settings, embedder)
    assert _listing(second) == want
    assert reads.reads == 0
    assert want[1][2] == "Rain fell across the valley on Sunday."  # an untitled article's first words


def test_a_write_elsewhere_makes_the_saved_file_stale(settings, embedder) -> None:  # type: ignore[no-untyped-def]
    first, _ = _open(settings, embedder)
    first.add_text(TITLED)
    reader, reads = _open(settings, embedder)
    assert len(_listing(reader)) == 1

    # Written by another store object that bypasses the Assistant (no listing file update).
    from index.build import add_article
    from index.ingest import read_text

    add_article(read_text(THIRD), first.store, embedder)
    assert [s.label for s in reader.summaries()][-1] == "The museum reopened after repairs."
    assert reads.reads == 1


def test_adds_and_removes_keep_the_file_current(settings, embedder) -> None:  # type: ignore[no-untyped-def]
    first, _ = _open(settings, embedder)
    a = first.add_text(TITLED).article
    first.summaries()
    # A CLI `add` is a process with no snapshot: it extends the saved listing of the generation it saw.
    adder, _ = _open(settings, embedder)
    b = adder.add_text(UNTITLED).article
    remover, _ = _open(settings, embedder)
    remover.remove(a.id)

    last, reads = _open(settings, embedder)
    assert [s.id for s in last.summaries()] == [b.id]
    assert reads.reads == 0


def test_an_unreadable_file_is_ignored(settings, embedder) -> None:  # type: ignore[no-untyped-def]
    first, _ = _open(settings, embedder)
    first.add_text(TITLED)
    want = _listing(first)
    for path in (settings.cache_dir / "catalog").iterdir():
        path.write_bytes(b"{not json")
    second, reads = _open(settings, embedder)
    assert _listing(second) == want
    assert reads.reads == 1


def test_rows_stored_before_leads_were_kept_still_get_their_first_words(settings, embedder) -> None:  # type: ignore[no-untyped-def]
    first, _ = _open(settings, embedder)
    article = first.add_text(UNTITLED).article
    # An older store's row, through Chroma's own client: no "lead" in its metadata.
    rows = first.store.client.get_collection(first.store.names[1], embedding_function=None)
    meta = rows.get(ids=[article.id], include=["metadatas"])["metadatas"][0]
    rows.update(ids=[article.id], metadatas=[{**meta, "lead": None}])
    assert rows.get(ids=[article.id], include=["metadatas"])["metadatas"][0].get("lead") is None
    assert [s.label for s in first.store.summaries()] == [article.label]


def _cli_list(settings) -> tuple[list[str], bool]:  # type: ignore[no-untyped-def]
    """``article-assistant list`` in a new process: its lines, and whether it imported chromadb."""
    import os
    import subprocess
    import sys

    from tests.support import ROOT

    code = (
        "import sys\nfrom assistant.cli import cli\n"
        f"sys.argv = ['article-assistant', '--data-dir', {str(settings.data_dir)!r}, 'list']\n"
        "try:\n    cli(prog_name='article-assistant')\nexcept SystemExit:\n    pass\n"
        "print('CHROMADB:' + str('chromadb' in sys.modules))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ARTICLE_ASSISTANT_CACHE_DIR": str(settings.cache_dir)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    lines, _, flag = out.stdout.rpartition("CHROMADB:")
    return lines.splitlines(), flag.strip() == "True"


def test_a_cold_list_with_a_current_listing_does_not_open_chroma(settings, embedder) -> None:  # type: ignore[no-untyped-def]
    first, _ = _open(settings, embedder)
    a = first.add_text(TITLED, title="Council votes on the budget").article
    lines, opened = _cli_list(settings)
    assert [line.split()[0] for line in lines] == [a.id] and not opened

    # Another writer moved the stamp: the saved listing no longer matches, so the store is read.
    from index.build import add_article
    from index.ingest import read_text

    b = add_article(read_text(THIRD), first.store, embedder).article
    lines, opened = _cli_list(settings)
    assert [line.split()[0] for line in lines] == [a.id, b.id] and opened
