"""The add-then-ask sweep, for the benchmark: ``python -m evals.bench_sweep SPEC``.

SPEC is a JSON object: data_dir, cache_dir, sizes, adds. One process grows one
library through the sizes (bulk ``add_many`` up to each size), asks once
library-wide (as a serving process would have done), then times ``adds`` ×
(add one article with ``add_text``, ask library-wide); it prints one JSON
object with the milliseconds per size and each ask's retrieval share.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from evals.bench_library import library, questions

#: Copies numbered from here are the articles added one at a time (never among a library's first ones).
ADDED = 30_000_000


def sweep(spec: dict[str, Any]) -> dict[str, Any]:
    from assistant.api import Assistant
    from assistant.settings import Settings
    from index.ingest import read_text

    settings = Settings.from_env(data_dir=Path(spec["data_dir"]), cache_dir=Path(spec["cache_dir"]))
    assistant = Assistant(settings)
    assistant.embedder.embed(["warm up the model"])
    qs = questions(40)
    out: dict[str, Any] = {}
    stored, added = 0, 0
    for size in sorted(spec["sizes"]):
        grow = list(library(max(0, size - stored - added), start=stored))
        assistant.add_many(read_text(a.text, title=a.title, source=a.key) for a in grow)
        stored += len(grow)
        assistant.ask(qs[0])  # the library index a serving process holds
        row: dict[str, Any] = {
            "articles": stored + added,  # before this size's adds (more than asked when adds exceed it)
            "add_ms": [], "ask_ms": [], "retrieve_ms": [], "load": list(os.getloadavg()),
        }
        for k, article in enumerate(library(spec["adds"], start=ADDED + added)):
            t0 = time.perf_counter()
            assistant.add_text(article.text, title=article.title, source=article.key)
            t1 = time.perf_counter()
            answer = assistant.ask(qs[1 + (added + k) % 39])
            row["add_ms"].append((t1 - t0) * 1000)
            row["ask_ms"].append((time.perf_counter() - t1) * 1000)
            row["retrieve_ms"].append(float(answer.timings.get("retrieve", 0.0)))
        added += spec["adds"]
        out[str(size)] = row
    return out


if __name__ == "__main__":
    print("BENCH " + json.dumps(sweep(json.loads(sys.argv[1]))))
