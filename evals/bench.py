"""Benchmark: ingest time and ``ask`` latency, cold process and warm.

    python -m evals.bench --out evals/results/bench

Writes ``bench.json`` and ``bench.md``. Timings belong here, not in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "articles" / "cluster-munitions-dallas-express.txt"
QUESTIONS = (
    "Who said cluster munitions are effective?",
    "Which network reported Kirby's remarks?",
    "What happens when cluster munitions do not explode as intended?",
    "How many countries have banned cluster munitions?",
    "What did Putin say he would do?",
    "Who defended Ukraine's deployment of cluster bombs?",
    "Which senators signed the letter?",
    "What does the video footage show?",
    "Why did Biden send the bombs?",
    "Has Russia used cluster munitions?",
    "What is the range of these munitions?",
    "Who is the US Secretary of Defense?",
)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def bench_in_process(data_dir: Path) -> dict[str, Any]:
    """Model load, seed ingest, first ask and warm asks, in this process."""
    from assistant.api import Assistant
    from assistant.settings import Settings

    t0 = time.perf_counter()
    assistant = Assistant(Settings(data_dir=data_dir))
    assistant.embedder.embed(["warm up the model"])
    load_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    assistant.store.list_articles()
    store_open_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    article = assistant.add(str(SEED)).article
    ingest_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    assistant.ask("What is this article about?", article=article.id)
    first_ask_ms = (time.perf_counter() - t0) * 1000

    warm = []
    for question in QUESTIONS:
        t0 = time.perf_counter()
        assistant.ask(question, article=article.id)
        warm.append((time.perf_counter() - t0) * 1000)
    return {
        "sentences": len(article.sentences),
        "model_load_s": load_s,
        "store_open_s": store_open_s,
        "seed_ingest_s": ingest_s,
        "first_ask_ms": first_ask_ms,
        "warm_ask_ms_p50": statistics.median(warm),
        "warm_ask_ms_p95": _percentile(warm, 0.95),
        "warm_asks": len(warm),
    }


def bench_cold_process(data_dir: Path, runs: int) -> dict[str, Any]:
    """Wall time of a whole ``article-assistant`` process: import, load, answer."""
    env = {**os.environ, "ARTICLE_ASSISTANT_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1"}
    cli = [sys.executable, "-m", "assistant"]

    def timed(*args: str) -> float:
        t0 = time.perf_counter()
        subprocess.run([*cli, *args], env=env, check=True, capture_output=True)
        return time.perf_counter() - t0

    ask = [timed("ask", QUESTIONS[0]) for _ in range(runs)]
    listing = [timed("list") for _ in range(runs)]
    return {
        "cold_ask_s_median": statistics.median(ask),
        "cold_list_s_median": statistics.median(listing),
        "runs": runs,
    }


def write_report(results: dict[str, Any], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.json").write_text(json.dumps(results, indent=2) + "\n")
    r = results
    lines = [
        "# Benchmark",
        "",
        f"Machine: {os.cpu_count()} CPUs, no GPU. Command: `python -m evals.bench --out {out}`.",
        "",
        "| measure | value |",
        "|---|---|",
        f"| model load (torch + MiniLM, in process) | {r['model_load_s']:.2f} s |",
        f"| open the embedded Chroma store | {r['store_open_s']:.2f} s |",
        f"| seed article ingest ({r['sentences']} sentences, warm model) | {r['seed_ingest_s']:.2f} s |",
        f"| first ask in a process (builds the index) | {r['first_ask_ms']:.1f} ms |",
        f"| warm ask p50 / p95 ({r['warm_asks']} distinct questions) | "
        f"{r['warm_ask_ms_p50']:.1f} / {r['warm_ask_ms_p95']:.1f} ms |",
        f"| cold process `article-assistant ask` (median of {r['runs']}) | {r['cold_ask_s_median']:.2f} s |",
        f"| cold process `article-assistant list` (median of {r['runs']}) | "
        f"{r['cold_list_s_median']:.2f} s |",
        "",
    ]
    (out / "bench.md").write_text("\n".join(lines))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "evals" / "results" / "bench")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        results = bench_in_process(data_dir)
        results |= bench_cold_process(data_dir, args.runs)
    write_report(results, args.out)
    print((args.out / "bench.md").read_text())


if __name__ == "__main__":
    main()
