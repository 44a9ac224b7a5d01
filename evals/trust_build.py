"""Build the trust set (``evals/data/trust/``) from its article files and hand-written questions.

The article files (``articles/*.txt|.md|.html``) are read with the product's
own reader, so each record's ``text`` is exactly what the product stores:
``index.ingest.read_file`` for files, ``index.ingest.read_text`` for the
"pasted" articles (what ``article-assistant add -`` and the web paste box use).
Each gold evidence sentence is written in ``questions.yaml`` as its exact text
and located in that ``text``; a string found zero times or more than once
stops the build with an error naming the question. When the reader changes
(e.g. markdown headings become metadata), rerun this script and the spans
follow the text.

Writes ``trust_tune.jsonl``, ``trust_test.jsonl`` (one article per record),
``trust_library_tune.jsonl``, ``trust_library_test.jsonl`` (library-wide
questions) and ``gold.jsonl`` (id -> answers and evidence sentence texts),
then validates every JSONL with :func:`evals.dataset.load`.

``--set trust2`` builds the second, held-out-only set (``evals/data/trust2/``):
every article is in the test half, so it writes ``trust2_test.jsonl``,
``trust2_library_test.jsonl`` and ``gold.jsonl``. ``--set trust3`` builds the third set
(``evals/data/trust3/``), split by article into tune and test halves like set 1.
``--set quotes4`` builds a set of quote / who-said questions only (``evals/data/quotes4/``),
tune and test halves, no library questions: it writes ``quotes4_tune.jsonl``,
``quotes4_test.jsonl`` and ``gold.jsonl``. ``--set quotes5`` builds a second such set
(``evals/data/quotes5/``) the same way.

    PYTHONPATH=$PWD HF_HUB_OFFLINE=1 python -m evals.trust_build          # write
    PYTHONPATH=$PWD HF_HUB_OFFLINE=1 python -m evals.trust_build --check  # compare with the files
    PYTHONPATH=$PWD HF_HUB_OFFLINE=1 python -m evals.trust_build --sentences a1
    PYTHONPATH=$PWD HF_HUB_OFFLINE=1 python -m evals.trust_build --set trust2 [--check]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).resolve().parent / "data"
HERE = DATA / "trust"
SOURCE = "trust-v1"
KINDS = ("fact", "person", "quote", "why", "number", "followup", "unanswerable", "summary", "library")
HALVES = ("tune", "test")
MIN_PER_HALF = 50
MIN_PER_KIND = 4


@dataclass(frozen=True, slots=True)
class TrustSet:
    """One hand-written set: its folder, record ``source``, file/id prefix and halves."""

    name: str
    here: Path
    source: str
    halves: tuple[str, ...]
    #: One-article questions each half needs (the second set has one half, so it asks more).
    min_per_half: int = MIN_PER_HALF
    #: The kinds each half must have MIN_PER_KIND of (a focused set asks fewer kinds).
    kinds: tuple[str, ...] = KINDS
    #: Whether the set has library-wide questions (and so library files).
    has_library: bool = True

    def single(self, half: str) -> str:
        return f"{self.name}_{half}.jsonl"

    def library(self, half: str) -> str:
        return f"{self.name}_library_{half}.jsonl"


#: Set 1 (tune + test halves), set 2 (written later as an untouched held-out set: test only)
#: set 3 (a fresh set with tune + test halves; its test half is untouched) and quotes4
#: (attribution questions only, written because quote questions were the worst kind).
SETS = {
    "trust": TrustSet("trust", HERE, SOURCE, HALVES),
    "trust2": TrustSet("trust2", DATA / "trust2", "trust2-v1", ("test",), min_per_half=90),
    "trust3": TrustSet("trust3", DATA / "trust3", "trust3-v1", HALVES),
    "quotes4": TrustSet(
        "quotes4", DATA / "quotes4", "quotes4-v1", HALVES, min_per_half=40,
        kinds=("quote", "followup", "unanswerable"), has_library=False,
    ),
    # A second fresh attribution set, weighted to near-miss unanswerable who-said questions.
    "quotes5": TrustSet(
        "quotes5", DATA / "quotes5", "quotes5-v1", HALVES, min_per_half=40,
        kinds=("quote", "followup", "unanswerable"), has_library=False,
    ),
}


class BuildError(Exception):
    """A question whose gold data does not match the article text."""


def read_article(
    spec: dict[str, Any], here: Path = HERE
) -> tuple[str, str | None, list[tuple[int, int, str]]]:
    """(text, title, sentences) as the product stores the article."""
    from index.build import prepare
    from index.ingest import read_file, read_text

    path = here / "articles" / spec["file"]
    raw = read_text(path.read_text(encoding="utf-8")) if spec.get("pasted") else read_file(path)
    article, _ = prepare(raw)
    return article.text, article.title, [(s.start, s.end, s.text) for s in article.sentences]


def locate(text: str, sentence: str, where: str) -> tuple[int, int]:
    """The span of ``sentence`` in ``text``; BuildError unless it occurs exactly once."""
    sentence = sentence.strip()
    count = text.count(sentence)
    if count != 1:
        raise BuildError(
            f"{where}: evidence {sentence[:70]!r} occurs {count} times in the article text (need 1)"
        )
    start = text.index(sentence)
    return start, start + len(sentence)


def _check_turns(q: dict[str, Any], where: str) -> list[dict[str, str]]:
    turns = q.get("history") or []
    for t in turns:
        if set(t) != {"question", "answer"}:
            raise BuildError(f"{where}: history turns need exactly 'question' and 'answer'")
    return [{"question": str(t["question"]), "answer": str(t["answer"])} for t in turns]


def build(
    spec: dict[str, Any], tset: TrustSet = SETS["trust"]
) -> tuple[dict[str, list[dict[str, Any]]], list[dict[str, Any]], list[str]]:
    """(files -> records, gold rows, warnings)."""
    articles = {}
    for key, a in spec["articles"].items():
        if a["half"] not in tset.halves:
            raise BuildError(f"article {key!r}: half {a['half']!r} is not one of {tset.halves}")
        text, title, sentences = read_article(a, tset.here)
        art_id = f"{tset.name}-{key}"
        articles[key] = {**a, "text": text, "title": title, "sentences": sentences, "id": art_id}
    names = [tset.single(h) for h in tset.halves]
    names += [tset.library(h) for h in tset.halves] if tset.has_library else []
    out: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    gold: list[dict[str, Any]] = []
    warnings: list[str] = []
    seen: set[str] = set()
    for q in spec["questions"]:
        where = f"question {q.get('id')!r}"
        qid = q["id"]
        if qid in seen:
            raise BuildError(f"{where}: id appears twice")
        seen.add(qid)
        kind = q["kind"]
        if kind not in tset.kinds:
            raise BuildError(f"{where}: kind {kind!r} is not one of {tset.kinds}")
        # YAML turns `no` into False and `9,400` in a flow list into two items: insist on strings.
        raw_answers = q.get("answers") or []
        if not all(isinstance(a, str) for a in raw_answers):
            raise BuildError(f"{where}: every answer must be a quoted string, got {raw_answers!r}")
        answers = list(raw_answers)
        if (kind == "unanswerable" and answers) or (kind not in ("unanswerable", "library") and not answers):
            raise BuildError(
                f"{where}: unanswerable questions (and only they, or library ones) have no answers"
            )
        # Evidence: a list of sentence texts in the question's article, or for library
        # questions a list of {article, text}. The first article named is the record's.
        ev_items = []
        for item in q.get("evidence") or []:
            if isinstance(item, dict):
                if set(item) != {"article", "text"} or not isinstance(item["text"], str):
                    raise BuildError(
                        f"{where}: evidence item {item!r:.80} is not a string or {{article, text}}"
                    )
                ev_items.append((item["article"], item["text"]))
            elif not isinstance(item, str):
                raise BuildError(f"{where}: evidence item {item!r:.80} is not a string")
            else:
                ev_items.append((q["article"], item))
        if answers and not ev_items:
            raise BuildError(f"{where}: answerable questions need evidence")
        if not answers and ev_items:
            raise BuildError(f"{where}: unanswerable questions have no evidence")
        home = q["article"]
        if home not in articles:
            raise BuildError(f"{where}: unknown article {home!r}")
        spans: dict[str, list[tuple[int, int]]] = {}
        for art, sentence in ev_items:
            if art not in articles:
                raise BuildError(f"{where}: unknown article {art!r}")
            a = articles[art]
            span = locate(a["text"], sentence, where)
            spans.setdefault(art, []).append(span)
            # A sentence may start with markup ("- ", "* ", "## "); evidence may leave it out.
            starts = {s + len(t) - len(t.lstrip("-*#> ")) for s, _, t in a["sentences"]}
            starts |= {s for s, _, _ in a["sentences"]}
            ends = {e for _, e, _ in a["sentences"]}
            if span[0] not in starts or span[1] not in ends:
                warnings.append(f"{qid}: evidence {sentence[:50]!r} is not whole product sentences at {span}")
        home_art = articles[home]
        half = home_art["half"]
        flags = [home_art["form"], f"kind:{kind}"] + list(q.get("flags") or [])
        record: dict[str, Any] = {
            "id": qid,
            "source": tset.source,
            "article_id": home_art["id"],
            "title": home_art["title"],
            "text": home_art["text"],
            "question": q["question"],
            "answers": answers,
            "evidence": [list(s) for s in sorted(spans.get(home, []))],
            "question_type": kind,
            "history": _check_turns(q, where),
            "flags": flags,
        }
        if kind == "library":
            if answers and not spans.get(home):
                raise BuildError(f"{where}: a library question's own article must hold evidence")
            arts = sorted(spans)
            if len(arts) > 1:
                record["flags"].append("two-articles")
            record["flags"].append("library")
            # Not part of the one-article schema (the loader ignores it): the evidence in
            # every article, for a library-mode harness.
            record["library_evidence"] = [
                {"article_id": articles[k]["id"], "evidence": [list(s) for s in sorted(spans[k])]}
                for k in arts
            ]
            out[tset.library(half)].append(record)
        else:
            if ev_items and set(spans) != {home}:
                raise BuildError(f"{where}: evidence must be in the question's own article")
            out[tset.single(half)].append(record)
        gold.append(
            {
                "id": qid,
                "half": half,
                "kind": kind,
                "article": home_art["file"],
                "question": q["question"],
                "answers": answers,
                "evidence_text": [{"article": articles[k]["file"], "text": t.strip()} for k, t in ev_items],
                "history": record["history"],
            }
        )
    return out, gold, warnings


def counts(out: dict[str, list[dict[str, Any]]], tset: TrustSet = SETS["trust"]) -> dict[str, Counter[str]]:
    table: dict[str, Counter[str]] = {h: Counter() for h in tset.halves}
    for half in tset.halves:
        for name in (tset.single(half), tset.library(half)):
            for r in out.get(name, []):
                table[half][r["question_type"]] += 1
    return table


def check_counts(out: dict[str, list[dict[str, Any]]], tset: TrustSet = SETS["trust"]) -> list[str]:
    problems = []
    for half, c in counts(out, tset).items():
        single = len(out[tset.single(half)])
        if single < tset.min_per_half:
            problems.append(f"{half}: {single} one-article questions (need {tset.min_per_half})")
        for kind in tset.kinds:
            if c[kind] < MIN_PER_KIND:
                problems.append(f"{half}: {c[kind]} {kind} questions (need {MIN_PER_KIND})")
    return problems


def dumps(records: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def _on_disk(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.exists() else None


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--check", action="store_true", help="fail if the files on disk differ from a fresh build")
    p.add_argument("--sentences", metavar="ARTICLE", help="print an article's product sentences and exit")
    p.add_argument("--set", choices=sorted(SETS), default="trust", help="which set (default: trust)")
    args = p.parse_args(argv)
    tset = SETS[args.set]
    here = tset.here
    spec = yaml.safe_load((here / "questions.yaml").read_text(encoding="utf-8"))
    if args.sentences:
        text, title, sentences = read_article(spec["articles"][args.sentences], here)
        print(f"title: {title!r}")
        for i, (s, e, t) in enumerate(sentences, 1):
            print(f"s{i} [{s},{e}) {t}")
        return 0
    try:
        out, gold, warnings = build(spec, tset)
    except BuildError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    for w in warnings:
        print(f"warning: {w}", file=sys.stderr)
    files = dict(out) | {"gold.jsonl": gold}
    problems = check_counts(out, tset)
    for prob in problems:
        print(f"error: {prob}", file=sys.stderr)
    if problems:
        return 1
    if args.check:
        stale = [n for n, recs in files.items() if _on_disk(here / n) != dumps(recs)]
        rerun = "" if tset.name == "trust" else f" --set {tset.name}"
        for n in stale:
            print(
                f"error: {n} differs from a fresh build; rerun python -m evals.trust_build{rerun}",
                file=sys.stderr,
            )
        return 1 if stale else 0
    for name, records in files.items():
        (here / name).write_text(dumps(records), encoding="utf-8")
    from evals.dataset import load

    for name in out:
        load(here / name)
    for half, c in counts(out, tset).items():
        print(half, dict(sorted(c.items())), "total", sum(c.values()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
