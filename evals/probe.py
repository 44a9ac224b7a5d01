"""A probe of the offline answerer: the figures the eval harness does not report.

The harness (``article-assistant eval``) gives the official numbers; this
script adds hit@3 (from the answerer's own ranking), who-said accuracy,
first-line F1, short-answer F1 on who/when/where/how-many/which questions, how
often a short-answer lead line is right (F1 >= 0.5), the mode mix (answer,
evidence, abstain), "sure and wrong" (answer mode with a wrong first citation
or a wrong short answer, or on an unanswerable question, as a share of all
questions), the share of answered questions with an evidence sentence among
those shown, precision on the most
confident half, the AUROC of confidence for right answers (answered, first
citation is evidence) against wrong or unanswerable ones, a risk-coverage plot
(``--plot``), and the split-by-article check. Scoring reuses
:mod:`evals.metrics`.

Runs the real :class:`~assistant.api.Assistant` in a temporary data dir: each
distinct article is added once with ``add_text``, each question is asked
scoped to its article with its ``history``. Prints hit@1, hit@3, citation
precision and recall (strict, by sentence overlap with ``evidence``), answer
containment, short-answer token F1, who-said accuracy, abstention, the
confidence check and latency, per source and overall.

    .venv/bin/python -m evals.probe [DATA.jsonl ...] [--half a|b] [--dump FILE]

``--half`` keeps the articles whose ID hashes into that half: tune on one,
check on the other (the split-by-article check).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import statistics
import sys
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from evals import metrics

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = (
    ROOT / "evals" / "data" / "dev.jsonl",
    ROOT.parent / "shared" / "evaldata" / "dev.jsonl",
)
PROJECT_UNANSWERABLE = ROOT / "evals" / "data" / "project_unanswerable.jsonl"
SHORT_WH = re.compile(r"^\s*(who|whom|whose|when|where|which|how\s+(many|much|old|long))\b", re.I)


def load(paths: Sequence[Path]) -> list[dict[str, Any]]:
    """Records of every file, in order."""
    records: list[dict[str, Any]] = []
    for path in paths:
        with path.open(encoding="utf-8") as f:
            records.extend(json.loads(line) for line in f if line.strip())
    return records


def default_paths() -> list[Path]:
    """dev.jsonl (the project copy if present) plus the project's unanswerable set."""
    dev = next((p for p in DEFAULT_DATA if p.exists()), DEFAULT_DATA[-1])
    return [dev] + ([PROJECT_UNANSWERABLE] if PROJECT_UNANSWERABLE.exists() else [])


def in_half(article_id: str, half: str | None) -> bool:
    """Deterministic half of the articles by ID hash."""
    if half is None:
        return True
    bit = hashlib.sha256(article_id.encode()).digest()[0] & 1
    return (bit == 0) == (half == "a")


# -- scoring (pure) ------------------------------------------------------------


def normalize(text: str) -> str:
    """The harness's SQuAD normalisation."""
    return metrics.normalize_answer(text)


def names_speaker(answer: str, gold: str) -> bool:
    """The answer names the annotated source (a partial name counts)."""
    if normalize(gold) and normalize(gold) in normalize(answer):
        return True
    skip = {"The", "A", "An", "In", "According", "Mr", "Mrs", "Ms", "Sen", "Rep", "President"}
    names = {w for w in re.findall(r"[A-Z][\w-]+", gold.replace("’s", "")) if w not in skip}
    found = set(re.findall(r"[\w-]+", answer))
    return bool(names & found)


