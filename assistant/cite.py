"""Resolve an answerer's citations against stored sentences.

A citation is only ever a sentence that exists in a stored article, and its
text is the stored sentence byte for byte; a reference to an unknown article
or sentence (an invented ID) is dropped and logged, never shown.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping

from assistant.types import Citation
from index.models import Article

log = logging.getLogger(__name__)


def resolve(
    refs: Iterable[tuple[str, str]],
    articles: Mapping[str, Article],
    low_support: Iterable[tuple[str, str]] = (),
) -> tuple[Citation, ...]:
    """Citations for the known (article_id, sentence_id) refs, deduplicated, in order."""
    weak = set(low_support)
    out: list[Citation] = []
    seen: set[tuple[str, str]] = set()
    for article_id, sentence_id in refs:
        if (article_id, sentence_id) in seen:
            continue
        article = articles.get(article_id)
        try:
            sentence = article.sentence(sentence_id) if article else None
        except KeyError:
            sentence = None
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
                text=article.text[sentence.start : sentence.end],  # type: ignore[union-attr]
                low_support=(article_id, sentence_id) in weak,
            )
        )
    return tuple(out)
