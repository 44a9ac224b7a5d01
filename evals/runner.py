"""``evals.run``: load a question set, run each config, write the reports."""

from __future__ import annotations

import hashlib
import logging
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evals import configs as configs_
from evals.dataset import DatasetError, EvalRecord, load
from evals.harness import ConfigRun, distinct_articles, run_config
from evals.report import build_metrics, write

log = logging.getLogger(__name__)

#: ``progress(done, total, label)``, called after every ingest and every question.
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True, slots=True)
class EvalResult:
    """What :func:`run` wrote and computed."""

    out: Path
    files: tuple[Path, ...]
    metrics: dict[str, Any]
    runs: tuple[ConfigRun, ...]
    wall_s: float


def run(
    data: str | Path,
    out: str | Path,
    configs: Sequence[str | configs_.EvalConfig] = (),
    limit: int | None = None,
    progress: Progress | None = None,
) -> EvalResult:
    """Evaluate ``configs`` (names, JSON files or EvalConfigs) on the JSONL question set ``data``.

    With no configs, ``default`` runs; ``baseline-langchain`` is always added so
    every report shows the project beside it. ``limit`` keeps the first N
    questions. Outputs go to ``out`` only once everything has succeeded.
    """
    started = time.perf_counter()
    data, out = Path(data), Path(out)
    records = load(data, limit)
    articles = library_articles(data, records)
    resolved = configs_.resolve(configs)
    n_articles = len(distinct_articles([*records, *articles]))
    total = len(resolved) * (n_articles + len(records))
    done = 0

    def tick(label: str) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total, label)

    runs = tuple(run_config(config, records, tick, articles) for config in resolved)
    dataset = {
        "path": data.as_posix(),
        "sha256": hashlib.sha256(data.read_bytes()).hexdigest(),
        "questions": len(records),
        "articles": n_articles,
        "limit": limit,
        "command": _command(data, out, [c.spec for c in resolved], limit),
        "code": code_version(),
    }
    metrics = build_metrics(records, runs, dataset)
    wall_s = round(time.perf_counter() - started, 3)
    metrics["wall_s"] = wall_s
    files = write(out, records, runs, metrics)
    log.info("eval of %d questions, %d configs: %.1f s", len(records), len(runs), wall_s)
    return EvalResult(out, tuple(files), metrics, runs, wall_s)


def library_articles(data: Path, records: Sequence[EvalRecord]) -> list[EvalRecord]:
    """The other articles of a library question set's library: the articles of its one-article
    companion, the file of the same name without ``_library`` (``trust_library_tune.jsonl`` →
    ``trust_tune.jsonl``) when there is one. Every article holding library evidence must have a text."""
    if not any(r.library for r in records):
        return []
    companion = data.with_name(data.name.replace("_library", "", 1))
    articles = distinct_articles(load(companion)) if companion != data and companion.exists() else []
    lengths = {r.article_id: len(r.text) for r in [*records, *articles]}
    for r in records:
        for article, spans in r.library_evidence:
            if article not in lengths or any(end > lengths[article] for _, end in spans):
                raise DatasetError(
                    f"{data}: question {r.id!r} has library evidence in article {article!r}, which no "
                    f"question of {data.name} or {companion.name} gives a text long enough for."
                )
    return articles


def _command(data: Path, out: Path, specs: Sequence[str], limit: int | None) -> str:
    flags = [s for s in specs if s.startswith("--")]  # a config given as flags: --answerer llm …
    named = [s for s in specs if not s.startswith("--")]
    parts = ["article-assistant eval", data.as_posix(), "--out", out.as_posix(), "--compare", ",".join(named)]
    parts += flags
    if limit is not None:
        parts += ["--limit", str(limit)]
    return " ".join(parts)


def code_version() -> str | None:
    """``git describe --always --dirty`` of the checkout, when there is one."""
    try:
        done = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None
