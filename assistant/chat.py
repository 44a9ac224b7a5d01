"""Conversation: rewrite a follow-up question so it stands alone.

"What else did he say?" after "Who said cluster munitions are effective?"
→ "What else did John Kirby say?". Pasting the whole previous turn into the
query was measured to hurt retrieval, so only the salient entity is carried.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.analysis.conversation import conversation_positions
from assistant.analysis.lexicon import FULL_NAME
from assistant.types import Turn

_PRONOUN = re.compile(r"\b(he|she|him|her|his|hers|they|them|their)\b", re.I)
_POSSESSIVE = {"his", "her", "hers", "their"}
_NAME = FULL_NAME
# Short follow-ups ("When?", "Why not?") need the previous question's words.
_SHORT_FOLLOW_UP_WORDS = 3


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


__all__ = ["conversation_positions", "salient_entity", "standalone"]
