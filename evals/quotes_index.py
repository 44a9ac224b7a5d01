"""Measure the quote index (issue 25) on PolNeAR's dev attributions: who said which sentence.

    .venv/bin/python -m evals.quotes_index [--raw ../shared/evaldata/raw] [--half b] [--show]

For every PolNeAR dev article (first annotator's file, as ``build_dev.py`` uses), the article is
split as the write path splits it (:func:`index.build.prepare`) and indexed by the add-time
extractor (:func:`assistant.analysis.quotes.extract_quotes`). Gold pairs are (sentence, source):
each sentence our splitter makes that overlaps an annotated Content span, with that attribution's
Source. Predicted pairs are (sentence, person) of every indexed quote. A predicted pair is right
when a gold pair has its sentence and a speaker that matches (:func:`speaker_matches`); recall
counts the gold pairs matched. Rows: all attributions, and those whose cue is a speech verb
(PolNeAR also annotates beliefs and documents: "shows", "claim", "believes").

Halves are :func:`evals.probe.in_half` of ``polnear:<file stem>`` (the dev split's article IDs):
tune on a, report b. Also measured: extraction time per article (all 55 dev articles, the
cost at add time) and the stored quotes' size, extrapolated to 10,000 articles.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.analysis.lexicon import SPEECH_VERBS
from evals.probe import default_paths, in_half
from index.models import Article, RawArticle
from index.quotes import Quote, quotes_metadata

_PRONOUNS = frozenset("he she they i we it his her their its him them".split())
_SPEECH_CUE = re.compile(rf"\b(?:{SPEECH_VERBS}|say|tell|telling|saying|statement|according)\b", re.I)


@dataclass(frozen=True, slots=True)
class Gold:
    """One annotated attribution: its source's text and offset, its cue, the sentences of its content."""

    source: str
    source_start: int
    cue: str
    sentence_ids: tuple[str, ...]


def spans(field: str) -> list[tuple[int, int]]:
    """brat offsets "12 80;90 100" as [(12, 80), (90, 100)]."""
    return [(int(a), int(b)) for a, b in (part.split() for part in field.split(";"))]


def gold_attributions(ann: Path, article: Article) -> list[Gold]:
    """The annotated attributions of ``article`` with a source and a content."""
    spans_of: dict[str, tuple[str, list[tuple[int, int]], str]] = {}
    events = []
    for line in ann.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if line.startswith("T") and len(parts) >= 3:
            label, _, where = parts[1].partition(" ")
            spans_of[parts[0]] = (label, spans(where), parts[2])
        elif line.startswith("E") and len(parts) >= 2:
            events.append(dict(p.split(":") for p in parts[1].split()))
    found = []
    for event in events:
        if "Source" not in event or "Content" not in event:
            continue
        _, source_spans, source = spans_of[event["Source"]]
        _, content, _ = spans_of[event["Content"]]
        cue = spans_of[event["Cue"]][2] if "Cue" in event else ""
        ids = tuple(s.id for s in article.sentences if any(s.start < b and a < s.end for a, b in content))
        if ids:
            found.append(Gold(source, source_spans[0][0], cue, ids))
    return found


def _key_word(text: str) -> str | None:
    """The last capitalised non-pronoun word of a source's head ("Trump lawyer Marc Kasowitz" → kasowitz;
    "Dean, a former DNC chairman" → dean)."""
    words = [re.sub(r"[’']s$", "", w.strip(".,:;“”\"–—()")) for w in text.split(",")[0].split()]
    names = [w for w in words if w[:1].isupper() and w.lower() not in _PRONOUNS | {"the", "a"}]
    return names[-1].lower() if names else None


def speaker_matches(quote: Quote, gold: Gold, golds: list[Gold]) -> bool:
    """The index's person for ``quote`` is the annotated source: the source's name word is in the
    person's name or mention; a pronoun source stands for the nearest named source before it (the
    annotation has no coreference); a described source ("the report") by its last word."""
    own = f"{quote.speaker} {quote.mention}".lower()
    key = _key_word(gold.source)
    if key is None and gold.source.lower().strip() in _PRONOUNS:
        before = [g for g in golds if g.source_start < gold.source_start and _key_word(g.source)]
        named = max(before, key=lambda g: g.source_start, default=None)
        key = _key_word(named.source) if named else None
        if quote.mention.lower() == gold.source.lower().strip():
            return True
    if key is None:
        last = re.sub(r"[^\w]", "", gold.source.split()[-1].lower()) if gold.source.split() else ""
        return bool(last) and last in f"{own} {(quote.description or '').lower()}"
    return key in re.findall(r"[\w’'-]+", own.replace("’s", "").replace("'s", ""))


