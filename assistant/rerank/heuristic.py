"""Rerank retrieved sentences with what retrieval alone cannot see.

Retrieval scores a sentence against the question's words. Two more signals
decide many questions: where the conversation is in the article (follow-ups
walk through it in order, so the sentences at and just after the previous
answer are likely), and whether the sentence holds the kind of thing asked
for (a date for "when", a number for "how many", a name for "who").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from assistant.chat import conversation_positions
from assistant.models import Turn
from assistant.questions import Question
from assistant.retrieve import Hit
from assistant.short_answer import extract, has_answer_type
from assistant.text import terms
from index.models import Article


@dataclass(frozen=True, slots=True)
class RerankWeights:
    """Bonuses added to a hit's fused retrieval score (which is about 0..1.3)."""

    #: Bonus by offset from the previous turn's sentence: same, next, next but one, …
    follow_on: tuple[float, ...] = (0.3, 0.2, 0.1, 0.05)
    #: Bonus for the sentence just before the previous turn's.
    before: float = 0.03
    #: The conversation bonus is scaled by this for "When?"-style questions of three words or fewer.
    elliptical: float = 2.0
    #: Bonus when the sentence holds the expected answer type.
    answer_type: float = 0.1
    #: Further bonus when that candidate is not already named in the question.
    new_answer: float = 0.1
    #: Bonus × the share of the question's consecutive term pairs found in the sentence.
    phrase: float = 0.1
    #: Bonus × the IDF-weighted share of the question's terms found in the sentence.
    coverage: float = 0.2


def rerank(
    hits: Sequence[Hit],
    question: Question,
    articles: Mapping[str, Article],
    history: Sequence[Turn],
    weights: RerankWeights | None = None,
    query: str | None = None,
) -> list[Hit]:
    """``hits`` rescored and sorted, best first (stable for ties)."""
    w = weights or RerankWeights()
    pairs = _pairs(terms(query or question.text))
    in_hits = {h.article_id for h in hits}
    positions = _last_positions({a: articles[a] for a in in_hits}, history)
    rescored = []
    for hit in hits:
        article = articles[hit.article_id]
        index = _index_of(article, hit.sentence_id)
        bonus = _follow_on_bonus(index, positions.get(hit.article_id), w)
        if question.elliptical:
            bonus *= w.elliptical
        text = article.sentences[index].text
        if question.wants_short and has_answer_type(question, text):
            bonus += w.answer_type
            # A candidate the question does not already name: the sentence may hold the answer.
            if w.new_answer and extract(question, text):
                bonus += w.new_answer
        if pairs and w.phrase:
            bonus += w.phrase * len(pairs & _pairs(terms(text))) / len(pairs)
        bonus += w.coverage * hit.coverage
        rescored.append(replace(hit, score=hit.score + bonus))
    return sorted(rescored, key=lambda h: -h.score)


def _pairs(items: Sequence[str]) -> set[tuple[str, str]]:
    return set(zip(items, items[1:], strict=False))


def _last_positions(articles: Mapping[str, Article], history: Sequence[Turn]) -> dict[str, int]:
    if not history:
        return {}
    out = {}
    for article_id, article in articles.items():
        positions = [p for p in conversation_positions(article, history) if p is not None]
        if positions:
            out[article_id] = positions[-1]
    return out


def _follow_on_bonus(index: int, last: int | None, w: RerankWeights) -> float:
    if last is None:
        return 0.0
    offset = index - last
    if 0 <= offset < len(w.follow_on):
        return w.follow_on[offset]
    return w.before if offset == -1 else 0.0


def _index_of(article: Article, sentence_id: str) -> int:
    # IDs are s1, s2, … in order; fall back to a scan for any other scheme.
    if sentence_id[1:].isdigit():
        i = int(sentence_id[1:]) - 1
        if 0 <= i < len(article.sentences) and article.sentences[i].id == sentence_id:
            return i
    return next(i for i, s in enumerate(article.sentences) if s.id == sentence_id)
