"""Conversation: rewrite a follow-up question so it stands alone.

"What else did he say?" after "Who said cluster munitions are effective?"
→ "What else did John Kirby say?". Pasting the whole previous turn into the
query was measured to hurt retrieval, so only the salient entity is carried.

A :class:`QueryRewriter` does this for the Assistant. :class:`RuleRewriter`
is :func:`~assistant.analysis.conversation.standalone_query`;
:class:`ModelRewriter` asks a chat model (through a function the registry
gives it) and keeps the model's rewrite only when it keeps the user's own
words: every name the question gives and every content term; otherwise, or
when the model fails, the rule-based rewrite is used.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

from assistant.analysis.conversation import standalone_query
from assistant.analysis.lexicon import NAME_WORDS
from assistant.analysis.text import STOPWORDS, terms
from assistant.types import Turn
from index.errors import ArticleAssistantError

log = logging.getLogger(__name__)


@runtime_checkable
class QueryRewriter(Protocol):
    """Turns a follow-up question into the standalone query retrieval searches for."""

    def rewrite(self, question: str, history: Sequence[Turn]) -> str:
        """The query for ``question`` after ``history`` (the question itself when there is none)."""
        ...


class RuleRewriter:
    """The deterministic rewriter: :func:`~assistant.analysis.conversation.standalone_query`.

    A person pronoun becomes the last turn's person only when the question names no
    other person; "they"/"them" become the last question's topic noun phrase, never a number.
    """

    def rewrite(self, question: str, history: Sequence[Turn]) -> str:
        return standalone_query(question, history)


#: ``propose(question, history)``: a model's standalone rewrite; raises ArticleAssistantError on failure.
Propose = Callable[[str, Sequence[Turn]], str]


@runtime_checkable
class RewriteProposer(Protocol):
    """Something that can propose a follow-up's standalone form (a chat-model answerer)."""

    def propose_rewrite(self, question: str, history: Sequence[Turn]) -> str:
        """The proposed rewrite, which :class:`ModelRewriter` checks before using it."""
        ...


class ModelRewriter:
    """A chat model's rewrite, kept only when it keeps the user's names and words."""

    def __init__(self, propose: Propose, fallback: QueryRewriter | None = None) -> None:
        self._propose = propose
        self._fallback = fallback or RuleRewriter()

    def rewrite(self, question: str, history: Sequence[Turn]) -> str:
        if not history:
            return question
        try:
            proposed = self._propose(question, history)
        except ArticleAssistantError as e:
            log.info("follow-up rewrite by the model failed (%s); using the rule-based rewrite", e)
            return self._fallback.rewrite(question, history)
        candidate = clean_rewrite(proposed, question)
        rule = self._fallback.rewrite(question, history)
        problem = rewrite_problem(question, candidate)
        if problem is None and rule != question and _words(candidate) == _words(question):
            problem = "it leaves the question as it was, and the rule-based rewrite does not"
        if problem:
            log.info("model rewrite %r rejected: %s; using the rule-based rewrite", proposed[:200], problem)
            return rule
        return candidate


_PREFIX = re.compile(r"^\s*(?:standalone|rewritten|rewrite|question)[\w ]*:\s*", re.I)


def clean_rewrite(text: str, question: str) -> str:
    """The first non-empty line of a model's reply, without a label or wrapping quotes."""
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    line = _PREFIX.sub("", line).strip().strip("\"'“”‘’`").strip()
    return line


def _words(text: str) -> list[str]:
    return re.findall(r"[\w’'-]+", text.lower())


def question_names(question: str) -> list[str]:
    """Capitalised words of the question that are not function words: the names it gives."""
    return [w for w in NAME_WORDS.findall(question) if w.lower() not in STOPWORDS and w != "I"]


def rewrite_problem(question: str, rewrite: str) -> str | None:
    """Why a rewrite may not replace the question (None: it may)."""
    if not rewrite:
        return "it is empty"
    if len(rewrite) > max(300, 4 * len(question)):
        return "it is far longer than the question"
    words = set(_words(rewrite))
    dropped = [n for n in question_names(question) if n.lower() not in words]
    if dropped:
        return f"it drops the name(s) {', '.join(dropped)}"
    lost = set(terms(question)) - set(terms(rewrite))
    if lost:
        return f"it drops the question's word(s) {', '.join(sorted(lost))}"
    return None


__all__ = ["ModelRewriter", "QueryRewriter", "RuleRewriter"]