def score(items: Iterable[tuple[Article, list[Quote], list[Gold]]], speech_only: bool) -> dict[str, float]:
    """Precision and recall of (sentence, speaker) pairs, and of sentences alone."""
    predicted = right = gold_n = found = sent_right = sent_found = 0
    for _, quotes, every in items:
        # Precision against every attribution; recall of all, or of those cued by speech.
        golds = [g for g in every if not speech_only or _SPEECH_CUE.search(g.cue)]
        pairs = [(q, s) for q in quotes for s in q.sentence_ids]
        predicted += len(pairs)
        right += sum(any(s in g.sentence_ids and speaker_matches(q, g, every) for g in every)
                     for q, s in pairs)
        sent_right += sum(any(s in g.sentence_ids for g in every) for _, s in pairs)
        for g in golds:
            for s in g.sentence_ids:
                gold_n += 1
                found += any(s == t and speaker_matches(q, g, every) for q, t in pairs)
                sent_found += any(s == t for _, t in pairs)
    return {
        "pairs_predicted": predicted, "pairs_gold": gold_n,
        "precision": round(right / max(predicted, 1), 3), "recall": round(found / max(gold_n, 1), 3),
        "sentence_precision": round(sent_right / max(predicted, 1), 3),
        "sentence_recall": round(sent_found / max(gold_n, 1), 3),
    }


def polnear(raw: Path) -> list[tuple[str, Article, Path]]:
    """(dev article ID, article as the write path splits it, first annotator's file) of each article."""
    from index.build import prepare

    data = raw / "polnear" / "data"
    rows = [line.split("\t") for line in (data / "metadata.tsv").read_text(encoding="utf-8").splitlines()[1:]]
    out = []
    for row in rows:
        stem, annotators = row[1], row[3]
        text = (data / "dev" / "text" / f"{stem}.txt").read_text(encoding="utf-8")
        article, _ = prepare(RawArticle(text=text, source=stem))
        ann = data / "dev" / "attributions" / f"{stem}_{annotators.split(',')[0].strip()}.ann"
        out.append((f"polnear:{stem}", article, ann))
    return out


def cost(dev: Path) -> dict[str, float]:
    """Extraction time and stored size per article over the dev split's articles."""
    from assistant.analysis.quotes import extract_quotes
    from index.build import prepare

    texts: dict[str, str] = {}
    for line in dev.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        texts.setdefault(record["article_id"], record["text"])
    articles = [prepare(RawArticle(text=t, source=i))[0] for i, t in texts.items()]
    extract_quotes(articles[0])  # warm the regular expressions' caches
    times, sizes, counts = [], [], []
    for article in articles:
        started = time.perf_counter()
        quotes = extract_quotes(article)
        times.append((time.perf_counter() - started) * 1000)
        sizes.append(len(quotes_metadata(quotes)["quotes"].encode("utf-8")))
        counts.append(len(quotes))
    return {
        "articles": len(articles), "ms_per_article_mean": round(statistics.mean(times), 1),
        "ms_per_article_median": round(statistics.median(times), 1),
        "ms_per_article_max": round(max(times), 1),
        "quotes_per_article": round(statistics.mean(counts), 1),
        "bytes_per_article": round(statistics.mean(sizes)),
        "mb_at_10000_articles": round(statistics.mean(sizes) * 10000 / 1e6, 1),
        "text_bytes_per_article": round(statistics.mean(len(a.text.encode()) for a in articles)),
    }


