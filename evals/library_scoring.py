"""Scoring library-wide questions: gold evidence and citations in several articles.

A library question's evidence may lie in several articles (``library_evidence``)
and each citation names the article it cites (``PredictedCitation.article``).
:func:`in_library` lays the articles end to end in one coordinate space, so every
span metric of :mod:`evals.metrics` applies unchanged: a citation counts when its
article and span overlap gold evidence of that article. :func:`cites_every_article`
is the one figure that needs the articles apart: a question whose evidence spans two
articles is fully answered only when it cites evidence in each.
"""

from __future__ import annotations

from dataclasses import replace

from evals.dataset import EvalRecord
from evals.predictions import Prediction

#: Each article's offsets are shifted by a multiple of this (longer than any article).
_STRIDE = 1 << 40


def in_library(record: EvalRecord, prediction: Prediction) -> tuple[EvalRecord, Prediction]:
    """The record and prediction with spans in library coordinates (one-article ones as they are)."""
    if not record.library:
        return record, prediction
    ids = {a for a, _ in record.library_evidence} | {
        c.article or record.article_id for c in prediction.citations
    }
    base = {a: i * _STRIDE for i, a in enumerate(sorted(ids))}
    evidence = tuple((base[a] + s, base[a] + e) for a, spans in record.library_evidence for s, e in spans)
    shift = [base[c.article or record.article_id] for c in prediction.citations]
    citations = tuple(
        replace(c, start=b + c.start, end=b + c.end) for c, b in zip(prediction.citations, shift, strict=True)
    )
    # Call it once per pair, on the records as loaded: converting twice would shift twice.
    return replace(record, evidence=evidence, evidence_any=evidence), replace(prediction, citations=citations)


def cites_every_article(record: EvalRecord, prediction: Prediction) -> float | None:
    """1.0 when some citation overlaps evidence in every article holding some; None unless the
    question is a library one with evidence in two articles or more."""
    if not record.library or len(record.library_evidence) < 2:
        return None
    if prediction.abstained:
        return 0.0
    return float(
        all(
            any(
                (c.article or record.article_id) == article
                and any(c.start < e and s < c.end for s, e in spans)
                for c in prediction.citations
            )
            for article, spans in record.library_evidence
        )
    )
