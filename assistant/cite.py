"""Resolve an answerer's citations against stored sentences, and score their support.

A citation is only ever a sentence that exists in a stored article, and its
text is the stored sentence byte for byte; a reference to an unknown article
or sentence (an invented ID) is dropped and logged, never shown.

Each citation also gets a support score (:class:`SupportScorer`): how well
the cited sentence backs the claim it was cited for. The claim is the
question (an extractive answer cites the sentence that answers it), plus the
sentence of a generated answer that carried the citation marker. Two
features, combined by a logistic fitted on half of the dev articles
(``python -m evals.support``): the share of the claim's content terms that
the sentence holds, and the cosine of their embeddings.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from assistant.analysis.text import terms
from assistant.settings import SupportSettings
from assistant.types import Citation, SentenceRef
from index.models import Article, Sentence

log = logging.getLogger(__name__)

#: One article's stored passage vectors: the sentence IDs of each passage, and the matrix.
ArticleVectors = tuple[Sequence[tuple[str, ...]], np.ndarray]


def resolve(
    refs: Iterable[tuple[str, str]],
    articles: Mapping[str, Article],
    low_support: Iterable[tuple[str, str]] = (),
    support: Mapping[SentenceRef, float] | None = None,
) -> tuple[Citation, ...]:
    """Citations for the known (article_id, sentence_id) refs, deduplicated, in order."""
    weak = set(low_support)
    scores = support or {}
    out: list[Citation] = []
    seen: set[tuple[str, str]] = set()
    for article_id, sentence_id in refs:
        if (article_id, sentence_id) in seen:
            continue
        sentence = _sentence(articles, (article_id, sentence_id))
        if sentence is None:
            log.warning("dropped a citation of unknown sentence %s/%s", article_id, sentence_id)
            continue
        seen.add((article_id, sentence_id))
        out.append(
            Citation(
                article_id=article_id,
                sentence_id=sentence.id,
                start=sentence.start,
                end=sentence.end,
                text=articles[article_id].text[sentence.start : sentence.end],
                low_support=(article_id, sentence_id) in weak,
                support=scores.get((article_id, sentence_id)),
                page=sentence.page,
            )
        )
    return tuple(out)


def _sentence(articles: Mapping[str, Article], ref: SentenceRef) -> Sentence | None:
    article = articles.get(ref[0])
    if article is None:
        return None
    try:
        return article.sentence(ref[1])
    except (KeyError, IndexError, ValueError):
        return None


def lexical_support(claim: str, sentence: str) -> float:
    """Share of the claim's distinct content terms (stemmed) that the sentence holds; 0..1."""
    wanted = set(terms(claim))
    if not wanted:
        return 0.0
    return len(wanted & set(terms(sentence))) / len(wanted)


class SupportScorer:
    """Scores claim ↔ cited sentence in 0..1 (a calibrated probability the sentence is evidence).

    Given everything as data: the vectors of the claim texts (:meth:`claim_texts` says which) and
    the cited articles' stored passage vectors, so cited sentences are never embedded again.
    """

    def __init__(self, settings: SupportSettings) -> None:
        self.settings = settings

    def features(
        self, claim: str, claim_vector: np.ndarray, sentence: Sentence, vectors: ArticleVectors
    ) -> dict[str, float]:
        """``lexical`` and ``dense`` for one claim and one stored sentence of an article with ``vectors``."""
        members, matrix = vectors
        rows = [i for i, ids in enumerate(members) if sentence.id in ids]
        dense = 0.0
        if rows:
            v = matrix[rows].mean(axis=0)
            norm = float(np.linalg.norm(v))
            dense = float(claim_vector @ v) / norm if norm else 0.0
        return {"lexical": lexical_support(claim, sentence.text), "dense": dense}

    def probability(self, values: Mapping[str, float]) -> float:
        """The logistic of the weighted features."""
        w = self.settings.weights
        z = w.get("bias", 0.0) + sum(w.get(name, 0.0) * v for name, v in values.items())
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    @staticmethod
    def claim_texts(
        refs: Iterable[SentenceRef], question: str, claims: Sequence[tuple[SentenceRef, str]] = ()
    ) -> dict[SentenceRef, list[str]]:
        """The texts each ref is scored against: ``question + claim`` for a ref given claims (a
        generated answer's), else the question alone."""
        by_ref: dict[SentenceRef, list[str]] = {}
        for ref, claim in claims:
            by_ref.setdefault(ref, []).append(f"{question} {claim}")
        return {ref: by_ref.get(ref) or [question] for ref in dict.fromkeys(refs)}

    def assess(
        self,
        texts: Mapping[SentenceRef, Sequence[str]],
        articles: Mapping[str, Article],
        text_vectors: Mapping[str, np.ndarray],
        article_vectors: Mapping[str, ArticleVectors],
        claimed: Iterable[SentenceRef] = (),
    ) -> tuple[dict[SentenceRef, float], frozenset[SentenceRef]]:
        """Support per known ref (``texts`` from :meth:`claim_texts`), and the refs to flag.

        Each ref scores its best text. Only ``claimed`` refs (a generated answer's) are flagged
        below ``low_support``: an extractive answer keeps its own flags.
        """
        scores: dict[SentenceRef, float] = {}
        for ref, candidates in texts.items():
            sentence = _sentence(articles, ref)
            if sentence is None:
                continue
            vectors = article_vectors[ref[0]]
            scores[ref] = max(
                self.probability(self.features(t, text_vectors[t], sentence, vectors)) for t in candidates
            )
        wanted = set(claimed)
        weak = frozenset(r for r, s in scores.items() if r in wanted and s < self.settings.low_support)
        return scores, weak
