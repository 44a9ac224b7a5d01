"""One serving process on a built library, for the benchmark: ``python -m evals.bench_serve SPEC``.

SPEC is a JSON object: data_dir, cache_dir, scoped (article IDs), start (the
next copy number, for adds), adds. It opens the store as a new process does,
then times, in order: the first library-wide ask, the first ask scoped to an
article, warm asks (library-wide and scoped, distinct questions), and add one
article then ask library-wide; it prints one JSON object with the
milliseconds and the process's peak RSS.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

from evals.bench_library import article_questions, library, questions


class _Clock:
    """Milliseconds of each timed call, and the retrieval part of each ask (``Answer.timings``)."""

    def __init__(self) -> None:
        self.retrieve: dict[str, list[float]] = {}

    def ms(self, fn: Any, kind: str | None = None) -> float:
        t0 = time.perf_counter()
        got = fn()
        elapsed = (time.perf_counter() - t0) * 1000
        if kind is not None:
            self.retrieve.setdefault(kind, []).append(float(got.timings.get("retrieve", 0.0)))
        return elapsed


def serve(spec: dict[str, Any]) -> dict[str, Any]:
    from assistant.api import Assistant
    from assistant.settings import Settings
    from index.ingest import read_text

    t0 = time.perf_counter()
    settings = Settings.from_env(data_dir=Path(spec["data_dir"]), cache_dir=Path(spec["cache_dir"]))
    assistant = Assistant(settings)
    assistant.embedder.embed(["warm up the model"])
    _ = assistant.store
    clock = _Clock()
    out: dict[str, Any] = {"open_ms": (time.perf_counter() - t0) * 1000}
    qs = questions(40)
    scoped = spec["scoped"]
    out["first_library_ms"] = clock.ms(lambda: assistant.ask(qs[0]), "first_library")
    out["first_scoped_ms"] = clock.ms(lambda: assistant.ask(qs[1], article=scoped[0]), "first_scoped")
    out["library_ms"] = [clock.ms(lambda q=q: assistant.ask(q), "library") for q in qs[2:26]]
    out["scoped_first_ms"], out["scoped_ms"] = [], []
    ask = assistant.ask
    for i, article_id in enumerate(scoped[1:5]):
        own = article_questions(spec["scoped_copies"][i + 1])
        own = own if len(own) >= 2 else qs[30:36]

        out["scoped_first_ms"].append(
            clock.ms(lambda a=article_id, q=own[0]: ask(q, article=a), "scoped_first")
        )
        out["scoped_ms"] += [clock.ms(lambda a=article_id, q=q: ask(q, article=a), "scoped") for q in own[1:]]
    # Before any add: an embedded store's first write loads Chroma's HNSW index into the process.
    out["peak_rss_before_adds_mb"] = peak_rss_mb()
    out["add_ms"], out["ask_after_add_ms"] = [], []
    for k, article in enumerate(library(spec["adds"], start=spec["start"])):
        raw = read_text(article.text, title=article.title, source=article.key)
        out["add_ms"].append(clock.ms(lambda raw=raw: assistant.add_text(raw.text, raw.title, raw.source)))
        out["ask_after_add_ms"].append(clock.ms(lambda k=k: assistant.ask(qs[26 + k % 14]), "after_add"))
    out["retrieve_ms"] = clock.retrieve
    out["peak_rss_mb"] = peak_rss_mb()
    return out


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM; ru_maxrss would count the parent's before exec)."""
    from evals.bench_server import peak_rss_mb as peak_of

    found = peak_of("self")
    return found if found is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    print("BENCH " + json.dumps(serve(json.loads(sys.argv[1]))))
