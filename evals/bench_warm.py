"""Issue 26's "questions without a cold start": CLI asks while ``serve`` runs on the same store.

A real ``article-assistant serve`` on a free loopback port over the bench's library; once it
has advertised itself and finished its warm-up (its log says "web chat ready": a server that is
still loading its models makes the first questions wait, as it would a reader's), one CLI ask
is timed apart (the first), then ``asks`` CLI processes ask a scoped and a library-wide question each
(whole processes, wall time: start, imports, the request, the answer, the output). Every ask
runs with ``-v``, whose line says who answered, so the figure counts only served asks; the
modules the served ``ask`` process imported are listed too. The server is always stopped.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from evals.bench_server import _free_port, stop

SERVED = "answered by the running serve"
#: What the CLI's fast path must not import (each costs 0.1-1 s of a ~0.1 s question).
HEAVY = ("pydantic", "numpy", "chromadb", "onnxruntime", "torch", "spacy", "gradio", "langchain_core")


def warm_cli(env: dict[str, str], data: Path, article_id: str, question: str, asks: int) -> dict[str, Any]:
    """Wall seconds of CLI asks answered by a running ``serve`` (medians over ``asks``), how many
    it answered, and the heavy modules the served process imported."""
    cli = [sys.executable, "-m", "assistant"]
    log = data.parent / f"{data.name}-serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen([*cli, "-v", "serve", "--port", str(_free_port())], env=env, stdout=out,
                                stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 600
        while not (data / "serve-link.json").exists() or not _warm(log):
            if proc.poll() is not None or time.monotonic() > deadline:
                return {"error": f"serve did not start; see {log}"}
            time.sleep(0.2)
        served = 0

        def timed(*args: str) -> float:
            nonlocal served
            t0 = time.perf_counter()
            done = subprocess.run([*cli, "-v", "ask", question, *args], env=env, capture_output=True,
                                  text=True, timeout=600, check=True)
            elapsed = time.perf_counter() - t0
            served += SERVED in done.stderr
            return elapsed

        first = timed("--article", article_id)
        scoped = [timed("--article", article_id) for _ in range(asks)]
        library = [timed() for _ in range(asks)]
        return {
            "first_s": round(first, 3),
            "scoped_s_median": round(statistics.median(scoped), 3),
            "library_s_median": round(statistics.median(library), 3),
            "scoped_s": [round(x, 3) for x in scoped],
            "library_s": [round(x, 3) for x in library],
            "served": served,
            "asks": 2 * asks + 1,
            "heavy_imports_on_served_ask": _imports(cli, env, question, article_id),
        }
    finally:
        stop(proc, 30)


def _warm(log: Path) -> bool:
    """Whether ``serve`` finished its warm-up (or gave up on it: its error shows on first use)."""
    text = log.read_text(errors="replace")
    return "web chat ready" in text or "warm-up failed" in text


def _imports(cli: list[str], env: dict[str, str], question: str, article_id: str) -> list[str]:
    code = (
        "import sys\nfrom assistant.cli import cli\n"
        f"sys.argv = ['article-assistant', 'ask', {question!r}, '--article', {article_id!r}]\n"
        "try:\n    cli(prog_name='article-assistant')\nexcept SystemExit:\n    pass\n"
        f"print('LOADED:' + ','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=600)
    tail = done.stdout.rsplit("LOADED:", 1)
    return [m for m in tail[1].strip().split(",") if m] if len(tail) == 2 else ["(failed)"]
