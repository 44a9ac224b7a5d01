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
    """The lead and the most central other sentences, in article order (a live blog: see
    :func:`_live_blog`)."""
    entries = _entries(article)
    if len(entries) >= LIVE_BLOG_ENTRIES:
        return _live_blog(article, entries, centrality)
    lead = _lead(article)
    if lead is None:
        return []
    others = [s for s in _summary_lines(article) if s.id != lead.id]
    # Longer articles get one more central sentence (up to four in all).
    wanted = CENTRAL_SENTENCES + (len(article.sentences) >= 20)
    best = sorted(others, key=lambda s: -centrality.get(s.id, 0.0))[:wanted]
    return sorted([lead, *best], key=lambda s: article.index_of(s.id))


def _summary_lines(article: Article) -> list[Sentence]:
    """The sentences worth a summary line: body prose, whole sentences of some length."""
    return [
        s
        for s in article.sentences
        if s.id not in article.structural
        and not is_heading(s.text)
        and len(s.text.split()) >= MIN_WORDS
        and _ENDED.search(s.text)
        and _prose(s.text)
    ]


#: Timestamped entries that make an article a live blog ("9:20 p.m. — …", "14:05 - …").
LIVE_BLOG_ENTRIES = 4
_ENTRY = re.compile(r"^\W{0,3}\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?|AM|PM)?(?:\s+[A-Z]{2,4})?\s*[—–-]\s", re.I)


_NEWSROOM = re.compile(r"\b(?:we|we['’](?:ll|re|ve|d)|our|ours|us)\b", re.I)
_QUOTED = re.compile(r"[“\"][^”\"]*[”\"]")


def _entries(article: Article) -> list[list[Sentence]]:
    """A live blog's entries (each its sentences), from a sentence that opens with a timestamp to the
    next; the sentences before the first entry belong to none. No timestamps: none."""
    entries: list[list[Sentence]] = []
    for sentence in article.sentences:
        if _ENTRY.match(sentence.text):
            entries.append([])
        if entries:
            entries[-1].append(sentence)
    return entries


def _live_blog(
    article: Article, entries: list[list[Sentence]], centrality: Mapping[str, float]
) -> list[Sentence]:
    """A live blog has no lead: its first entry is whatever came last (or first) and often only
    signs off ("That's where we'll end our live coverage"). What sums it up is how the story stands
    in the entry at the top and how it began in the one at the bottom: the lead of each (its first
    line of news, as an entry is written like a short story), then the most central of the rest, in
    article order."""
    # The newsroom speaking of its coverage ("Welcome to our live coverage", "We'll resume updates
    # at 6 a.m.") is no news: a live blog's own voice is "we" outside quotation marks.
    news = [s for s in _summary_lines(article) if not _NEWSROOM.search(_QUOTED.sub(" ", s.text))]
    lines = {s.id for s in news}
    picked: list[Sentence] = []
    for entry in (entries[0], entries[-1]):
        candidates = [s for s in entry if s.id in lines]
        picked.append(candidates[0] if candidates else max(entry, key=lambda s: centrality.get(s.id, 0.0)))
    rest = [s for s in news if s not in picked]
    picked += sorted(rest, key=lambda s: -centrality.get(s.id, 0.0))[:1]
    return sorted(dict.fromkeys(picked), key=lambda s: article.index_of(s.id))


def _lead(article: Article) -> Sentence | None:
    """The article's first sentence that is a sentence: not a heading, a short fragment or a title
    line (one without closing punctuation: "Port approves $240 million expansion")."""
    # Structure marked at add time (headline, byline, dateline) is never the lead; the heading test
    # covers articles stored before the marks existed.
    body = [s for s in article.sentences if s.id not in article.structural and not is_heading(s.text)]
    # Prose, not a credit or a date line the add did not mark ("ET Aug. 14, 2025 | Updated 9:45 a.m.",
    # "Jonas Whitby, Coastal Courier"): a lead has words in lower case.
    full = [s for s in body if len(s.text.split()) >= MIN_WORDS and _prose(s.text)]
    ended = [s for s in full if _ENDED.search(s.text)]
    return next(iter(ended or full or body), None)


_ENDED = re.compile(r"[.!?…][\"'”’)\]]*\s*$")
#: Lower-case words a sentence needs to be prose (a lead), not a credit, a date or a title line.
_PROSE_WORDS = 2


def _prose(text: str) -> bool:
    return len(re.findall(r"(?<![\w.])[a-z][a-z'’-]+\b(?!\.)", text)) >= _PROSE_WORDS
