"""Write an eval's outputs: predictions, metrics.json, report.md and PNG plots.

Everything is rendered into a staging folder beside ``out`` first and then
moved into place file by file, so a failed or interrupted eval leaves no
half-written output. Files:

* ``<config>/predictions.jsonl``: each config's predictions, written once;
* ``metrics.json``: per config, overall / by source / by question type,
  ingest times and run times;
* ``report.md``: the same as tables, with each config's 10 worst misses;
* ``metrics.png``, ``metrics_by_source.png``, ``latency.png``, ``risk_coverage.png``,
  ``reliability.png`` (confidence against the share right, per bin).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from evals import plots
from evals.dataset import EvalRecord
from evals.harness import ConfigRun
from evals.metrics import (
    LLM_METRICS,
    MODE_METRICS,
    QUESTION_METRICS,
    confidence_scores,
    percentile,
    score_question,
    summarize,
)
from evals.predictions import dumps
from evals.worst import worst_misses_markdown

#: (metric key, column header, format) for the tables.
COLUMNS = (
    ("questions", "n", "{:d}"),
    ("hit_at_1", "hit@1", "{:.3f}"),
    ("hit_at_3", "hit@3", "{:.3f}"),
    ("citation_precision", "cite P", "{:.3f}"),
    ("citation_recall", "cite R", "{:.3f}"),
    ("citation_precision_lenient", "cite P (lenient)", "{:.3f}"),
    ("citation_recall_lenient", "cite R (lenient)", "{:.3f}"),
    ("cites_both", "cites both (two-article library questions)", "{:.3f}"),
    ("citations_per_answer", "cites/answer", "{:.2f}"),
    ("exact_match", "EM", "{:.3f}"),
    ("f1", "F1", "{:.3f}"),
    ("containment", "contain", "{:.3f}"),
    ("abstention_recall", "abstention recall", "{:.3f}"),
    ("wrongly_abstained", "wrongly abstained", "{:.3f}"),
    ("auroc_confidence", "AUROC of confidence", "{:.3f}"),
    ("latency_p50_ms", "p50 ms", "{:.1f}"),
    ("latency_p95_ms", "p95 ms", "{:.1f}"),
)
GROUP_COLUMNS = tuple(c for c in COLUMNS if c[0] not in {"abstention_recall", "hit_at_1_lenient"})
#: Rows shown when some config's answerer asked a chat model (see :func:`evals.metrics.llm_metrics`).
LLM_COLUMNS = (
    ("invented_citation_rate", "invented citations (of IDs given)", "{:.3f}"),
    ("unsupported_sentence_rate", "unsupported sentences", "{:.3f}"),
    ("fallback_rate", "fallback rate", "{:.3f}"),
    ("tokens_per_answer", "tokens/answer", "{:.0f}"),
    ("tokens_in_per_answer", "prompt tokens/answer", "{:.0f}"),
    ("tokens_out_per_answer", "answer tokens/answer", "{:.0f}"),
)
assert [k for k, _, _ in LLM_COLUMNS] == list(LLM_METRICS)
#: Rows shown when some config gives answer modes (see :func:`evals.metrics.mode_metrics`).
MODE_COLUMNS = (
    ("mode_answer", "mode: answer (sure)", "{:.3f}"),
    ("mode_evidence", "mode: evidence (closest sentences)", "{:.3f}"),
    ("mode_abstain", "mode: abstain", "{:.3f}"),
    ("sure_wrong", "sure and wrong (of all questions)", "{:.3f}"),
    ("shown_right", "evidence among the sentences shown", "{:.3f}"),
)
assert [k for k, _, _ in MODE_COLUMNS] == list(MODE_METRICS)


def build_metrics(
    records: Sequence[EvalRecord], runs: Sequence[ConfigRun], dataset: dict[str, Any]
) -> dict[str, Any]:
    """The content of metrics.json."""
    results = {}
    for run in runs:
        ingest = list(run.ingest_ms.values())
        results[run.config.name] = {
            "config": run.config.describe(),
            **summarize(records, run.predictions),
            "ingest": {
                "articles": len(ingest),
                "total_ms": round(sum(ingest), 3),
                "p50_ms": percentile(ingest, 50),
                "p95_ms": percentile(ingest, 95),
                "max_ms": max(ingest, default=None),
                "per_article_ms": run.ingest_ms,
            },
            "run": {"warm_up_ms": run.warm_up_ms, "wall_s": run.wall_s},
        }
    return {
        "dataset": dataset,
        "configs": [run.config.name for run in runs],
        "metric_keys": list(QUESTION_METRICS),
        "results": results,
    }


def write(
    out: Path, records: Sequence[EvalRecord], runs: Sequence[ConfigRun], metrics: dict[str, Any]
) -> list[Path]:
    """Render every output into a staging folder, then move them into ``out``."""
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        files = _render(staging, records, runs, metrics)
        out.mkdir(exist_ok=True)
        moved = []
        for rel in files:
            target = out / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / rel, target)
            moved.append(target)
        return moved
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _render(
    staging: Path, records: Sequence[EvalRecord], runs: Sequence[ConfigRun], metrics: dict[str, Any]
) -> list[Path]:
    files: list[Path] = []

    def put(rel: str, content: str) -> None:
        path = staging / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
        files.append(Path(rel))

    for run in runs:
        put(f"{run.config.name}/predictions.jsonl", dumps(run.predictions))
    put("metrics.json", json.dumps(metrics, indent=2, ensure_ascii=False) + "\n")
    put("report.md", markdown(records, runs, metrics))
    results = metrics["results"]
    plots.metrics_plot(staging / "metrics.png", {n: r["overall"] for n, r in results.items()}, len(records))
    plots.by_source_plot(staging / "metrics_by_source.png", {n: r["by_source"] for n, r in results.items()})
    plots.latency_plot(
        staging / "latency.png",
        {run.config.name: [p.latency_ms for p in run.predictions] for run in runs},
        {run.config.name: list(run.ingest_ms.values()) for run in runs},
    )
    scored = {run.config.name: confidence_scores(records, _in_order(records, run)) for run in runs}
    plots.risk_coverage_plot(staging / "risk_coverage.png", {n: s for n, s in scored.items() if s})
    plots.reliability_plot(staging / "reliability.png", {n: s for n, s in scored.items() if s})
    plotted = ("metrics.png", "metrics_by_source.png", "latency.png", "risk_coverage.png", "reliability.png")
    files += [Path(name) for name in plotted]
    return files


# -- markdown ----------------------------------------------------------------


def _cell(value: Any, fmt: str) -> str:
    return "–" if value is None else fmt.format(value)


def markdown(records: Sequence[EvalRecord], runs: Sequence[ConfigRun], metrics: dict[str, Any]) -> str:
    """report.md: overall, per source, per question type, timing, worst misses."""
    results = metrics["results"]
    names = metrics["configs"]
    data = metrics["dataset"]
    lines = [
        "# Evaluation report",
        "",
        f"Dataset `{data['path']}` (sha256 `{data['sha256'][:16]}…`): {data['questions']} questions over "
        f"{data['articles']} articles"
        + (f", limited to the first {data['limit']}" if data["limit"] else "")
        + ".",
        f"Configs: {', '.join(f'`{n}`' for n in names)}. Code: `{data.get('code') or 'unknown'}`.",
        f"Command: `{data['command']}`",
        "",
        "Each config ingests every article once into a fresh temporary store, then answers every",
        "question scoped to its article (conversational questions with their `history`).",
        "Citations are scored by sentence overlap with the gold `evidence` (lenient: also",
        "`evidence_any`); answers by SQuAD-normalised EM/F1 on the answer's first line (the short",
        "answer when one was extracted) and containment of a gold answer anywhere in the answer",
        "text, max over `answers`. The baseline's answer is its top chunk (so containment favours",
        "it and F1 does not). Its citations are the sentences of its chunks in rank order, so its",
        "hit@1 asks whether the first sentence of its top chunk is evidence; whether the top",
        "1,000-character chunk contains evidence anywhere is a different, easier measure (0.691",
        "on this split, measured when issue 6 was filed).",
        "Abstentions score 0 on answer and citation metrics. See `evals/metrics.py`.",
        "",
        "## Overall",
        "",
        *_overall_table(results, names),
        "",
        "![metrics per config](metrics.png)",
        "",
        "AUROC of confidence: the chance that a right answer (answered, first citation is",
        "evidence) is more confident than a wrong one or an answer to an unanswerable question",
        "(abstentions count as confidence 0). Risk against coverage when answering only the most",
        "confident questions:",
        "",
        "![risk against coverage](risk_coverage.png)",
        "",
        "Modes: *answer* (sure: a short answer or claim, cited), *evidence* (not sure: the closest",
        'sentences, cited), *abstain*. "Sure and wrong" counts answer-mode answers to unanswerable',
        "questions, with a first citation that is no evidence, or with a short answer of F1 < 0.5.",
        "Reliability: of the answers in each confidence bin, the share whose first citation is",
        "evidence (a calibrated confidence lies on the diagonal; the number is the bin's count):",
        "",
        "![reliability of confidence](reliability.png)",
        "",
        "## Per source",
        "",
        *_group_table(results, names, "by_source", "source"),
        "",
        "![metrics per source](metrics_by_source.png)",
        "",
        "## Per question type",
        "",
        *_group_table(results, names, "by_question_type", "question type"),
        "",
        "## Time",
        "",
        *_time_table(results, names),
        "",
        "![latency](latency.png)",
        "",
    ]
    for run in runs:
        scored = [(r, p, score_question(r, p)) for r, p in zip(records, _in_order(records, run), strict=True)]
        lines += [f"## 10 worst misses: `{run.config.name}`", "", *worst_misses_markdown(scored, 10), ""]
    lines += [
        "## Configs",
        "",
        "```json",
        json.dumps({n: results[n]["config"] for n in names}, indent=2),
        "```",
        "",
    ]
    return "\n".join(lines)


def _in_order(records: Sequence[EvalRecord], run: ConfigRun) -> list[Any]:
    by_id = {p.id: p for p in run.predictions}
    return [by_id[r.id] for r in records]


def _overall_table(results: dict[str, Any], names: Sequence[str]) -> list[str]:
    rows = ["| metric | " + " | ".join(f"`{n}`" for n in names) + " |", "|---|" + "---:|" * len(names)]
    generative = any("llm_answers" in results[n]["overall"] for n in names)
    moded = any("mode_answer" in results[n]["overall"] for n in names)
    for key, header, fmt in COLUMNS + (MODE_COLUMNS if moded else ()) + (LLM_COLUMNS if generative else ()):
        rows.append(
            f"| {header} | " + " | ".join(_cell(results[n]["overall"].get(key), fmt) for n in names) + " |"
        )
    return rows


def _group_table(results: dict[str, Any], names: Sequence[str], field: str, label: str) -> list[str]:
    header = f"| {label} | config | " + " | ".join(h for _, h, _ in GROUP_COLUMNS) + " |"
    rows = [header, "|---|---|" + "---:|" * len(GROUP_COLUMNS)]
    groups = list(results[names[0]][field])
    for group in groups:
        for n in names:
            values = results[n][field][group]
            rows.append(
                f"| {group} | `{n}` | " + " | ".join(_cell(values[k], f) for k, _, f in GROUP_COLUMNS) + " |"
            )
    return rows


def _time_table(results: dict[str, Any], names: Sequence[str]) -> list[str]:
    rows = [
        "| config | answer p50 ms | answer p95 ms | ingest p50 ms/article | ingest p95 ms/article "
        "| ingest total s | model load s | wall s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n in names:
        o, ing, run = results[n]["overall"], results[n]["ingest"], results[n]["run"]
        rows.append(
            f"| `{n}` | {_cell(o['latency_p50_ms'], '{:.1f}')} | {_cell(o['latency_p95_ms'], '{:.1f}')} "
            f"| {_cell(ing['p50_ms'], '{:.0f}')} | {_cell(ing['p95_ms'], '{:.0f}')} "
            f"| {ing['total_ms'] / 1000:.1f} | {run['warm_up_ms'] / 1000:.1f} | {run['wall_s']:.1f} |"
        )
    rows += ["", "Timings were measured on the machine that ran the eval; other work on it adds noise."]
    return rows
