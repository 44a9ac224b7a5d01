"""The write path's data model: articles, their sentences and passages.

The invariant ``article.text[s.start:s.end] == s.text`` holds for every
sentence; IDs (``s1``, ``s2``, …) never change once an article is stored.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of an article, located by character offsets into its text."""

    id: str
    start: int
    end: int
    text: str
    paragraph: int
    #: ID of the sentence that closes the quotation this sentence is part of,
    #: when the quote stays open past it ("… effectively. … that,” said X.").
    quote_close: str | None = None
    #: The page the sentence starts on (1-based), for paged formats (PDF); None elsewhere.
    page: int | None = None


@dataclass(frozen=True, slots=True)
class Passage:
    """A short window of consecutive sentences: the unit that is embedded."""

    id: str
    article_id: str
    sentence_ids: tuple[str, ...]
    text: str


@dataclass(frozen=True, slots=True)
class RawArticle:
    """An article as read (:mod:`index.ingest`): text as given, after HTML extraction, and its metadata."""

    text: str
    source: str
    title: str | None = None
    byline: str | None = None
    date: str | None = None
    url: str | None = None
    #: Texts the markup says are headings or captions (HTML), to be marked as structure.
    headings: tuple[str, ...] = ()
    #: Offsets where each page starts in ``text`` (page 1 at ``pages[0]``); empty when not paged.
    pages: tuple[int, ...] = ()
    #: What the reader left out or changed, for the user ("2 tables skipped").
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Article:
    """A stored article: the text as given, its metadata and its sentences."""

    id: str
    text: str
    sentences: tuple[Sentence, ...]
    title: str | None = None
    byline: str | None = None
    date: str | None = None
    url: str | None = None
    source: str | None = None
    #: When the article was stored (ISO 8601, UTC); ``None`` before it is.
    added_at: str | None = None
    #: Lines that cleaning dropped as boilerplate, as (start, end) offsets.
    dropped: tuple[tuple[int, int], ...] = field(default=())
    #: IDs of sentences that are structure, not evidence (headline, byline, dateline, heading,
    #: caption): kept in the sentence table so IDs never shift, left out of retrieval and answers.
    structural: frozenset[str] = field(default=frozenset())
    #: Offsets where each page starts in ``text`` (PDF); empty when the article is not paged.
    pages: tuple[int, ...] = field(default=())

    def sentence(self, sentence_id: str) -> Sentence:
        """Return the sentence with this ID; ``KeyError`` when there is none."""
        return self.sentences[self.index_of(sentence_id)]

    def index_of(self, sentence_id: str) -> int:
        """Position of the sentence with this ID (O(1) for the ``s1, s2, …`` scheme); ``KeyError``."""
        if sentence_id[1:].isdigit():
            i = int(sentence_id[1:]) - 1
            if 0 <= i < len(self.sentences) and self.sentences[i].id == sentence_id:
                return i
        for i, s in enumerate(self.sentences):
            if s.id == sentence_id:
                return i
        raise KeyError(sentence_id)

    @property
    def label(self) -> str:
        """A short human name: the title, else the first words of the text."""
        if self.title:
            return self.title
        first = self.sentences[0].text if self.sentences else self.text
        return first if len(first) <= 80 else first[:77].rstrip() + "…"


def page_at(pages: tuple[int, ...], offset: int) -> int | None:
    """The 1-based page holding ``offset``, given each page's start offset; None when not paged."""
    if not pages:
        return None
    return max(1, bisect.bisect_right(pages, offset))


@dataclass(frozen=True, slots=True)
class ArticleSummary:
    """What listing an article needs, read without its text or sentence table."""

    id: str
    n_sentences: int
    added_at: str | None = None
    title: str | None = None
    byline: str | None = None
    date: str | None = None
    url: str | None = None
    source: str | None = None
    #: The first words of an untitled article (:attr:`Article.label`), kept in its metadata.
    lead: str | None = None

    @classmethod
    def of(cls, article: Article) -> ArticleSummary:
        """The summary of an article in hand."""
        return cls(
            article.id, len(article.sentences), article.added_at, article.title, article.byline,
            article.date, article.url, article.source, None if article.title else article.label,
        )

    @property
    def label(self) -> str:
        """A short human name, as :attr:`Article.label`: the title, else the first words."""
        return self.title or self.lead or self.source or self.id
