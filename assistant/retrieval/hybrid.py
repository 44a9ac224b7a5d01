"""Hybrid sentence retrieval (BM25 + dense) and its LangChain retriever.

:class:`SentenceIndex` scores every sentence of the articles in scope;
:class:`SentenceRetriever` wraps it as a LangChain ``BaseRetriever`` so that
LangChain users can put it in their own chains. Documents carry the sentence
as ``page_content`` and its IDs, offsets and scores as metadata.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.fusion import reciprocal_rank, weighted_sum, with_neighbours
from assistant.text import terms
from index.models import Article, Sentence


@dataclass(frozen=True, slots=True)
class Hit:
    """A retrieved sentence and why it scored."""

    article_id: str
    sentence_id: str
    score: float
    #: BM25 score, min-max normalised over the scope.
    lexical: float
    #: Cosine similarity of sentence and question.
    dense: float
    #: Share of the question's IDF weight whose terms occur in the sentence.
    coverage: float

    @classmethod
    def from_document(cls, doc: Document) -> Hit:
        """Rebuild a hit from a retriever document's metadata."""
        m = doc.metadata
        return cls(m["article_id"], m["sentence_id"], m["score"], m["lexical"], m["dense"], m["coverage"])


@dataclass(frozen=True, slots=True)
class ScoredSentence:
    """Everything the index keeps per sentence."""

    article: Article
    sentence: Sentence


class SentenceIndex:
    """BM25 and dense scores over the sentences of a fixed set of articles."""

    def __init__(
        self,
        articles: Sequence[Article],
        vectors: np.ndarray,
        members: Sequence[Sequence[int]] | None = None,
        fusion: str = "weighted",
        lexical_weight: float = 0.5,
        neighbour_weight: float = 0.3,
    ) -> None:
        import bm25s

        self.items = [ScoredSentence(a, s) for a in articles for s in a.sentences]
        #: Which sentence positions each vector's passage holds; one each by default.
        self._members = members if members is not None else [[i] for i in range(len(vectors))]
        if len(vectors) != len(self._members):
            raise ValueError("one vector per passage is needed")
        self.vectors = vectors
        # Flattened (passage, sentence position) pairs, so scoring is one numpy call per query.
        self._owner = np.array([p for p, group in enumerate(self._members) for _ in group], dtype=np.int64)
        self._position = np.array([i for group in self._members for i in group], dtype=np.int64)
        self._by_key = {(item.article.id, item.sentence.id): item.sentence for item in self.items}
        self._groups = [item.article.id for item in self.items]
        self._tokens = [terms(item.sentence.text) for item in self.items]
        self._bm25 = bm25s.BM25()
        self._bm25.index([t or [""] for t in self._tokens], show_progress=False)
        df: Counter[str] = Counter(t for tokens in self._tokens for t in set(tokens))
        n = len(self.items)
        self._idf = {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in df.items()}
        self._unseen_idf = math.log(1 + (n + 0.5) / 0.5)
        self._fusion = fusion
        self._lexical_weight = lexical_weight
        self._neighbour_weight = neighbour_weight

    def search(self, query: str, query_vector: np.ndarray, k: int) -> list[Hit]:
        """The ``k`` best sentences for ``query``, best first."""
        if not self.items:
            return []
        q_terms = terms(query)
        lexical = (
            np.asarray(self._bm25.get_scores(q_terms), dtype=np.float64)
            if q_terms
            else np.zeros(len(self.items))
        )
        dense = self._dense(query_vector)
        if self._fusion == "rrf":
            fused = reciprocal_rank([lexical, dense])
        else:
            fused = weighted_sum(lexical, dense, self._lexical_weight)
            fused = with_neighbours(fused, self._groups, self._neighbour_weight)
        lexical_norm = lexical / lexical.max() if lexical.max() > 0 else lexical
        order = np.argsort(-fused, kind="stable")[:k]
        return [
            Hit(
                article_id=self.items[i].article.id,
                sentence_id=self.items[i].sentence.id,
                score=float(fused[i]),
                lexical=float(lexical_norm[i]),
                dense=float(dense[i]),
                coverage=self.coverage(q_terms, self._tokens[i]),
            )
            for i in order
        ]

    def _dense(self, query_vector: np.ndarray) -> np.ndarray:
        """Cosine per sentence: the best of the passages that hold it."""
        passage_scores = (self.vectors @ query_vector.astype(np.float32)).astype(np.float64)
        dense = np.full(len(self.items), -1.0, dtype=np.float64)
        np.maximum.at(dense, self._position, passage_scores[self._owner])
        return dense

    def sentence(self, article_id: str, sentence_id: str) -> Sentence:
        """The indexed sentence with these IDs."""
        return self._by_key[(article_id, sentence_id)]

    def coverage(self, query_terms: Sequence[str], sentence_terms: Sequence[str]) -> float:
        """IDF-weighted share of query terms found in the sentence (0..1)."""
        unique = set(query_terms)
        if not unique:
            return 0.0
        present = set(sentence_terms)
        total = sum(self._idf.get(t, self._unseen_idf) for t in unique)
        found = sum(self._idf.get(t, self._unseen_idf) for t in unique if t in present)
        return found / total


class SentenceRetriever(BaseRetriever):
    """LangChain retriever over a :class:`SentenceIndex`; returns one Document per sentence."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    index: Any
    embed_query: Callable[[str], np.ndarray]
    k: int = 8

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        hits = self.index.search(query, self.embed_query(query), self.k)
        docs = []
        for rank, hit in enumerate(hits, start=1):
            sentence = self.index.sentence(hit.article_id, hit.sentence_id)
            docs.append(
                Document(
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
            )
        return docs
