"""Plain text: kept exactly as given (sentence IDs of text articles never change).

The first lines give the metadata, and only the metadata: a headline-like
first line is the title, a "By …" line the byline, a date line the date
(:mod:`index.structure` marks those lines as structure, so they are never
cited as evidence).
"""

from __future__ import annotations

from index.decoding import check_characters, decode
from index.formats.contract import ReadLimits
from index.models import RawArticle
from index.structure import headline, text_metadata


def plain_article(text: str, source: str, title: str | None = None, url: str | None = None) -> RawArticle:
    """Plain text with the title, byline and date its first lines give (metadata only)."""
    found = text_metadata(text, title or headline(text))
    return RawArticle(text=text, source=source, title=found.title, byline=found.byline, date=found.date,
                      url=url)


class TextReader:
    """Reads plain text in any common encoding."""

    kind = "text"

    def read(
        self, data: bytes, source: str, limits: ReadLimits, url: str | None = None, charset: str | None = None
    ) -> RawArticle:
        text = check_characters(decode(data, source, charset=charset), source)
        return plain_article(text, source, url=url)
