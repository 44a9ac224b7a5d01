"""The harness's own commands, added to ``article-assistant`` through an entry point.

``pyproject.toml`` registers them under ``article_assistant.commands``, so the
core CLI lists and runs them without importing this package.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click


def _emit(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@click.command(name="eval")
@click.argument("data", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Folder for the reports.")
@click.option(
    "--config",
    "configs",
    multiple=True,
    help="A built-in config (default, baseline-langchain) or a JSON file of Settings overrides; repeatable.",
)
@click.option("--compare", help="Comma-separated configs to run side by side: default,baseline-langchain.")
@click.option("--limit", type=click.IntRange(min=1), help="Evaluate only the first N questions.")
@click.option("--json", "as_json", is_flag=True, help="Print the overall metrics as JSON.")
def eval_(
    data: Path, out: Path, configs: tuple[str, ...], compare: str | None, limit: int | None, as_json: bool
) -> None:
    """Score answers, citations, abstention and latency on a JSONL question set.

    Runs each config on a fresh temporary store (the baseline-langchain config
    always runs too) and writes predictions, metrics.json, report.md and PNG
    plots to --out. Example: article-assistant eval evals/data/dev.jsonl
    --compare default,baseline-langchain --out evals/results/dev
    """
    import evals

    specs = list(configs) + [c for c in (compare or "").split(",") if c.strip()]
    with _EvalProgress() as progress:
        result = evals.run(data, out, configs=specs, limit=limit, progress=progress)
    overall = {name: r["overall"] for name, r in result.metrics["results"].items()}
    if as_json:
        _emit(overall)
        return
    keys = ("hit_at_1", "citation_precision", "citation_recall", "f1", "containment", "latency_p50_ms")
    click.echo("config".ljust(22) + "".join(k.replace("citation_", "cite_").rjust(20) for k in keys))
    for name, values in overall.items():
        cells = "".join(("–" if values[k] is None else f"{values[k]:.3f}").rjust(20) for k in keys)
        click.echo(name.ljust(22) + cells)
    click.echo(f"wrote {len(result.files)} files to {result.out} in {result.wall_s:.0f} s")


class _EvalProgress:
    """A click progress bar on stderr, sized on the first update."""

    def __init__(self) -> None:
        self._bar: Any = None

    def __enter__(self) -> _EvalProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)

    def __call__(self, done: int, total: int, label: str) -> None:
        if self._bar is None:
            self._bar = click.progressbar(length=total, label=label, file=sys.stderr, show_pos=True)
            self._bar.__enter__()
        self._bar.label = label
        self._bar.update(1)


