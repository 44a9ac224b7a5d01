"""Read an article from a file, a URL or pasted text into a :class:`RawArticle`.

HTML goes through trafilatura's main-text extraction; everything else is
kept exactly as given. Every failure is an :class:`~index.errors.InputError`
whose message says what was wrong and what to do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from index.errors import FetchError, InputError

#: Larger inputs are refused: a news article is tens of kilobytes.
MAX_BYTES = 5_000_000
_HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
_TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text", ""}
_FETCH_TIMEOUT_S = 20.0


@dataclass(frozen=True, slots=True)
class RawArticle:
    """Text as given (after HTML extraction) and the metadata found with it."""

    text: str
    source: str
    title: str | None = None
    byline: str | None = None
    date: str | None = None
    url: str | None = None


def is_url(source: str) -> bool:
    """True when ``source`` looks like a URL (has a scheme), whatever the scheme."""
    return bool(re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", source))


def read_source(source: str | Path) -> RawArticle:
    """Read a path or an http(s) URL."""
    if isinstance(source, str) and is_url(source):
        return read_url(source)
    return read_file(Path(source))


def read_text(text: str, title: str | None = None, source: str = "pasted text") -> RawArticle:
    """Wrap pasted text (or stdin) as an article, checking it has content."""
    _check_text(text, source)
    return RawArticle(text=text, source=source, title=title or _markdown_title(text))


def read_file(path: Path) -> RawArticle:
    """Read a .txt, .md or .html file."""
    if not path.exists():
        raise InputError(f"{path}: no such file. Check the path, or give an http(s) URL.")
    if path.is_dir():
        raise InputError(f"{path} is a folder. Give one article file (.txt, .md or .html).")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise InputError(
            f"{path} is {size / 1e6:.1f} MB, larger than the {MAX_BYTES / 1e6:.0f} MB limit "
            "for one article. Split it or give the article's own page."
        )
    data = path.read_bytes()
    text = _decode(data, str(path))
    suffix = path.suffix.lower()
    if suffix in _HTML_SUFFIXES or (suffix not in _TEXT_SUFFIXES and _looks_like_html(text)):
        return _from_html(text, source=str(path), url=None)
    _check_text(text, str(path))
    return RawArticle(text=text, source=str(path), title=_markdown_title(text))


def read_url(url: str) -> RawArticle:
    """Fetch an http(s) URL and extract its main text."""
    scheme = urlparse(url).scheme.lower()
    if scheme not in {"http", "https"}:
        raise InputError(f"{url}: only http and https URLs can be added, not {scheme}://.")
    import httpx

    try:
        with httpx.Client(follow_redirects=True, timeout=_FETCH_TIMEOUT_S) as client:
            response = client.get(url, headers={"User-Agent": "article-assistant/0.1"})
    except httpx.HTTPError as e:
        raise FetchError(
            f"Could not fetch {url}: {e.__class__.__name__}: {e}. "
            "Check the address and your connection, or save the page and add the file."
        ) from e
    if response.status_code >= 400:
        raise FetchError(
            f"Could not fetch {url}: the server answered HTTP {response.status_code}. "
            "Check the address, or save the page and add the file."
        )
    if len(response.content) > MAX_BYTES:
        raise InputError(f"{url} is larger than {MAX_BYTES / 1e6:.0f} MB; that is not one article.")
    text = _decode(response.content, url)
    content_type = response.headers.get("content-type", "")
    if "html" in content_type or _looks_like_html(text):
        return _from_html(text, source=url, url=str(response.url))
    _check_text(text, url)
    return RawArticle(text=text, source=url, url=str(response.url))


def _from_html(html: str, source: str, url: str | None) -> RawArticle:
    import trafilatura

    doc = trafilatura.bare_extraction(html, with_metadata=True, favor_precision=True, url=url)
    text = getattr(doc, "text", None) or ""
    if not text.strip():
        raise InputError(
            f"{source}: found no article text in this HTML page. "
            "Give the article's own page, or paste its text."
        )
    return RawArticle(
        text=text,
        source=source,
        title=getattr(doc, "title", None),
        byline=getattr(doc, "author", None),
        date=getattr(doc, "date", None),
        url=url or getattr(doc, "url", None),
    )


def _decode(data: bytes, source: str) -> str:
    if b"\x00" in data[:8192]:
        raise InputError(
            f"{source} looks like a binary file, not text. Give a .txt, .md or .html article, or a URL."
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError(
            f"{source} is not UTF-8 text (byte {e.start} cannot be decoded). "
            "Save it as UTF-8, or give a .txt, .md or .html article."
        ) from e


def _check_text(text: str, source: str) -> None:
    if not text.strip():
        raise InputError(f"{source} is empty. Give an article with some text in it.")


def _looks_like_html(text: str) -> bool:
    head = text.lstrip()[:500].lower()
    return head.startswith("<!doctype html") or "<html" in head


def _markdown_title(text: str) -> str | None:
    first = text.lstrip().split("\n", 1)[0]
    return first[2:].strip() or None if first.startswith("# ") else None
