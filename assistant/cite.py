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
from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np

from assistant.analysis.text import terms
from assistant.settings import SupportSettings
from assistant.types import Citation, SentenceRef
from index.models import Article, Sentence

log = logging.getLogger(__name__)

#: One article's stored passage vectors: the sentence IDs of each passage, and the matrix.
ArticleVectors = Callable[[Article], tuple[Sequence[tuple[str, ...]], np.ndarray]]


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

    ``embed`` maps a text to its normalised vector (the Assistant's cached query
    embedder); ``article_vectors`` gives an article's stored passage vectors, so
    cited sentences are never embedded again.
    """

    def __init__(self, embed: Callable[[str], np.ndarray], article_vectors: ArticleVectors,
                 settings: SupportSettings) -> None:
        self._embed = embed
        self._article_vectors = article_vectors
        self.settings = settings

    def features(self, claim: str, article: Article, sentence: Sentence) -> dict[str, float]:
        """``lexical`` and ``dense`` for one claim and one stored sentence."""
        members, vectors = self._article_vectors(article)
        rows = [i for i, ids in enumerate(members) if sentence.id in ids]
        dense = 0.0
        if rows:
            v = vectors[rows].mean(axis=0)
            norm = float(np.linalg.norm(v))
            dense = float(self._embed(claim) @ v) / norm if norm else 0.0
        return {"lexical": lexical_support(claim, sentence.text), "dense": dense}

    def probability(self, values: Mapping[str, float]) -> float:
        """The logistic of the weighted features."""
        w = self.settings.weights
        z = w.get("bias", 0.0) + sum(w.get(name, 0.0) * v for name, v in values.items())
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def assess(
        self,
        refs: Iterable[SentenceRef],
        articles: Mapping[str, Article],
        question: str,
        claims: Sequence[tuple[SentenceRef, str]] = (),
    ) -> tuple[dict[SentenceRef, float], frozenset[SentenceRef]]:
        """Support per known ref, and the refs to flag low support.

        A ref given claims scores its best ``question + claim``; other refs score
        the question alone. Only refs with a claim (a generated answer's) are
        flagged below ``low_support``: an extractive answer keeps its own flags.
        """
        by_ref: dict[SentenceRef, list[str]] = {}
        for ref, claim in claims:
            by_ref.setdefault(ref, []).append(f"{question} {claim}")
        scores: dict[SentenceRef, float] = {}
        for ref in dict.fromkeys(refs):
            sentence = _sentence(articles, ref)
            if sentence is None:
                continue
            article = articles[ref[0]]
            texts = by_ref.get(ref) or [question]
            scores[ref] = max(self.probability(self.features(t, article, sentence)) for t in texts)
        weak = frozenset(r for r, s in scores.items() if r in by_ref and s < self.settings.low_support)
        return scores, weak
