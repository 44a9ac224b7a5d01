"""HTML: the page's main text and metadata, extracted by trafilatura (:func:`index.extract.extract_html`)."""

from __future__ import annotations

from index.decoding import check_characters, decode
from index.extract import extract_html
from index.formats.contract import ReadLimits
from index.models import RawArticle


class HtmlReader:
    """Reads a web page (a saved file or a fetched URL)."""

    kind = "html"

    def read(
        self, data: bytes, source: str, limits: ReadLimits, url: str | None = None, charset: str | None = None
    ) -> RawArticle:
        text = check_characters(decode(data, source, charset=charset), source)
        return extract_html(text, source=source, url=url)
