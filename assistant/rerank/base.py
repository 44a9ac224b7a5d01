"""The reranking contract: reorder retrieved hits with what retrieval cannot see."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol, runtime_checkable

from assistant.analysis.questions import Question
from assistant.types import Hit, Turn
from index.models import Article


@runtime_checkable
class Reranker(Protocol):
    """Rescores and sorts hits; may not add hits that retrieval did not return."""

    @property
    def name(self) -> str:
        """Recorded with eval results."""
        ...

    def rerank(
        self,
        question: str,
        query: str,
        hits: Sequence[Hit],
        articles: Mapping[str, Article],
        history: Sequence[Turn] = (),
        analysis: Question | None = None,
    ) -> list[Hit]:
        """``hits`` rescored, best first; ``analysis`` is ``question`` analysed, when the caller has it."""
        ...


class KeepOrder:
    """The identity reranker: retrieval's order as it is."""

    name = "none"

    def rerank(
        self,
        question: str,
        query: str,
        hits: Sequence[Hit],
        articles: Mapping[str, Article],
        history: Sequence[Turn] = (),
        analysis: Question | None = None,
    ) -> list[Hit]:
        """``hits`` unchanged."""
        return list(hits)
