"""Extractive summaries: "What is this article about?", "Summarize", "What happened?", "key facts".

One article: its lead (the first sentence that is not a heading) plus the most
central other sentences, by the centrality the pipeline computed from the
stored passage vectors (:data:`assistant.answer.base.Centrality`), two to four
sentences in article order, each cited. Several articles (a library-wide
request): one line per article the pipeline chose (those that match the
request's topic, else the most recent), each its lead, cited; a library-wide
request that only one article matches gets that article's summary. The answerer
never reaches into the library: what to summarise arrives in the request.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from assistant.analysis.text import is_heading
from assistant.answer.base import AnswerRequest, Draft
from assistant.types import Diagnostics
from index.models import Article, Sentence

#: Sentences of a one-article summary: the lead plus up to this many central ones.
CENTRAL_SENTENCES = 2
#: Words a sentence needs to be worth a summary line (not a fragment of a quotation).
MIN_WORDS = 6


def summarise(request: AnswerRequest) -> Draft:
    """The summary draft for ``request`` (answer mode); an abstention when there is nothing to summarise."""
    chosen = [i for i in request.centrality if i in request.articles]
    why = Diagnostics(query=request.query, features=(("summary.articles", float(len(chosen))),))
    if not chosen:
        return Draft.abstention(why)
    if len(chosen) > 1:
        leads = [(i, _lead(request.articles[i])) for i in chosen]
        cited = tuple((i, s.id) for i, s in leads if s is not None)
        lines = [s.text for _, s in leads if s is not None]
    else:
        article = request.articles[chosen[0]]
        picked = _one_article(article, request.centrality[article.id])
        cited = tuple((article.id, s.id) for s in picked)
        lines = [" ".join(s.text for s in picked)]
    if not cited:
        return Draft.abstention(why)
    # Sure by construction: it quotes the article's own lead and central sentences, and says so.
    return Draft("\n".join(lines), cited, abstained=False, confidence=1.0, diagnostics=why, mode="answer")


def _one_article(article: Article, centrality: Mapping[str, float]) -> list[Sentence]:
    """The lead and the most central other sentences, in article order."""
    lead = _lead(article)
    if lead is None:
        return []
    others = [
        s
        for s in article.sentences
        if s.id != lead.id
        and s.id not in article.structural
        and not is_heading(s.text)
        and len(s.text.split()) >= MIN_WORDS
        and _ENDED.search(s.text)
    ]
    # Longer articles get one more central sentence (up to four in all).
    wanted = CENTRAL_SENTENCES + (len(article.sentences) >= 20)
    best = sorted(others, key=lambda s: -centrality.get(s.id, 0.0))[:wanted]
    return sorted([lead, *best], key=lambda s: article.index_of(s.id))


def _lead(article: Article) -> Sentence | None:
    """The article's first sentence that is a sentence: not a heading, a short fragment or a title
    line (one without closing punctuation: "Port approves $240 million expansion")."""
    # Structure marked at add time (headline, byline, dateline) is never the lead; the heading test
    # covers articles stored before the marks existed.
    body = [s for s in article.sentences if s.id not in article.structural and not is_heading(s.text)]
    full = [s for s in body if len(s.text.split()) >= MIN_WORDS]
    ended = [s for s in full if _ENDED.search(s.text)]
    return next(iter(ended or full or body), None)


_ENDED = re.compile(r"[.!?…][\"'”’)\]]*\s*$")
