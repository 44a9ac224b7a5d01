"""Rerank retrieved sentences with what retrieval alone cannot see.

Retrieval scores a sentence against the question's words. Two more signals
decide many questions: where the conversation is in the article (follow-ups
walk through it in order, so the sentences at and just after the previous
answer are likely), and whether the sentence holds the kind of thing asked
for (a date for "when", a number for "how many", a name for "who").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from assistant.analysis.conversation import conversation_positions
from assistant.analysis.questions import Question, analyse
from assistant.analysis.short_answer import extract, has_answer_type
from assistant.analysis.text import terms
from assistant.settings import RerankSettings
from assistant.types import Hit, Turn
from index.models import Article


@dataclass(frozen=True, slots=True)
class HeuristicReranker:
    """Adds conversation-position, answer-type, phrase and coverage bonuses, then sorts."""

    settings: RerankSettings = field(default_factory=RerankSettings)
    name: str = "heuristic"

    def rerank(
        self,
        question: str,
        query: str,
        hits: Sequence[Hit],
        articles: Mapping[str, Article],
        history: Sequence[Turn] = (),
        analysis: Question | None = None,
    ) -> list[Hit]:
        """``hits`` rescored and sorted, best first (stable for ties)."""
        return rerank(hits, analysis or analyse(question), articles, history, self.settings, query)


def rerank(
    hits: Sequence[Hit],
    question: Question,
    articles: Mapping[str, Article],
    history: Sequence[Turn],
    weights: RerankSettings | None = None,
    query: str | None = None,
) -> list[Hit]:
    """``hits`` rescored and sorted, best first (stable for ties)."""
    w = weights or RerankSettings()
    pairs = _pairs(terms(query or question.text))
    # A rewritten follow-up carries the last turn's words, which the sentence it cited holds:
    # what the reader typed ("dangerous to civilians") says what is new.
    own = set(terms(question.text)) if query and query != question.text and history else set()
    in_hits = {h.article_id for h in hits}
    positions = _last_positions({a: articles[a] for a in in_hits}, history)
    rescored = []
    for hit in hits:
        article = articles[hit.article_id]
        index = article.index_of(hit.sentence_id)
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
        if own and w.own_words:
            bonus += w.own_words * len(own & set(terms(text))) / len(own)
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


def _follow_on_bonus(index: int, last: int | None, w: RerankSettings) -> float:
    if last is None:
        return 0.0
    offset = index - last
    if 0 <= offset < len(w.follow_on):
        return w.follow_on[offset]
    return w.before if offset == -1 else 0.0
