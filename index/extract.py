"""Find the article in what was read: HTML main text, and a check that it is prose.

:func:`extract_html` runs trafilatura's main-text extraction. :func:`check_article`
refuses text that is readable but is not an article: PDF syntax, JSON, an XML
feed, CSS or JavaScript, base64 data, or a page with almost no sentences (a
login or index page). It never edits the text.

The thresholds are module constants so they can be read and tuned in one
place. They were set against the seed article and the 55 dev articles
(``evals/data/dev.jsonl``): the smallest of those has 192 words in sentences
(:func:`prose_words`), and every one has at least 91% letters among its
non-space characters, at most 1.2% code punctuation and at most 0.8% of its
characters in over-long tokens. Short real items must pass too: two
sentences of 12 words (the web tests' articles) have 12 words of prose.
"""

from __future__ import annotations

import json
import re
import unicodedata

from index.clean import boilerplate_reason
from index.errors import NotAnArticleError
from index.models import RawArticle

#: Fewer words than this in sentence-like lines is not an article ("Home Log in",
#: "Sign in to continue." has 4). Low enough for a two-sentence item of 12 words.
MIN_PROSE_WORDS = 10
#: A line (or a wrapped paragraph) counts as a sentence with at least this many words
#: and sentence-ending punctuation; shorter ones are menu items and form labels.
MIN_SENTENCE_WORDS = 4
#: Lines at least this long that do not end a sentence are taken as hard-wrapped
#: and joined to the next line; shorter ones (menu items) stand alone.
WRAPPED_LINE_CHARS = 40
#: Text with fewer letters than this among its non-space characters is data, not prose.
MIN_LETTER_SHARE = 0.6
#: Text with more code punctuation (``{}[]<>=;|\\$#@*^~```) than this is code or markup.
MAX_CODE_CHAR_SHARE = 0.08
#: Text with more of its non-space characters in tokens longer than
#: :data:`MAX_WORD_CHARS` than this share is base64 data or minified code.
MAX_LONG_TOKEN_SHARE = 0.3
MAX_WORD_CHARS = 30

_CODE_CHARS = frozenset("{}[]<>=;|\\$#@*^~`")
_SENTENCE_END = re.compile(r"[.!?…。！？।॥][\"'”’»)\]]*$")
#: A run of text up to and including its sentence stop (and closing quotes or brackets);
#: the danda (।) ends sentences in Hindi, Bengali and other Indic scripts.
_SENTENCE = re.compile(r"[^.!?…。！？।॥]+[.!?…。！？।॥]+[\"'”’»)\]]*")
#: A word: letters, maybe joined by an apostrophe, a dot or a hyphen ("don't", "U.S.").
_WORD = re.compile(r"[^\W\d_]+(?:['’.-][^\W\d_]+)*")
#: Scripts written without spaces: each character is counted as a word.
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
#: How JSON starts and prose does not: ``{"key"`` or ``[{``, ``[[``, ``["`` (caught even when truncated).
_JSON_START = re.compile(r'(\{\s*"|\[\s*[\[{"])')
#: A long token of the alphabets encoded data is written in (base64, hex, URL-safe base64):
#: a URL or a quoted HTML attribute has other punctuation and is not one.
_ENCODED = re.compile(r"[A-Za-z0-9+/=_%.-]+")
_FEED = re.compile(r"<(\?xml|rss|feed|rdf:RDF|urlset|sitemapindex)\b")


def extract_html(html: str, source: str, url: str | None) -> RawArticle:
    """Extract the main text and metadata of an HTML page with trafilatura."""
    import trafilatura

    doc = trafilatura.bare_extraction(html, with_metadata=True, favor_precision=True, url=url)
    text = getattr(doc, "text", None) or ""
    if not text.strip():
        raise NotAnArticleError(
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
        headings=heading_texts(html),
    )


#: Elements whose text is structure, not evidence: headings and captions.
_STRUCTURE_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6", "figcaption", "caption")
_MAX_HEADING_CHARS = 300


