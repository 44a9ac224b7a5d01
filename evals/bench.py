"""Benchmark: ingest and ``ask`` latency against library size, beside the textbook LangChain pipeline.

    article-assistant bench --sizes 1,1000,10000 --out evals/results/bench

For each size N: this project's ingest of N varied dev articles in bulk
(``Assistant.add_many``) and one at a time (``add_text``, at most
``--one-at-a-time`` articles), and the textbook pipeline's (:mod:`evals.baseline`,
at most ``--textbook`` articles, bulk and one at a time), side by side in the
same run; then a new serving process on the bulk-built library
(:mod:`evals.bench_serve`): the first library-wide and scoped asks after
opening, warm asks, add-then-ask, peak RSS; cold ``article-assistant ask
--article`` and ``list`` processes, and ``ask`` processes answered by a running ``serve``
(:mod:`evals.bench_warm`); store size. Timings are medians (p50) and
p95 over distinct questions, and the cold-process figures medians over
``--repeats`` runs. Writes ``bench.json``, ``bench.md`` and
``latency_vs_size.png`` to ``--out`` and prints the table. Timings belong
here, never in tests.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from evals.bench_library import (
    ROOT,
    dir_size,
    ingest_ours,
    ingest_textbook,
    library,
    questions,
    textbook_asks,
)
from evals.bench_warm import warm_cli
from evals.runner import code_version


def p(values: Sequence[float], q: float) -> float | None:
    """The ``q`` quantile (nearest rank) of ``values``; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run(
    sizes: Sequence[int],
    out: Path,
    repeats: int = 3,
    one_at_a_time: int = 1000,
    textbook: int = 1000,
    adds: int = 5,
    work: Path | None = None,
    server: bool = True,
    sweep: Sequence[int] = (),
) -> dict[str, Any]:
    """Measure every size; write the reports to ``out``; return what bench.json holds.

    ``server``: serve each library a second time through a ``chroma run`` server on loopback,
    where Chroma's HNSW index lives in the server's process instead of the serving one.
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    started = time.perf_counter()
    command = _command(sizes, out, repeats, one_at_a_time, textbook, server, sweep)
    results: dict[str, Any] = {"machine": _machine(), "command": command, "sizes": {}}
    with tempfile.TemporaryDirectory(dir=work) as tmp:
        cache = Path(tmp) / "cache"
        if sweep:
            results["sweep"] = _sweep(Path(tmp) / "sweep", cache, sweep, adds)
            shutil.rmtree(Path(tmp) / "sweep", ignore_errors=True)
        for n in sorted(set(sizes)):
            results["sizes"][str(n)] = _one_size(
                n, Path(tmp) / f"n{n}", cache, repeats, one_at_a_time, textbook, adds, server
            )
            results["wall_s"] = round(time.perf_counter() - started, 1)
            write(results, out)  # after every size, so a long run shows what it has
            shutil.rmtree(Path(tmp) / f"n{n}", ignore_errors=True)
            print(f"bench: {n} articles done ({results['wall_s']:.0f} s)", file=sys.stderr)
    return results


def _one_size(
    n: int, folder: Path, cache: Path, repeats: int, one_cap: int, textbook_cap: int, adds: int, server: bool
) -> dict[str, Any]:
    articles = list(library(n))
    bulk = ingest_ours(folder / "bulk", cache, articles, bulk=True)
    ids = bulk.pop("ids")
    single_n = min(n, one_cap)
    single = ingest_ours(folder / "single", cache, articles[:single_n], bulk=False)
    single.pop("ids")
    shutil.rmtree(folder / "single", ignore_errors=True)
    text_n = min(n, textbook_cap)
    tb_bulk = ingest_textbook(folder / "tb-bulk", articles[:text_n], bulk=True)
    tb_single = ingest_textbook(folder / "tb-single", articles[:text_n], bulk=False)
    tb_asks = textbook_asks(tb_bulk.pop("baseline"), [a.key for a in articles[:text_n]], questions(24))
    tb_single.pop("baseline")
    disk = dir_size(folder / "bulk")
    serving = _serve(folder / "bulk", cache, ids, n, adds)
    cold = _cold(folder / "bulk", cache, ids[len(ids) // 2], repeats)
    warm = warm_cli(_env(folder / "bulk", cache), folder / "bulk", ids[len(ids) // 2], questions(1)[0],
                    max(5, repeats))
    through_server = _through_server(folder / "bulk", cache, ids, n, adds) if server else None
    return {
        "ingest": {"bulk": bulk, "one_at_a_time": single},
        "textbook_ingest": {"bulk": tb_bulk, "one_at_a_time": tb_single},
        "ratios": {
            "bulk": _ratio(bulk, tb_bulk),
            "one_at_a_time": _ratio(single, tb_single),
        },
        "ask_ms": _summary(serving),
        "textbook_search_ms": {k: {"p50": p(v, 0.5), "p95": p(v, 0.95)} for k, v in tb_asks.items()},
        "peak_rss_mb": round(serving["peak_rss_mb"], 1),
        "store_mb": round(disk / 1e6, 1),
        "store_mb_per_1000_articles": round(disk / 1e6 / n * 1000, 1),
        "cold": cold,
        "warm_cli": warm,
        "serving_raw": serving,
        "server": through_server,
    }


def _ratio(ours: dict[str, Any], theirs: dict[str, Any]) -> float | None:
    if not ours.get("sentences_per_s") or not theirs.get("sentences_per_s"):
        return None
    return round(ours["sentences_per_s"] / theirs["sentences_per_s"], 2)


def _summary(serving: dict[str, Any]) -> dict[str, Any]:
    return {
        "first_library_after_open": serving["first_library_ms"],
        "first_scoped_after_open": serving["first_scoped_ms"],
        "library_warm_p50": p(serving["library_ms"], 0.5),
        "library_warm_p95": p(serving["library_ms"], 0.95),
        "scoped_warm_p50": p(serving["scoped_ms"], 0.5),
        "scoped_warm_p95": p(serving["scoped_ms"], 0.95),
        "scoped_first_on_article_p50": p(serving["scoped_first_ms"], 0.5),
        "add_one_p50": p(serving["add_ms"], 0.5),
        "ask_after_add_p50": p(serving["ask_after_add_ms"], 0.5),
        "ask_after_add_p95": p(serving["ask_after_add_ms"], 0.95),
        "open_ms": serving["open_ms"],
        "retrieve_p50": {k: p(v, 0.5) for k, v in serving["retrieve_ms"].items()},
    }


def _env(data: Path, cache: Path, chroma_url: str | None = None) -> dict[str, str]:
    return {
        **os.environ,
        "ARTICLE_ASSISTANT_DATA_DIR": str(data),
        "ARTICLE_ASSISTANT_CACHE_DIR": str(cache),
        "HF_HUB_OFFLINE": "1",
        "PYTHONPATH": str(ROOT),
        **({"ARTICLE_ASSISTANT_CHROMA_URL": chroma_url} if chroma_url else {}),
    }


def _through_server(data: Path, cache: Path, ids: Sequence[str], n: int, adds: int) -> dict[str, Any]:
    """The serving measurement again, with the store behind ``chroma run --path data``.

    A first serving process (not reported) builds what a server-mode store keeps in cache_dir
    (BM25 segments, the listing: they are keyed by the server's URL) and has the server load its
    index, as a long-running server would have; the second one is measured.
    """
    from evals.bench_server import chroma_server, peak_rss_mb

    with chroma_server(data, data.parent / "chroma-server.log") as (url, pid):
        _serve(data, cache, ids, n, 0, chroma_url=url, start=20_000_000)
        served = _serve(data, cache, ids, n, adds, chroma_url=url, start=20_000_000 + n)
        server_rss = peak_rss_mb(pid)
    return {
        "ask_ms": _summary(served),
        "peak_rss_mb": round(served["peak_rss_mb"], 1),
        "server_peak_rss_mb": None if server_rss is None else round(server_rss, 1),
        "serving_raw": served,
    }


def _serve(
    data: Path,
    cache: Path,
    ids: Sequence[str],
    n: int,
    adds: int,
    chroma_url: str | None = None,
    start: int = 10_000_000,
) -> dict[str, Any]:
    picks = sorted({0, n // 5, n // 3, n // 2, (3 * n) // 4, n - 1})
    while len(picks) < 5:
        picks.append(picks[-1])
    spec = {
        "data_dir": str(data),
        "cache_dir": str(cache),
        "scoped": [ids[i] for i in picks[:5]],
        "scoped_copies": picks[:5],
        "start": start + n,
        "adds": adds,
    }
    done = subprocess.run(
        [sys.executable, "-m", "evals.bench_serve", json.dumps(spec)],
        env=_env(data, cache, chroma_url),
        capture_output=True,
        text=True,
        timeout=3600,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the serving process failed:\n{done.stderr[-3000:]}")
    line = next(line for line in done.stdout.splitlines() if line.startswith("BENCH "))
    return dict(json.loads(line[len("BENCH ") :]))


def _sweep(data: Path, cache: Path, sizes: Sequence[int], adds: int) -> dict[str, Any]:
    """Add-then-ask at each size, one library grown through the sizes (:mod:`evals.bench_sweep`)."""
    spec = {"data_dir": str(data), "cache_dir": str(cache), "sizes": sorted(set(sizes)), "adds": adds}
    done = subprocess.run(
        [sys.executable, "-m", "evals.bench_sweep", json.dumps(spec)],
        env=_env(data, cache), capture_output=True, text=True, timeout=7200,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the sweep process failed:\n{done.stderr[-3000:]}")
    line = next(line for line in done.stdout.splitlines() if line.startswith("BENCH "))
    raw = json.loads(line[len("BENCH ") :])
    return {
        n: {
            "ask_after_add_p50": p(row["ask_ms"], 0.5),
            "ask_after_add_p95": p(row["ask_ms"], 0.95),
            "retrieve_p50": p(row["retrieve_ms"], 0.5),
            "add_one_p50": p(row["add_ms"], 0.5),
        } | row
        for n, row in raw.items()
    }


def _cold(data: Path, cache: Path, article_id: str, repeats: int) -> dict[str, Any]:
    """Wall seconds of whole ``article-assistant`` processes, and what they imported."""
    cli = [sys.executable, "-m", "assistant"]
    question = questions(1)[0]

    def timed(*args: str) -> float:
        t0 = time.perf_counter()
        subprocess.run([*cli, *args], env=_env(data, cache), check=True, capture_output=True, timeout=600)
        return time.perf_counter() - t0

    ask = [timed("ask", question, "--article", article_id) for _ in range(repeats)]
    listing = [timed("list") for _ in range(repeats)]
    return {
        "ask_s_median": round(statistics.median(ask), 3),
        "list_s_median": round(statistics.median(listing), 3),
        "ask_s": [round(x, 3) for x in ask],
        "list_s": [round(x, 3) for x in listing],
        "heavy_imports_on_ask": _heavy_imports(data, cache, question, article_id),
    }


def _heavy_imports(data: Path, cache: Path, question: str, article_id: str) -> list[str]:
    code = (
        "import sys\nfrom assistant.cli import cli\n"
        f"sys.argv = ['article-assistant', 'ask', {question!r}, '--article', {article_id!r}]\n"
        "try:\n    cli(prog_name='article-assistant')\nexcept SystemExit:\n    pass\n"
        "heavy = ('torch', 'transformers', 'sentence_transformers', 'langchain_core', 'gradio')\n"
        "print('LOADED:' + ','.join(m for m in heavy if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=_env(data, cache), capture_output=True, text=True, timeout=600
    )
    tail = done.stdout.rsplit("LOADED:", 1)
    return [m for m in tail[1].strip().split(",") if m] if len(tail) == 2 else ["(failed)"]


def _machine() -> dict[str, Any]:
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "load_at_start": [round(x, 2) for x in load] if load else None,
        "commit": code_version(),
        "embedder_backend": os.environ.get("ARTICLE_ASSISTANT_EMBEDDER__BACKEND", "auto (default)"),
    }


def _command(
    sizes: Sequence[int], out: Path, repeats: int, one: int, textbook: int, server: bool, sweep: Sequence[int]
) -> str:
    return (
        f"article-assistant bench --sizes {','.join(map(str, sizes))} --repeats {repeats} "
        f"--one-at-a-time {one} --textbook {textbook}{'' if server else ' --no-server'} "
        f"--sweep {','.join(map(str, sweep)) or 'none'} --out {out}"
    )


def write(results: dict[str, Any], out: Path) -> None:
    """bench.json, bench.md and latency_vs_size.png in ``out``."""
    from evals.bench_report import plot, table

    out.mkdir(parents=True, exist_ok=True)
    results["machine"]["load_at_end"] = [round(x, 2) for x in os.getloadavg()]
    (out / "bench.json").write_text(json.dumps(results, indent=2) + "\n")
    (out / "bench.md").write_text(table(results))
    plot(results, out / "latency_vs_size.png")