def score(
    record: dict[str, Any], answer: dict[str, Any], ranked: Sequence[tuple[int, int]]
) -> dict[str, Any]:
    """Per-question figures; citation spans are (start, end) in the record's text."""
    evidence = record["evidence"]
    cited = [(c["start"], c["end"]) for c in answer["citations"]]
    mode = answer.get("mode") or ("abstain" if answer["abstained"] else "answer")
    row: dict[str, Any] = {
        "answerable": bool(record["answers"]),
        "abstained": answer["abstained"],
        "confidence": answer["confidence"],
        "ms": answer["timings"].get("total", 0.0),
        "mode": mode,
        # Sure and wrong: answer mode on an unanswerable question (or, below, with wrong evidence or
        # a wrong short answer).
        "sure_wrong": mode == "answer",
    }
    if not record["answers"]:
        return row
    shown = [] if answer["abstained"] else cited
    gold = [tuple(e) for e in evidence]
    row["hit1"] = metrics.hit_at_1(shown, gold)
    row["hit3"] = any(metrics.overlaps(r, g) for r in ranked[:3] for g in gold)
    row["precision"] = metrics.citation_precision(shown, gold)
    row["recall"] = metrics.citation_recall(shown, gold)
    text = "" if answer["abstained"] else answer["text"]
    row["contains"] = metrics.containment(text, record["answers"])
    row["f1"] = metrics.token_f1(metrics.lead(text), record["answers"])
    short = answer.get("short_answer")
    if text and short and metrics.lead(text).strip() == short.strip():
        row["short_lead_right"] = row["f1"] >= 0.5
    row["short_wh"] = bool(SHORT_WH.search(record["question"]))
    row["shown_right"] = any(metrics.overlaps(c, g) for c in shown for g in gold)
    short_wrong = row.get("short_lead_right") is False
    row["sure_wrong"] = mode == "answer" and (not row["hit1"] or short_wrong)
    if mode == "answer":
        row["answer_cited_right"] = bool(row["hit1"])
        if "short_lead_right" in row:
            row["answer_short_right"] = row["short_lead_right"]
    if record.get("question_type") == "attribution_who_said":
        row["who_said"] = any(names_speaker(text, a) for a in record["answers"])
    # "Sure and wrong", a who-said speaker counted right when it names the annotated source
    # (PolNeAR's gold is the whole mention: "Dean, a medical doctor," for "Dean").
    named = row.get("who_said")
    row["sure_wrong_named"] = mode == "answer" and (not row["hit1"] or (short_wrong and not named))
    return row


