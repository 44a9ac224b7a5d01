"""``Assistant.close()`` gives back what the Assistant opened, and a closed Assistant says so.

Counted in this process's open file descriptors (``/proc/self/fd``), with the garbage
collector off while counting: what is released must be released at once, not whenever
a collection happens to run (an unclosed Assistant held about a dozen descriptors until then,
and the test suite once passed 1,024).
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support import ROOT, SEED

#: Descriptors a run may differ by for reasons of its own (a log file, a lazily made pipe).
SLACK = 4

WRITER = """
import sys
from assistant.api import Assistant
from assistant.settings import Settings
from index.embed.sentence_transformers import SentenceTransformerEmbedder

with Assistant(Settings(data_dir=sys.argv[1]), embedder=SentenceTransformerEmbedder()) as writer:
    for line in sys.stdin:
        n = int(line)
        text = "\\n\\n".join(f"In round {n} the ferry of town {n} carried {i * n} people on day {i}."
                             for i in range(1, 12))
        writer.add_text(text, title=f"Ferry report {n}")
        print("added", n, flush=True)
"""


def _fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@contextmanager
def _no_gc() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory, embedder):  # type: ignore[no-untyped-def]
    from assistant.api import Assistant
    from assistant.settings import Settings

    settings = Settings(data_dir=tmp_path_factory.mktemp("close"))
    with Assistant(settings, embedder=embedder) as assistant:
        assistant.add(SEED)
    return settings


def test_fifty_assistants_opened_and_closed_leave_no_descriptors(seeded, embedder):
    from assistant.api import Assistant

    def one() -> None:
        with Assistant(seeded, embedder=embedder) as assistant:
            assert assistant.search("cluster munitions", k=2)  # opens the store and reads it

    one()  # imports, the saved listing, the logging of the first open
    with _no_gc():
        before = _fds()
        for _ in range(50):
            one()
        after = _fds()
    print(f"descriptors: {before} before, {after} after 50 assistants")
    assert after <= before + SLACK


def test_a_closed_assistant_says_so(seeded, embedder):
    from assistant.api import Assistant
    from assistant.errors import AssistantClosedError

    assistant = Assistant(seeded, embedder=embedder)
    stream = assistant.ask_stream("Who said cluster munitions are effective?")
    assistant.close()
    assistant.close()  # a second close does nothing
    assert assistant.closed
    for call in (lambda: assistant.ask("Who?"), assistant.summaries, lambda: assistant.store,
                 lambda: assistant.add_text("Some text. More text."), lambda: list(stream)):
        with pytest.raises(AssistantClosedError, match="was closed.*make a new Assistant"):
            call()
    embedder.embed(["the embedder given to it is not closed"])


def test_reopens_across_a_writer_process_keep_descriptors_bounded(tmp_path, embedder):
    from assistant.api import Assistant
    from assistant.settings import Settings

    data = tmp_path / "data"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(data)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, env=env)
    assert writer.stdin is not None and writer.stdout is not None

    def write(n: int) -> None:
        assert writer.stdin is not None and writer.stdout is not None
        writer.stdin.write(f"{n}\n")
        writer.stdin.flush()
        assert writer.stdout.readline().split() == ["added", str(n)]

    try:
        write(0)
        with Assistant(Settings(data_dir=data), embedder=embedder) as reader:
            counts = []
            with _no_gc():
                for n in range(1, 16):
                    write(n)
                    hits = reader.search(f"ferry of town {n}", k=3)  # sees the other process's add
                    assert any(h.article_id == reader.summaries()[-1].id for h in hits)
                    counts.append(_fds())
        print(f"descriptors after each of 15 reopens: {counts}")
        # The first reopen adds a client (the one the Assistant opened stays open until close());
        # each later one frees the client it replaces: a dozen descriptors each before, so 14 reopens
        # leaked ~150. A few come and go with Chroma's and the embedder's threads (34, 46, 52, 45, …
        # was seen on a loaded machine): the last count must be back near the first reopen's.
        assert max(counts[1:]) <= counts[1] + 3 * SLACK, counts
        assert min(counts[-3:]) <= counts[1] + SLACK, counts
    finally:
        writer.stdin.close()
        assert writer.wait(timeout=120) == 0


def test_closing_gives_back_a_chroma_server_connection(clean_server, tmp_path, embedder):
    from assistant.api import Assistant
    from assistant.settings import Settings

    settings = Settings(data_dir=tmp_path / "unused", chroma_url=clean_server)
    with Assistant(settings, embedder=embedder) as first:
        first.add(SEED)
    with _no_gc():
        before = _fds()
        for _ in range(10):
            with Assistant(settings, embedder=embedder) as assistant:
                assert assistant.search("cluster munitions", k=1)
        after = _fds()
    print(f"descriptors: {before} before, {after} after 10 assistants on a Chroma server")
    assert after <= before + SLACK


def test_stored_data_survives_close(seeded, embedder, tmp_path: Path):
    from assistant.api import Assistant

    with Assistant(seeded, embedder=embedder) as assistant:
        ids = [a.id for a in assistant.summaries()]
    with Assistant(seeded, embedder=embedder) as again:
        assert [a.id for a in again.summaries()] == ids
        assert again.ask("Who said cluster munitions are effective?").citations
