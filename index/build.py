"""Turn a raw article into a stored one: ID, cleaning, sentences, passages, vectors."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from index.clean import DroppedLine, find_boilerplate
from index.embed.base import Embedder
from index.errors import InputError
from index.ingest import RawArticle
from index.models import Article
from index.passages import make_passages
from index.store import ChromaStore


@dataclass(frozen=True, slots=True)
class AddResult:
    """What ``add`` did: the article, whether it was new, and what was dropped."""

    article: Article
    created: bool
    dropped: tuple[DroppedLine, ...] = ()


def article_id(text: str) -> str:
    """A stable ID from the normalised content (Unicode NFC, whitespace collapsed)."""
    normal = re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()[:12]


def prepare(raw: RawArticle) -> tuple[Article, tuple[DroppedLine, ...]]:
    """Clean and split ``raw``; :class:`InputError` when no sentence is left."""
    from index.sentences import split_sentences

    dropped = find_boilerplate(raw.text)
    sentences = split_sentences(raw.text, dropped)
    if not sentences:
        what = "only boilerplate" if dropped else "no sentences"
        raise InputError(
            f"{raw.source} has {what} once cleaned; nothing to add. Give the article's full text."
        )
    article = Article(
        id=article_id(raw.text),
        text=raw.text,
        sentences=sentences,
        title=raw.title,
        byline=raw.byline,
        date=raw.date,
        url=raw.url,
        source=raw.source,
        dropped=tuple((d.start, d.end) for d in dropped),
    )
    return article, dropped


def add_article(raw: RawArticle, store: ChromaStore, embedder: Embedder, window: int = 1) -> AddResult:
    """Store ``raw`` unless an article with the same content already is (a no-op)."""
    article, dropped = prepare(raw)
    if store.has_article(article.id):
        return AddResult(store.get_article(article.id), created=False, dropped=dropped)
    passages = make_passages(article, window)
    vectors = embedder.embed([p.text for p in passages])
    store.put_article(article, passages, vectors)
    return AddResult(store.get_article(article.id), created=True, dropped=dropped)