def summarise(rows: list[dict[str, Any]]) -> dict[str, float]:
    """Mean figures over a group of scored questions."""
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    out: dict[str, float] = {"n": len(rows), "answerable": len(answerable)}

    def mean(key: str, group: list[dict[str, Any]]) -> float:
        values = [float(r[key]) for r in group if key in r]
        return round(sum(values) / len(values), 3) if values else float("nan")

    for key in ("hit1", "hit3", "precision", "recall", "contains", "who_said"):
        out[key] = mean(key, answerable)
    out["f1_first_line"] = mean("f1", answerable)
    out["f1_short_wh"] = mean("f1", [r for r in answerable if r.get("short_wh")])
    leads = [r for r in answerable if "short_lead_right" in r]
    out["short_leads"] = len(leads)
    out["short_lead_precision"] = mean("short_lead_right", leads)
    out["wrongly_abstained"] = mean("abstained", answerable)
    for mode in ("answer", "evidence", "abstain"):
        out[f"mode_{mode}"] = round(sum(r.get("mode") == mode for r in rows) / max(len(rows), 1), 3)
    out["sure_wrong"] = mean("sure_wrong", rows)
    named = [{**r, "sure_wrong_named": r.get("sure_wrong_named", r["sure_wrong"])} for r in rows]
    out["sure_wrong_named"] = mean("sure_wrong_named", named)
    out["shown_right"] = mean("shown_right", [r for r in answerable if not r["abstained"]])
    out["answer_cited_right"] = mean("answer_cited_right", answerable)
    out["answer_short_right"] = mean("answer_short_right", answerable)
    out["unanswerable"] = len(unanswerable)
    out["abstained_unanswerable"] = mean("abstained", unanswerable)
    confident = sorted(answerable, key=lambda r: -r["confidence"])[: len(answerable) // 2]
    out["precision_top_half_conf"] = mean("precision", confident)
    out["auroc_conf"] = round(auroc(rows), 3)
    times = [r["ms"] for r in rows]
    out["ms_median"] = round(statistics.median(times), 1) if times else float("nan")
    out["ms_p95"] = round(sorted(times)[int(0.95 * (len(times) - 1))], 1) if times else float("nan")
    return out


def right(row: dict[str, Any]) -> bool:
    """A right answer: answerable, answered, and its first citation is evidence."""
    return bool(row["answerable"] and not row["abstained"] and row.get("hit1"))


def _confidence(row: dict[str, Any]) -> float:
    return 0.0 if row["abstained"] else float(row["confidence"])


def scored(rows: list[dict[str, Any]]) -> list[tuple[float, bool, bool]]:
    """(confidence, right, answered) per row, as :func:`evals.metrics.auroc` takes them."""
    return [(_confidence(r), right(r), not r["abstained"]) for r in rows]


def auroc(rows: list[dict[str, Any]]) -> float:
    """AUROC of confidence (0 when abstained) for right answers vs wrong or unanswerable ones."""
    value = metrics.auroc(scored(rows))
    return float("nan") if value is None else value


def plot_risk_coverage(groups: dict[str, list[dict[str, Any]]], path: Path) -> None:
    """Risk-coverage curves, one per group, with each group's AUROC in the legend."""
    from evals.plots import risk_coverage_plot

    risk_coverage_plot(path, {name: scored(rows) for name, rows in groups.items()})


# -- running -------------------------------------------------------------------


def run(records: list[dict[str, Any]], data_dir: Path | None = None) -> list[dict[str, Any]]:
    """Ask every question of the real Assistant; return records with answers and scores."""
    from assistant.api import Assistant
    from assistant.settings import Settings

    out = []
    # Env overrides (ARTICLE_ASSISTANT_ANSWER__MODE_THRESHOLD=…) apply: thresholds are tried this way.
    with tempfile.TemporaryDirectory() as tmp, \
            Assistant(Settings.from_env(data_dir=data_dir or Path(tmp))) as assistant:
        ids: dict[str, str] = {}
        for record in records:
            if record["article_id"] not in ids:
                ids[record["article_id"]] = assistant.add_text(record["text"]).article.id
        for record in records:
            article = ids[record["article_id"]]
            history = record.get("history") or []
            full = assistant.ask(record["question"], article=article, history=history)
            answer = full.to_dict()
            ranked, feats = _ranked(assistant.get(article), full)
            scored = score(record, answer, ranked)
            row = {**_brief(record), "answer": answer, "features": feats, "top": ranked[:5], "score": scored}
            row["abstain_reason"] = full.diagnostics.abstain_reason
            out.append(row)
    return out


def _ranked(article: Any, answer: Any) -> tuple[list[tuple[int, int]], dict[str, float]]:
    """The answerer's ranking of sentences (else its citations) as spans; its confidence features."""
    refs = list(answer.diagnostics.ranked) or [(c.article_id, c.sentence_id) for c in answer.citations]
    spans = []
    for _, sid in refs:
        s = article.sentence(sid)
        spans.append((s.start, s.end))
    return spans, dict(answer.diagnostics.features)


def _brief(record: dict[str, Any]) -> dict[str, Any]:
    keys = ("id", "source", "article_id", "question", "answers", "evidence", "question_type")
    return {k: record.get(k) for k in keys}


def groups_of(results: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Scored rows per source and overall."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in results:
        groups[r["source"].split()[0]].append(r["score"])
        groups["overall"].append(r["score"])
    return dict(sorted(groups.items()))


def report(results: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Summaries per source and overall."""
    return {name: summarise(rows) for name, rows in groups_of(results).items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="*", type=Path)
    parser.add_argument("--half", choices=["a", "b"])
    parser.add_argument("--dump", type=Path, help="write every answer and score as JSONL")
    parser.add_argument("--data-dir", type=Path, help="reuse this store (default: a temporary one)")
    parser.add_argument("--plot", type=Path, help="write a risk-coverage plot (PNG) per source")
    parser.add_argument("--reliability", type=Path, help="write a reliability diagram of confidence (PNG)")
    args = parser.parse_args(argv)
    records = [r for r in load(args.data or default_paths()) if in_half(r["article_id"], args.half)]
    results = run(records, args.data_dir)
    table = report(results)
    keys = list(next(iter(table.values())).keys())
    print("metric".ljust(24) + "".join(name[:10].rjust(11) for name in table))
    for key in keys:
        print(key.ljust(24) + "".join(str(table[name][key]).rjust(11) for name in table))
    if args.plot:
        plot_risk_coverage(groups_of(results), args.plot)
    if args.reliability:
        from evals.plots import reliability_plot

        reliability_plot(args.reliability, {name: scored(rows) for name, rows in groups_of(results).items()})
    if args.dump:
        with args.dump.open("w", encoding="utf-8") as f:
            for r in results:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
