"""The harness's own commands, added to ``article-assistant`` through an entry point.

``pyproject.toml`` registers them under ``article_assistant.commands``, so the
core CLI lists and runs them without importing this package.
"""

from __future__ import annotations

import json
import os
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
@click.option("--answerer", type=click.Choice(["extractive", "llm"]),
              help="'llm' adds a config answering with the chat model below (default: no such config).")
@click.option("--llm-base-url", metavar="URL", help="OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1.")
@click.option("--llm-model", metavar="NAME", help="Model name on that server.")
@click.option("--llm-api-key-env", metavar="VAR",
              help="Env var with the API key [default: ARTICLE_ASSISTANT_LLM_API_KEY, then OPENAI_API_KEY].")
def eval_(
    data: Path, out: Path, configs: tuple[str, ...], compare: str | None, limit: int | None, as_json: bool,
    answerer: str | None, llm_base_url: str | None, llm_model: str | None, llm_api_key_env: str | None,
) -> None:
    """Score answers, citations, abstention and latency on a JSONL question set.

    Runs each config on a fresh temporary store (the baseline-langchain config
    always runs too) and writes predictions, metrics.json, report.md and PNG
    plots to --out. Example: article-assistant eval evals/data/dev.jsonl
    --compare default,baseline-langchain --out evals/results/dev. With
    --answerer llm --llm-base-url URL --llm-model NAME a config answering with
    that chat model runs too (environment variables never change a config).
    """
    import evals
    from evals.configs import EvalConfig, llm_config

    specs: list[str | EvalConfig] = [*configs, *(c for c in (compare or "").split(",") if c.strip())]
    llm_flags = (llm_base_url, llm_model, llm_api_key_env)
    if answerer == "llm":
        if not llm_model:
            raise click.UsageError("--answerer llm needs --llm-model NAME (and usually --llm-base-url URL).")
        specs.append(llm_config(llm_base_url, llm_model, llm_api_key_env))
    elif any(llm_flags):
        raise click.UsageError("--llm-base-url, --llm-model and --llm-api-key-env go with --answerer llm.")
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
    for name, values in overall.items():
        if "llm_answers" in values:
            rates = ", ".join(
                f"{k.replace('_', ' ')} {'–' if values[k] is None else format(values[k], '.3g')}"
                for k in ("invented_citation_rate", "fallback_rate", "unsupported_sentence_rate",
                          "tokens_per_answer")
            )
            click.echo(f"{name}: {rates}")
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




@click.command(name="bench")
@click.option("--sizes", default="1,1000,10000", show_default=True, help="Library sizes, comma-separated.")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=Path("evals/results/bench"),
    show_default=True,
    help="Folder for bench.json, bench.md and latency_vs_size.png.",
)
@click.option(
    "--repeats", type=click.IntRange(min=1), default=3, show_default=True,
    help="Runs of each cold process (medians are reported).",
)
@click.option(
    "--one-at-a-time", "one_at_a_time", type=click.IntRange(min=1), default=1000, show_default=True,
    help="Articles added one at a time per size, at most.",
)
@click.option(
    "--textbook", type=click.IntRange(min=1), default=1000, show_default=True,
    help="Articles the textbook LangChain pipeline ingests per size, at most.",
)
@click.option("--work-dir", type=click.Path(path_type=Path), help="Folder for the temporary stores (/tmp).")
@click.option(
    "--backend", type=click.Choice(["auto", "onnx", "onnx-int8", "torch"]),
    help="This project's embedder backend (default: the settings', i.e. auto: onnx-int8 for new stores).",
)
@click.option(
    "--server/--no-server", default=True, show_default=True,
    help="Also serve each library through a `chroma run` server on loopback (HNSW out of process).",
)
@click.option(
    "--sweep", default="10,300,1000", show_default=True,
    help="Library sizes of the add-then-ask sweep (one library grown through them), or 'none'.",
)
@click.option("--json", "as_json", is_flag=True, help="Print bench.json instead of the table.")
def bench(
    sizes: str,
    out: Path,
    repeats: int,
    one_at_a_time: int,
    textbook: int,
    work_dir: Path | None,
    backend: str | None,
    server: bool,
    sweep: str,
    as_json: bool,
) -> None:
    """Ingest and ask latency against library size, beside the textbook LangChain pipeline.

    Example: article-assistant bench --sizes 1,1000,10000 --out evals/results/bench
    """
    from evals.bench import run

    try:
        numbers = [int(x) for x in sizes.split(",") if x.strip()]
    except ValueError:
        raise click.BadParameter(f"{sizes!r} is not a list of numbers", param_hint="--sizes") from None
    if not numbers or min(numbers) < 1:
        raise click.BadParameter("give library sizes of at least 1", param_hint="--sizes")
    try:
        swept = [] if sweep.strip() == "none" else [int(x) for x in sweep.split(",") if x.strip()]
    except ValueError:
        raise click.BadParameter(f"{sweep!r} is not a list of numbers or 'none'",
                                 param_hint="--sweep") from None
    if backend:  # read by this process's and the serving and CLI processes' settings
        os.environ["ARTICLE_ASSISTANT_EMBEDDER__BACKEND"] = backend
    results = run(numbers, out, repeats, one_at_a_time, textbook, work=work_dir, server=server, sweep=swept)
    if as_json:
        _emit(results)
    else:
        click.echo((out / "bench.md").read_text())
