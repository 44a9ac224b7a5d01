"""Where a conversation is in an article: the sentence each earlier turn came from."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.analysis.text import terms, words
from assistant.types import Turn
from index.models import Article

_NON_SPAN_ANSWERS = {"yes", "no", "unknown", "yes yes", "no no"}


def _normal(text: str) -> str:
    return " ".join(words(text))


def conversation_positions(article: Article, history: Sequence[Turn]) -> list[int | None]:
    """Where in ``article`` each earlier turn's answer came from (sentence index), if found.

    A turn that cited sentences is placed at its first citation. A turn with
    only answer text (a transcript) is placed at the sentence holding that
    text, the one nearest the turn before when several do; a yes/no answer is
    placed by its question's words instead. Conversations tend to walk
    through an article in order, so the last position is a prior for the next.
    """
    index = {s.id: i for i, s in enumerate(article.sentences)}
    texts = [_normal(s.text) for s in article.sentences]
    positions: list[int | None] = []
    last: int | None = None
    for turn in history:
        found = [index[c.sentence_id] for c in turn.citations if c.article_id == article.id]
        last = found[0] if found else _locate(turn, texts, last)
        positions.append(last)
    return positions


def _locate(turn: Turn, texts: Sequence[str], previous: int | None) -> int | None:
    answer = _normal(turn.answer)
    holding: list[int] = []
    if answer and answer not in _NON_SPAN_ANSWERS:
        holding = [i for i, t in enumerate(texts) if f" {answer} " in f" {t} "]
    if not holding:
        wanted = set(terms(f"{turn.question} {turn.answer}"))
        if not wanted:
            return previous
        overlap = [len(wanted & set(terms(t))) for t in texts]
        best = max(overlap, default=0)
        if best == 0:
            return previous
        holding = [i for i, n in enumerate(overlap) if n == best]
    if previous is None:
        return holding[0]
    # Prefer the nearest sentence at or after the previous turn's.
    return min(holding, key=lambda i: (abs(i - previous) + (0 if i >= previous else 0.5)))
