"""PNG plots for eval reports (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

#: (metric key, label) pairs shown in the bar charts.
BAR_METRICS = (
    ("hit_at_1", "hit@1"),
    ("citation_precision", "cite P"),
    ("citation_recall", "cite R"),
    ("citation_precision_lenient", "cite P\nlenient"),
    ("citation_recall_lenient", "cite R\nlenient"),
    ("exact_match", "EM"),
    ("f1", "F1"),
    ("containment", "contain"),
    ("wrongly_abstained", "wrongly\nabstained"),
    ("abstention_recall", "abstention\nrecall"),
)
SOURCE_METRICS = BAR_METRICS[:3] + BAR_METRICS[6:8]


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def short_source(source: str) -> str:
    """'CoQA test (CNN news subset)' → 'CoQA test'."""
    return source.split(" (")[0].split(" v1")[0]


def _bars(ax: Any, groups: Mapping[str, Mapping[str, Any]], metrics: Sequence[tuple[str, str]]) -> None:
    """Grouped bars; metrics that apply to no question (None everywhere) are left out."""
    names = list(groups)
    metrics = [m for m in metrics if any(groups[n].get(m[0]) is not None for n in names)]
    width = 0.8 / max(len(names), 1)
    for i, name in enumerate(names):
        xs = [m + (i - (len(names) - 1) / 2) * width for m in range(len(metrics))]
        values = [groups[name].get(key) or 0.0 for key, _ in metrics]
        bars = ax.bar(xs, values, width, label=name)
        ax.bar_label(bars, labels=[f"{v:.2f}" for v in values], fontsize=6, padding=1)
    first = groups[names[0]] if names else {}
    labels = [
        f"{label}\n(n={first.get('unanswerable')})" if key == "abstention_recall" else label
        for key, label in metrics
    ]
    ax.set_xticks(range(len(metrics)), labels, fontsize=8)
    ax.set_xlim(-0.6, max(len(metrics), 4) - 0.4)
    ax.set_ylim(0, 1.1)
    ax.grid(axis="y", alpha=0.3)


def metrics_plot(path: Path, overall: Mapping[str, Mapping[str, Any]], questions: int) -> None:
    """Overall metrics per config, side by side."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(11, 4.5))
    _bars(ax, overall, BAR_METRICS)
    ax.set_title(f"Overall metrics per config ({questions} questions)")
    ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def by_source_plot(path: Path, by_source: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> None:
    """Key metrics per source, one panel each, configs side by side (config → source → metrics)."""
    plt = _pyplot()
    sources = sorted({s for per_config in by_source.values() for s in per_config})
    fig, axes = plt.subplots(1, len(sources), figsize=(4.6 * len(sources), 4), squeeze=False)
    for ax, source in zip(axes[0], sources, strict=True):
        groups = {config: per[source] for config, per in by_source.items() if source in per}
        _bars(ax, groups, SOURCE_METRICS)
        n = next(iter(groups.values()))["questions"]
        ax.set_title(f"{short_source(source)} ({n} q)", fontsize=10)
    axes[0][0].legend(loc="upper right", fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def latency_plot(
    path: Path, ask_ms: Mapping[str, Sequence[float]], ingest_ms: Mapping[str, Sequence[float]]
) -> None:
    """Distribution of per-question latency and of per-article ingest time, per config."""
    import numpy as np

    plt = _pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    everything = [v for values in ask_ms.values() for v in values if v > 0]
    low, high = (min(everything), max(everything)) if everything else (0.1, 1.0)
    bins = np.geomspace(max(low, 0.01), high * 1.01, 40)
    from matplotlib import ticker

    for i, (name, values) in enumerate(ask_ms.items()):
        color = f"C{i}"
        p50, p95 = (float(np.percentile(values, p)) for p in (50, 95))
        label = f"{name} (p50 {p50:.0f} ms, p95 {p95:.0f} ms)"
        left.hist(values, bins=bins, histtype="step", linewidth=1.5, color=color, label=label)
        left.axvline(p50, color=color, linestyle="--", linewidth=1)
        left.axvline(p95, color=color, linestyle=":", linewidth=1)
    left.set_xscale("log")
    left.xaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:g}"))
    left.xaxis.set_minor_formatter(ticker.NullFormatter())
    left.set_xlabel("ms per question, log scale (dashed p50, dotted p95)")
    left.set_ylabel("questions")
    left.set_title("Answer latency")
    left.legend(fontsize=8)
    names = list(ingest_ms)
    right.boxplot([ingest_ms[n] for n in names], showfliers=True)
    right.set_xticks(range(1, len(names) + 1), names, fontsize=8)
    right.set_ylabel("ms per article")
    right.set_title("Ingest time per article")
    right.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def risk_coverage_plot(path: Path, scored: Mapping[str, Sequence[tuple[float, bool, bool]]]) -> None:
    """Risk (share of answers wrong) against coverage (share answered), by confidence, per config."""
    from evals.metrics import auroc, risk_coverage

    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    for name, rows in scored.items():
        points = risk_coverage(rows)
        if points:
            xs, ys = zip(*points, strict=True)
            value = auroc(rows)
            ax.plot(xs, ys, label=f"{name} (AUROC {value:.2f})" if value is not None else name)
    ax.set_xlabel("coverage (share of questions answered)")
    ax.set_ylabel("risk (share of answers wrong)")
    ax.set_title("Risk against coverage, answering the most confident first")
    if scored:
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def reliability_plot(
    path: Path, scored: Mapping[str, Sequence[tuple[float, bool, bool]]], bins: int = 10
) -> None:
    """Reliability diagram: per confidence bin of the answered questions, the share right (first
    citation is evidence), one line per config, with the diagonal a calibrated confidence follows."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.plot([0, 1], [0, 1], color="grey", linestyle=":", linewidth=1)
    for name, rows in scored.items():
        points = reliability(rows, bins)
        if points:
            xs, ys, counts = zip(*points, strict=True)
            ax.plot(xs, ys, marker="o", label=name)
            for x, y, n in points:
                ax.annotate(str(n), (x, y), textcoords="offset points", xytext=(3, -10), fontsize=7)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("confidence (bin mean)")
    ax.set_ylabel("share right (first citation is evidence)")
    ax.set_title("Reliability of confidence")
    if scored:
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def reliability(rows: Sequence[tuple[float, bool, bool]], bins: int = 10) -> list[tuple[float, float, int]]:
    """(mean confidence, share right, count) per non-empty bin of the answered rows."""
    grouped: dict[int, list[tuple[float, bool]]] = {}
    for confidence, right, answered in rows:
        if answered:
            grouped.setdefault(min(int(confidence * bins), bins - 1), []).append((confidence, right))
    return [
        (sum(c for c, _ in group) / len(group), sum(r for _, r in group) / len(group), len(group))
        for _, group in sorted(grouped.items())
    ]
