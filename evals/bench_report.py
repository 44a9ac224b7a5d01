"""The benchmark's table (Markdown) and its latency-vs-library-size plot."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

Row = tuple[str, Callable[[dict[str, Any]], str]]


def _f(value: Any, digits: int = 0, unit: str = "") -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}{unit}"


def _rate(r: dict[str, Any]) -> str:
    return f"{_f(r['sentences_per_s'])}/s ({_f(r['articles_per_s'], 1)} art./s, n={r['articles']:,})"


def _encoder(r: dict[str, Any]) -> str:
    if r.get("encoder_ratio") is None:
        return "–"
    return f"{_f(r['encoder_ratio'], 2, '×')} ({_f(r['seconds'], 1)} s / {_f(r['encoder_seconds'], 1)} s)"


def _warm(w: dict[str, Any] | None) -> str:
    if not w or "error" in w:
        return (w or {}).get("error", "not run")
    imported = ", ".join(w["heavy_imports_on_served_ask"]) or "no heavy imports"
    return (f"{w['scoped_s_median'] * 1000:.0f} / {w['library_s_median'] * 1000:.0f} ms (first: "
            f"{w['first_s'] * 1000:.0f} ms; {w['served']} of {w['asks']} served; {imported})")


def _retrieve(s: dict[str, Any], key: str, digits: int) -> str:
    return _f(s["ask_ms"]["retrieve_p50"].get(key), digits, " ms")


ROWS: tuple[Row, ...] = (
    ("ingest, bulk: sentences/s", lambda s: _rate(s["ingest"]["bulk"])),
    ("textbook pipeline, bulk", lambda s: _rate(s["textbook_ingest"]["bulk"])),
    ("**bulk ratio (target ≥ 3×)**", lambda s: _f(s["ratios"]["bulk"], 2, "×")),
    (
        "**ingest ÷ the encoder's own time, bulk (target ≤ 1.3×)**",
        lambda s: _encoder(s["ingest"]["bulk"]),
    ),
    ("ingest, one at a time", lambda s: _rate(s["ingest"]["one_at_a_time"])),
    (
        "**ingest ÷ the encoder's own time, one at a time (≤ 1.3×)**",
        lambda s: _encoder(s["ingest"]["one_at_a_time"]),
    ),
    ("textbook pipeline, one at a time", lambda s: _rate(s["textbook_ingest"]["one_at_a_time"])),
    ("**one-at-a-time ratio (target ≥ 3×)**", lambda s: _f(s["ratios"]["one_at_a_time"], 2, "×")),
    (
        "library-wide ask, warm p50 / p95 (≤ 30 ms)",
        lambda s: f"{_f(s['ask_ms']['library_warm_p50'], 1)} / {_f(s['ask_ms']['library_warm_p95'], 1)} ms",
    ),
    ("… of which retrieval (p50)", lambda s: _retrieve(s, "library", 1)),
    (
        "scoped ask, warm p50 / p95 (≤ 30 ms)",
        lambda s: f"{_f(s['ask_ms']['scoped_warm_p50'], 1)} / {_f(s['ask_ms']['scoped_warm_p95'], 1)} ms",
    ),
    ("… of which retrieval (p50)", lambda s: _retrieve(s, "scoped", 1)),
    (
        "first library-wide ask after opening (≤ 1 s)",
        lambda s: _f(s["ask_ms"]["first_library_after_open"], 0, " ms"),
    ),
    ("… of which retrieval (p50)", lambda s: _retrieve(s, "first_library", 1)),
    ("first scoped ask after opening", lambda s: _f(s["ask_ms"]["first_scoped_after_open"], 0, " ms")),
    (
        "first ask on another article (p50)",
        lambda s: _f(s["ask_ms"]["scoped_first_on_article_p50"], 1, " ms"),
    ),
    ("add one article (p50)", lambda s: _f(s["ask_ms"]["add_one_p50"], 0, " ms")),
    (
        "library-wide ask right after an add, p50 / p95 (≤ 100 ms)",
        lambda s: f"{_f(s['ask_ms']['ask_after_add_p50'], 1)} / {_f(s['ask_ms']['ask_after_add_p95'], 1)} ms",
    ),
    ("… of which retrieval (p50)", lambda s: _retrieve(s, "after_add", 1)),
    (
        "textbook similarity search k=4, scoped / library p50",
        lambda s: (
            f"{_f(s['textbook_search_ms']['scoped']['p50'], 1)} / "
            f"{_f(s['textbook_search_ms']['library']['p50'], 1)} ms"
        ),
    ),
    ("peak RSS of the serving process (≤ 700 MB)", lambda s: _f(s["peak_rss_mb"], 0, " MB")),
    (
        "through a `chroma run` server: peak RSS serving + server",
        lambda s: (
            f"{_f(s['server']['peak_rss_mb'], 0)} + {_f(s['server']['server_peak_rss_mb'], 0)} MB"
            if s.get("server") else "not run"
        ),
    ),
    (
        "through the server: library-wide warm p50, first after opening",
        lambda s: (
            f"{_f(s['server']['ask_ms']['library_warm_p50'], 1)} ms, "
            f"{_f(s['server']['ask_ms']['first_library_after_open'], 0)} ms"
            if s.get("server") else "not run"
        ),
    ),
    ("store on disk per 1,000 articles", lambda s: _f(s["store_mb_per_1000_articles"], 1, " MB")),
    ("cold `ask --article` process, median (≤ 2.5 s)", lambda s: _f(s["cold"]["ask_s_median"], 2, " s")),
    (
        "**second CLI ask with a running `serve`, scoped / library-wide, median (≤ 300 ms)**",
        lambda s: _warm(s.get("warm_cli")),
    ),
    ("cold `list` process, median (≤ 0.5 s)", lambda s: _f(s["cold"]["list_s_median"], 2, " s")),
    ("heavy imports on the `ask` path", lambda s: ", ".join(s["cold"]["heavy_imports_on_ask"]) or "none"),
)


def table(results: dict[str, Any]) -> str:
    sizes = results["sizes"]
    m = results["machine"]
    lines = [
        "# Benchmark",
        "",
        f"Command: `{results['command']}` at commit `{m.get('commit')}`; {m['cpus']} CPUs, no GPU, "
        f"Python {m['python']}; embedder backend {m.get('embedder_backend', 'onnx')}; "
        f"load average at start {m.get('load_at_start')}, at end "
        f"{m.get('load_at_end')} (other processes share the cores: timings are noisy). "
        f"Wall time {results.get('wall_s')} s.",
        "",
        "| figure | " + " | ".join(f"{int(n):,} articles" for n in sizes) + " |",
        "|---|" + "---|" * len(sizes),
    ]
    for label, cell in ROWS:
        lines.append(f"| {label} | " + " | ".join(cell(s) for s in sizes.values()) + " |")
    lines.append("")
    return "\n".join(lines + _sweep(results.get("sweep")))


def _sweep(sweep: dict[str, Any] | None) -> list[str]:
    """The add-then-ask sweep's table: one library grown through the sizes, in one process."""
    if not sweep:
        return []
    lines = [
        "## Add one article, then ask library-wide (one library grown through the sizes)",
        "",
        "| articles | add one, p50 | ask right after, p50 / p95 (≤ 100 ms) | … retrieval, p50 | load |",
        "|---|---|---|---|---|",
    ]
    for n, r in sweep.items():
        lines.append(
            f"| {int(n):,} | {_f(r['add_one_p50'], 0, ' ms')} | {_f(r['ask_after_add_p50'], 1)} / "
            f"{_f(r['ask_after_add_p95'], 1)} ms | {_f(r['retrieve_p50'], 1, ' ms')} | "
            f"{', '.join(f'{x:.1f}' for x in r['load'])} |"
        )
    return [*lines, ""]


def plot(results: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [int(n) for n in results["sizes"]]
    series = {
        "library-wide ask, warm p50": "library_warm_p50",
        "scoped ask, warm p50": "scoped_warm_p50",
        "library-wide ask after an add, p50": "ask_after_add_p50",
        "first library-wide ask after opening": "first_library_after_open",
    }
    fig, ax = plt.subplots(figsize=(7, 4.2))
    for label, key in series.items():
        ax.plot(sizes, [s["ask_ms"][key] for s in results["sizes"].values()], marker="o", label=label)
    textbook = [s["textbook_search_ms"]["library"]["p50"] for s in results["sizes"].values()]
    ax.plot(sizes, textbook, marker="x", linestyle="--", label="textbook similarity search, library p50")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("articles in the library")
    ax.set_ylabel("milliseconds")
    ax.set_title("Ask latency against library size")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
