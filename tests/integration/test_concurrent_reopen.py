"""Questions from many threads keep working while another process adds and removes articles.

Each change makes the embedded store reopen its Chroma client. It used to clear
Chroma's process-wide system cache under the other threads' feet ("'RustBindingsAPI'
object has no attribute 'bindings'", a KeyError on the data dir, "Could not connect
to tenant"); now a new client is swapped in and the old one lives until its last user
is done.
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from tests.support import KIRBY_QUESTION, ROOT, SEED

THREADS = 8
WRITER = """
import subprocess, sys
cli = [sys.executable, "-m", "assistant"]
paths = sys.argv[1:]
for path in paths:
    subprocess.run([*cli, "add", path], check=True, capture_output=True)
out = subprocess.run([*cli, "list", "--json"], check=True, capture_output=True, text=True).stdout
import json
first_new = [a["id"] for a in json.loads(out)][1]
subprocess.run([*cli, "remove", first_new], check=True, capture_output=True)
"""


def _article(n: int) -> str:
    return "\n\n".join(
        [f"Harbour report number {n}", ""]
        + [f"On day {i} the harbour of town {n} took in {i * n} ships carrying {i + n} tonnes of grain."
           for i in range(1, 30)]
    )


def test_asks_from_eight_threads_survive_another_process_writing(tmp_path, embedder):
    from assistant.api import Assistant
    from assistant.settings import Settings

    data = tmp_path / "data"
    assistant = Assistant(Settings(data_dir=data), embedder=embedder)
    assistant.add(SEED)
    assistant.ask(KIRBY_QUESTION)  # warm: the model and the library snapshot
    paths = []
    for n in (1, 2, 3):
        path = tmp_path / f"harbour-{n}.txt"
        path.write_text(_article(n), encoding="utf-8")
        paths.append(str(path))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ARTICLE_ASSISTANT_DATA_DIR": str(data)}
    writer = subprocess.Popen([sys.executable, "-c", WRITER, *paths], env=env)

    results: Counter[str] = Counter()
    generations: set[str | None] = set()
    lock = threading.Lock()

    def ask() -> None:
        questions = ["How many ships did the harbour take in on day 5?", KIRBY_QUESTION]
        while writer.poll() is None:  # until the other process is done: every change lands mid-asks
            try:
                assistant.ask(questions[sum(results.values()) % 2])
                outcome = "ok"
            except Exception as e:  # every failure is counted and named, none may happen
                outcome = f"{type(e).__name__}: {e}"[:160]
            with lock:
                results[outcome] += 1
                generations.add(assistant.store.generation())
            time.sleep(0.5)  # pacing only (a few hundred asks, as a busy server gets), never asserted

    threads = [threading.Thread(target=ask) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert writer.wait(timeout=600) == 0
    failed = {k: v for k, v in results.items() if k != "ok"}
    print(f"asks: {sum(results.values())}, failed: {sum(failed.values())} {failed}; "
          f"generations seen: {len(generations)}")
    assert results["ok"] > 0 and not failed, failed
    assert len(generations) >= 3, "the asks ran while the other process wrote"
    assert len(assistant.summaries()) == 3, "the other process's adds and remove are seen"

    # Replaced clients are freed once no thread uses them: not one Chroma system per reopen kept.
    gc.collect()
    from chromadb.api.rust import RustBindingsAPI

    def on_this_store(api: RustBindingsAPI) -> bool:
        # Other tests' Assistants in this process keep their own systems alive: count this store's.
        where = api._system.settings.persist_directory or ""
        return Path(where).resolve() == data.resolve()

    alive = [
        o for o in gc.get_objects()
        if isinstance(o, RustBindingsAPI) and hasattr(o, "bindings") and on_this_store(o)
    ]
    print(f"Chroma systems alive after the reopens: {len(alive)}")
    assert len(alive) <= 3, f"{len(alive)} Chroma systems alive after the reopens"
