"""Conversation: rewrite a follow-up question so it stands alone.

"What else did he say?" after "Who said cluster munitions are effective?"
→ "What else did John Kirby say?". Pasting the whole previous turn into the
query was measured to hurt retrieval, so only the salient entity is carried.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.models import Turn
from assistant.text import terms, words
from index.models import Article

_PRONOUN = re.compile(r"\b(he|she|him|her|his|hers|they|them|their)\b", re.I)
_POSSESSIVE = {"his", "her", "hers", "their"}
_NAME = re.compile(r"\b[A-Z][\w’'-]+(?:\s+(?:de|van|von|al)?\s*[A-Z][\w’'-]+)+")
# Short follow-ups ("When?", "Why not?") need the previous question's words.
_SHORT_FOLLOW_UP_WORDS = 3
_NON_SPAN_ANSWERS = {"yes", "no", "unknown", "yes yes", "no no"}


def standalone(question: str, history: Sequence[Turn]) -> str:
    """The question with pronouns replaced by the last turn's salient person."""
    if not history:
        return question
    last = history[-1]
    entity = salient_entity(last)
    rewritten = question
    if entity:

        def swap(match: re.Match[str]) -> str:
            word = match.group(1)
            return f"{entity}’s" if word.lower() in _POSSESSIVE else entity

        rewritten = _PRONOUN.sub(swap, question, count=1)
    if len(question.split()) <= _SHORT_FOLLOW_UP_WORDS:
        rewritten = f"{rewritten} {last.question}"
    return rewritten


def salient_entity(turn: Turn) -> str | None:
    """The person the turn was about: its short answer, else a name in it."""
    if turn.short_answer:
        name = _NAME.search(turn.short_answer)
        return name.group() if name else turn.short_answer.split(",")[0]
    for text in (turn.answer, turn.question):
        name = _NAME.search(text)
        if name:
            return name.group()
    return None


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