def who_said(dev: Path, half: str | None, predictions: Path | None) -> dict[str, dict[str, float]]:
    """The dev split's who-said questions (PolNeAR, in ``half``) answered through the index: the
    indexed quote sharing most words with the quoted statement (half of them at least), its person
    (with the article's description) as the answer, its sentences and attribution as the citations;
    scored as the harness scores answers. With ``predictions`` (a harness ``predictions.jsonl``),
    today's answerer on the same questions too."""
    from assistant.analysis.quotes import extract_quotes
    from assistant.analysis.text import terms
    from evals import metrics
    from index.build import prepare

    records = [json.loads(line) for line in dev.read_text(encoding="utf-8").splitlines()]
    records = [r for r in records
               if r["question_type"] == "attribution_who_said" and in_half(r["article_id"], half)]
    theirs = {}
    if predictions is not None:
        theirs = {p["id"]: p for p in map(json.loads, predictions.read_text(encoding="utf-8").splitlines())}
    rows: dict[str, list[dict[str, float]]] = {"index": [], "answerer": []}
    for r in records:
        article = prepare(RawArticle(text=r["text"], source=r["article_id"]))[0]
        statement = set(terms(r["question"].partition("“")[2] or r["question"]))
        best = max(extract_quotes(article), default=None,
                   key=lambda q: len(statement & set(terms(q.text))))
        if best is None or len(statement & set(terms(best.text))) * 2 < len(statement):
            answer, spans = "", []
        else:
            answer = best.speaker + (f", {best.description}" if best.description else "")
            ids = dict.fromkeys((*best.sentence_ids, best.attribution_id))
            spans = [(article.sentence(i).start, article.sentence(i).end) for i in ids]
        rows["index"].append(_scored(metrics, answer, spans, r))
        if r["id"] in theirs:
            p = theirs[r["id"]]
            cited = [(c["start"], c["end"]) for c in p.get("citations") or []]
            rows["answerer"].append(_scored(metrics, p.get("answer") or "", cited, r))
    return {
        k: {m: round(statistics.mean(v[m] for v in got), 3) for m in got[0]} | {"questions": len(got)}
        for k, got in rows.items() if got
    }


def _scored(metrics: Any, answer: str, cited: list[tuple[int, int]], record: dict[str, Any]
            ) -> dict[str, float]:
    evidence, gold = [tuple(e) for e in record["evidence"]], record["answers"]
    return {
        "hit_at_1": metrics.hit_at_1(cited, evidence), "exact_match": metrics.exact_match(answer, gold),
        "f1": metrics.token_f1(answer, gold), "containment": metrics.containment(answer, gold),
        "answered": float(bool(answer)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    dev_default = default_paths()[0]
    raw_default = Path(__file__).resolve().parents[3] / "shared" / "evaldata" / "raw"
    parser.add_argument("--raw", type=Path, default=raw_default)
    parser.add_argument("--dev", type=Path, default=dev_default)
    parser.add_argument("--half", choices=["a", "b", "all"], default="b")
    parser.add_argument("--show", action="store_true", help="print each article's misses (half a only)")
    parser.add_argument("--predictions", type=Path, help="a harness predictions.jsonl of the dev split's "
                        "who-said questions: today's answerer, to compare with the index")
    args = parser.parse_args(argv)
    from assistant.analysis.quotes import extract_quotes

    half = None if args.half == "all" else args.half
    if args.show and half != "a":
        parser.error("--show looks at half a only: half b is for reporting")
    items = []
    for dev_id, article, ann in polnear(args.raw):
        if in_half(dev_id, half):
            items.append((article, list(extract_quotes(article)), gold_attributions(ann, article)))
    if args.show:
        for article, quotes, golds in items:
            _show(article, quotes, golds)
    result = {
        "half": args.half, "articles": len(items),
        "all_attributions": score(items, speech_only=False),
        "speech_cues": score(items, speech_only=True),
        "who_said_questions": who_said(args.dev, half, args.predictions),
        "cost": cost(args.dev),
    }
    json.dump(result, sys.stdout, indent=2)
    print()
    return 0


def _show(article: Article, quotes: list[Quote], golds: list[Gold]) -> None:
    print(f"== {article.source}")
    for q in quotes:
        for s in q.sentence_ids:
            ok = any(s in g.sentence_ids and speaker_matches(q, g, golds) for g in golds)
            gold = [g.source for g in golds if s in g.sentence_ids]
            print(f"  {'OK ' if ok else 'BAD'} {s} {q.speaker!r} via {q.mention!r} gold={gold} "
                  f"{article.sentence(s).text[:70]!r}")
    predicted = {s for q in quotes for s in q.sentence_ids}
    for g in golds:
        missed = [s for s in g.sentence_ids if s not in predicted]
        if missed:
            print(f"  MISS {missed} {g.source!r} cue={g.cue!r} {article.sentence(missed[0]).text[:70]!r}")


if __name__ == "__main__":
    raise SystemExit(main())
