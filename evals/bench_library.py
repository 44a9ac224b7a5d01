"""Benchmark libraries and ingest: the dev split's articles, varied, added by both pipelines.

Copy ``k`` of a dev article starts with a line naming the copy ("Edition 3,
copy 171."), so every copy has its own content ID and is really stored (not
skipped as a re-add). Its other sentences repeat the original's, which the
embedder does not exploit (nothing caches vectors by text), but the BM25
tokeniser's small memo of recent sentences and pysbd's compiled patterns do,
a little: the tokenising share of ingest is somewhat lower than on distinct news.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evals.dataset import load

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / "evals" / "data" / "dev.jsonl"


@dataclass(frozen=True, slots=True)
class BenchArticle:
    """One article of a benchmark library."""

    key: str
    title: str | None
    text: str


def dev_articles() -> list[tuple[str | None, str]]:
    """The dev split's distinct articles, (title, text), in file order."""
    seen: dict[str, tuple[str | None, str]] = {}
    for record in load(DEV):
        seen.setdefault(record.article_id, (record.title, record.text))
    return list(seen.values())


def library(n: int, start: int = 0) -> Iterator[BenchArticle]:
    """Copies ``start`` … ``start + n - 1`` of the dev articles, each distinct."""
    originals = dev_articles()
    for k in range(start, start + n):
        title, text = originals[k % len(originals)]
        edition = k // len(originals)
        yield BenchArticle(
            f"copy-{k}", f"{title or 'Story'} ({k})", f"Edition {edition}, copy {k}.\n\n{text}"
        )


def questions(limit: int = 24) -> list[str]:
    """Standalone dev questions (no conversation history), one per article first."""
    picked: list[str] = []
    by_article: set[str] = set()
    records = [r for r in load(DEV) if not r.history and r.question.strip()]
    for r in records:
        if r.article_id not in by_article:
            by_article.add(r.article_id)
            picked.append(r.question)
    picked += [r.question for r in records if r.question not in picked]
    return picked[:limit]


def article_questions(copy: int, limit: int = 6) -> list[str]:
    """Dev questions about the original of copy ``copy`` (a conversation's turns asked on their own)."""
    originals = dev_articles()
    text = originals[copy % len(originals)][1]
    return [r.question for r in load(DEV) if r.text == text][:limit]


# -- ingest ------------------------------------------------------------------


def ingest_ours(
    data_dir: Path, cache_dir: Path, articles: Sequence[BenchArticle], bulk: bool
) -> dict[str, Any]:
    """This project's ingest into a new store: bulk ``add_many`` or one ``add_text`` each."""
    from assistant.api import Assistant
    from assistant.settings import Settings
    from index.ingest import read_text

    assistant = Assistant(Settings.from_env(data_dir=data_dir, cache_dir=cache_dir))
    assistant.embedder.embed(["warm up"])
    _ = assistant.store
    t0 = time.perf_counter()
    if bulk:
        results = assistant.add_many(read_text(a.text, title=a.title, source=a.key) for a in articles)
    else:
        results = [assistant.add_text(a.text, title=a.title, source=a.key) for a in articles]
    seconds = time.perf_counter() - t0
    assert all(r.created for r in results), "a benchmark article was skipped as a re-add"
    sentences = sum(len(r.article.sentences) for r in results)
    encoder = encoder_seconds(assistant, [r.article for r in results], bulk)
    return _throughput(len(results), sentences, seconds) | {
        "ids": [r.article.id for r in results],
        "encoder_seconds": round(encoder, 3),
        "encoder_ratio": round(seconds / encoder, 2) if encoder else None,
    }


def encoder_seconds(assistant: Any, articles: Sequence[Any], bulk: bool) -> float:
    """The encoder's own time on the passages just ingested, in the same process: all in one call
    (it batches) as a bulk add embeds them, or one call per article as ``add_text`` does. Ingest
    over this is the encoder-limit ratio (1.0: ingest costs nothing but embedding)."""
    from index.passages import make_passages

    window = assistant.settings.index.passage_window
    texts = [[p.text for p in make_passages(a, window)] for a in articles]
    embed = assistant.embedder.embed
    t0 = time.perf_counter()
    if bulk:
        embed([t for group in texts for t in group])
    else:
        for group in texts:
            embed(group)
    return time.perf_counter() - t0


def ingest_textbook(data_dir: Path, articles: Sequence[BenchArticle], bulk: bool) -> dict[str, Any]:
    """The textbook LangChain pipeline of :mod:`evals.baseline`: 1,000/200 chunks → langchain-chroma.

    Only its own steps are timed (split, embed with sentence-transformers, store),
    not the project splitter that the baseline config runs to map chunks to sentences.
    """
    from evals.baseline import LangChainBaseline

    baseline = LangChainBaseline(data_dir)
    baseline.warm_up()
    sentences = sum(_sentence_count(a.text) for a in articles)
    t0 = time.perf_counter()
    if bulk:
        chunks = baseline.splitter.create_documents(
            [a.text for a in articles], metadatas=[{"article": a.key} for a in articles]
        )
        for first in range(0, len(chunks), 2000):
            baseline.vectorstore.add_documents(chunks[first : first + 2000])
    else:
        for a in articles:
            chunks = baseline.splitter.create_documents([a.text], metadatas=[{"article": a.key}])
            baseline.vectorstore.add_documents(chunks, ids=[f"{a.key}-{i}" for i in range(len(chunks))])
    seconds = time.perf_counter() - t0
    return _throughput(len(articles), sentences, seconds) | {"baseline": baseline}


def textbook_asks(baseline: Any, keys: Sequence[str], qs: Sequence[str]) -> dict[str, list[float]]:
    """Milliseconds per textbook similarity search (k = 4), scoped by a filter and library-wide."""
    out: dict[str, list[float]] = {"scoped": [], "library": []}
    for i, q in enumerate(qs):
        t0 = time.perf_counter()
        baseline.vectorstore.similarity_search(q, k=4, filter={"article": keys[i % len(keys)]})
        out["scoped"].append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        baseline.vectorstore.similarity_search(q + " ", k=4)
        out["library"].append((time.perf_counter() - t0) * 1000)
    return out


_SENTENCES: dict[str, int] = {}


def _sentence_count(text: str) -> int:
    """Sentences of ``text`` by this project's splitter (the unit both pipelines' rates use)."""
    body = text.split("\n\n", 1)[1]
    if body not in _SENTENCES:
        from index.build import prepare
        from index.ingest import read_text

        _SENTENCES[body] = len(prepare(read_text(body))[0].sentences)
    return _SENTENCES[body] + 1


def _throughput(articles: int, sentences: int, seconds: float) -> dict[str, Any]:
    return {
        "articles": articles,
        "sentences": sentences,
        "seconds": round(seconds, 3),
        "sentences_per_s": round(sentences / seconds, 1) if seconds else None,
        "articles_per_s": round(articles / seconds, 2) if seconds else None,
    }


def dir_size(path: Path) -> int:
    """Bytes under ``path``."""
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def dump(data: Any) -> str:
    return json.dumps(data, indent=2, default=str)
