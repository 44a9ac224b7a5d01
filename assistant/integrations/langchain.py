"""LangChain adapters: a retriever and a Runnable over an :class:`~assistant.api.Assistant`.

They sit at the edge: the Assistant's own path never goes through LangChain
Documents. The retriever asks the Assistant on every call, so it sees
articles added after it was built.
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import Runnable, RunnableLambda
from pydantic import ConfigDict

from assistant.types import Answer, Hit
from index.errors import InputError


class SentenceRetriever(BaseRetriever):
    """One Document per retrieved sentence, best first.

    ``metadata`` holds ``article_id``, ``sentence_id``, ``start``/``end``
    (offsets into the stored text), ``rank``, ``score`` (fused retrieval
    score, higher is better) and its parts ``lexical``, ``dense``, ``coverage``.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    assistant: Any
    article: str | None = None
    k: int = 8

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        k = int(kwargs.get("k", self.k))
        if k < 1:
            return []
        hits = self.assistant.search(query, article=self.article, k=k)
        return [self._document(rank, hit) for rank, hit in enumerate(hits, start=1)]

    def _document(self, rank: int, hit: Hit) -> Document:
        sentence = self.assistant.get(hit.article_id).sentence(hit.sentence_id)
        return Document(
            page_content=sentence.text,
            metadata={
                "article_id": hit.article_id,
                "sentence_id": hit.sentence_id,
                "start": sentence.start,
                "end": sentence.end,
                "rank": rank,
                "score": hit.score,
                "lexical": hit.lexical,
                "dense": hit.dense,
                "coverage": hit.coverage,
            },
        )


def answer_chain(assistant: Any, article: str | None = None) -> Runnable[Any, Answer]:
    """A Runnable: a question string or ``{"question", "history"}`` → the :class:`Answer` of ``ask``."""

    def run(inputs: Any) -> Answer:
        if isinstance(inputs, str):
            return assistant.ask(inputs, article=article)
        if isinstance(inputs, dict) and "question" in inputs:
            return assistant.ask(inputs["question"], article=article, history=inputs.get("history"))
        raise InputError('The chain takes a question string or a {"question": ..., "history": [...]} dict.')

    return RunnableLambda(run, name="article_assistant")