def heading_texts(html: str) -> tuple[str, ...]:
    """The texts of a page's headings and captions (whitespace collapsed): the extracted text keeps
    them as lines of their own, which :func:`index.structure.structural_ids` then marks."""
    import lxml.html
    from lxml.etree import ParserError

    try:
        root = lxml.html.fromstring(html)
    except (ParserError, ValueError):
        return ()
    found = []
    for element in root.iter(*_STRUCTURE_TAGS):
        text = " ".join(element.text_content().split())
        if text and len(text) <= _MAX_HEADING_CHARS:
            found.append(text)
    return tuple(dict.fromkeys(found))


def check_article(text: str, source: str) -> None:
    """Raise :class:`NotAnArticleError` unless ``text`` looks like an article's prose."""
    if not text.strip():
        raise NotAnArticleError(f"{source} is empty. Give an article with some text in it.")
    kind = not_prose_kind(text)
    if kind:
        raise NotAnArticleError(
            f"{source} doesn't look like an article: it looks like {kind}. "
            "Give the article's own page, or paste its text."
        )
    lines = [line for line in text.splitlines() if line.strip()]
    if all(boilerplate_reason(line) for line in lines):
        raise NotAnArticleError(
            f"{source} has only boilerplate (app promos, share prompts, bylines); "
            "nothing to add. Give the article's full text."
        )
    words = prose_words(text)
    if words < MIN_PROSE_WORDS:
        raise NotAnArticleError(
            f"{source} doesn't look like an article: it has only {words} "
            f"word{'s' if words != 1 else ''} of prose (a login or index page?). "
            "Give the article's own page, or paste its text."
        )


def not_prose_kind(text: str) -> str | None:
    """Name what ``text`` is when a signature or a ratio shows it is not prose."""
    head = text.lstrip()[:200]
    if head.startswith("%PDF-"):
        return "a PDF file's internal syntax (save the article's text from the PDF viewer)"
    if _FEED.match(head):
        return "an XML document or a news feed (give one article's page, not the feed)"
    if _JSON_START.match(head) or (head[:1] in ("{", "[") and _is_json(text)):
        return "JSON data, not an article's text"
    chars = [c for c in text if not c.isspace()]
    if sum(c in _CODE_CHARS for c in chars) > MAX_CODE_CHAR_SHARE * len(chars):
        return "code or markup (CSS, JavaScript or JSON)"
    if sum(_is_letter(c) for c in chars) < MIN_LETTER_SHARE * len(chars):
        return "data (mostly digits and symbols)"
    long_chars = sum(len(t) for t in text.split() if len(t) > MAX_WORD_CHARS and _ENCODED.fullmatch(t))
    if long_chars > MAX_LONG_TOKEN_SHARE * len(chars):
        return "encoded data (long unbroken strings, such as base64)"
    return None


def _is_letter(char: str) -> bool:
    """A letter, or a vowel sign or other combining mark (``isalpha`` is False for Devanagari's)."""
    return char.isalpha() or unicodedata.category(char) in ("Mn", "Mc")


def prose_words(text: str) -> int:
    """Count the words in sentence-like lines, leaving out boilerplate lines.

    Short lines that do not end a sentence stand alone (menu items, form
    labels); long ones are joined to the next line, so hard-wrapped paragraphs
    count. Within a unit, each finished sentence of at least
    :data:`MIN_SENTENCE_WORDS` words counts.
    """
    total = 0
    for unit in _units(text):
        # Each sentence of a unit counts on its own, so a long paragraph whose last
        # sentence is cut off (or ends in a link) still counts its finished sentences.
        for sentence in _SENTENCE.findall(unit):
            words = _count_words(sentence)
            if words >= MIN_SENTENCE_WORDS:
                total += words
    return total


def _units(text: str) -> list[str]:
    units: list[str] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or boilerplate_reason(line):
            if pending:
                units.append(pending)
            pending = ""
            continue
        pending = f"{pending} {line}" if pending else line
        if _SENTENCE_END.search(line) or len(line) < WRAPPED_LINE_CHARS:
            units.append(pending)
            pending = ""
    if pending:
        units.append(pending)
    return units


def _count_words(unit: str) -> int:
    return len(_WORD.findall(_CJK.sub(" ", unit))) + len(_CJK.findall(unit))


def _is_json(text: str) -> bool:
    try:
        return isinstance(json.loads(text), (dict, list))
    except ValueError:
        return False
