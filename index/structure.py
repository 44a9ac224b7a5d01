"""Structure is not evidence: find the headline, byline, dateline, headings and captions.

A headline names the topic in the words a question uses, so it wins retrieval
and gets cited instead of the body sentence that states the fact. These lines
stay in the text and in the sentence table (offsets and sentence IDs never
change); :func:`structural_ids` marks the sentences that lie on them, and the
read path leaves marked sentences out of retrieval hits and citations.
:func:`text_metadata` reads the title, byline and date of plain text and
markdown from the same lines.

Only whole lines are structure: a dateline that opens a body sentence
("RIVERTON — The council voted …") stays part of that sentence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from index.clean import line_spans
from index.models import Sentence

_MONTHS = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
#: "March 14, 2024", "14 March 2024", "2024-03-14", "3/14/2024".
_DATE = (
    rf"(?:{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{1,2}}\s+{_MONTHS},?\s+\d{{4}}"
    r"|\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{4})"
)
_WEEKDAY = r"(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+)"
_TIME = r"(?:\d{1,2}(?::\d{2})?\s*(?:[ap]\.?m\.?|AM|PM)(?:\s+[A-Z]{2,4})?)"
#: A line that is only a date, perhaps labelled and timed: "Updated: 3:45 PM EST, March 14, 2024".
_DATE_LINE = re.compile(
    rf"^(?:(?:published|updated|posted|last updated)\s*(?:on|at)?:?\s*)?(?:{_TIME},?\s*)?"
    rf"{_WEEKDAY}?{_DATE}(?:,?\s*(?:at\s+)?{_TIME})?$",
    re.I,
)
_DATE_IN = re.compile(_DATE, re.I)
#: "By Dana Whitfield", "By Dana Whitfield and Lee Park | March 14, 2024", "Story by …".
_BYLINE = re.compile(
    r"^(?i:(?:story|words|reporting|written)\s+)?(?i:by)\s+(?P<who>[A-Z][\w’'.-]*(?:(?:\s+|,\s*)"
    r"(?:(?i:and)\s+|&\s+)?[A-Z][\w’'.-]*){0,8})"
    # What may follow the names: a separator and anything, or a comma and a date or a title
    # ("By Tuesday, the council …" is prose).
    rf"(?P<rest>\s*[|•·—–]\s*.*|,\s*{_DATE}.*|,\s*[A-Z][\w’'.-]*(?:\s+[A-Z][\w’'.-]*)*)?$"
)
#: "Photo: …", "(Photo by …)", "Image credit: …": captions and credits.
_CAPTION = re.compile(
    r"^\(?(?:photo|image|picture|video|caption|credit|illustration|graphic)s?\b[^:]{0,30}[:)]", re.I
)
#: A line that ends in a photo credit: "Commuters wait at the terminal. (Photo: Lee Tan/Courier)".
_CREDIT_END = re.compile(r"\((?:AP\s+|Reuters\s+)?(?:photo|image|picture|credit)s?\b[^()]{0,80}\)\s*$", re.I)
#: A standalone dateline: "WASHINGTON (AP) —", "RIVERTON, Ohio —".
_DATELINE = re.compile(r"^[A-Z][A-Z .'-]+(?:,\s*[A-Z][\w.]*)*(?:\s*\([\w .]+\))?\s*[—–-]+$")
_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+\S")
#: A live blog entry's heading: a time, a dash and a few words that are no sentence
#: ("9:05 p.m. — Crews repair the main"); "9:05 p.m. — Crews repaired the main." is the entry's news.
_ENTRY_HEADING = re.compile(
    r"^\W{0,3}\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?|AM|PM)?(?:\s+[A-Z]{2,4})?\s*[—–-]\s+(?:\S+\s+){0,11}\S*[^\s.!?\"”’]$"
)
#: A line wrapped in emphasis, "*…*", "_…_" or "**…**": captions, notes and bold headings.
_EMPHASIS_LINE = re.compile(r"^(\*{1,3}|_{1,3})[^*_].*?\1$")
_RULE = re.compile(r"^[-*_=~#\s]{3,}$")
#: A markdown image, perhaps linked: "![The bridge](bridge.jpg)".
_IMAGE = re.compile(r"^\[?!\[[^\]]*\]\([^)]*\)(?:\]\([^)]*\))?$")
#: Section headings in plain text: a short line of its own with no sentence punctuation.
_HEADING_MAX_WORDS = 9
_HEADING_MAX_CHARS = 70


@dataclass(frozen=True, slots=True)
class TextMetadata:
    """What the structure lines of a plain-text article say: its title, byline and date."""

    title: str | None = None
    byline: str | None = None
    date: str | None = None


def line_kind(line: str, title: str | None = None, headings: frozenset[str] = frozenset()) -> str | None:
    """What structure ``line`` is ('title', 'byline', 'date', 'dateline', 'heading', 'caption',
    'markup'), or None when it is prose. ``headings``: lines the markup calls headings or
    captions (normalised by :func:`plain`)."""
    text = line.strip()
    if not text:
        return None
    if title and plain(text) == plain(title):
        return "title"
    if _MARKDOWN_HEADING.match(text) or plain(text) in headings or _ENTRY_HEADING.match(text):
        return "heading"
    if _RULE.match(text) or _IMAGE.match(text):
        return "markup"
    inner = _unwrapped(text)
    if _BYLINE.match(inner) and len(inner) <= 160:
        return "byline"
    if _DATE_LINE.match(inner):
        return "date"
    if _credit_and_date(inner):
        return "byline"
    if _DATELINE.match(text):
        return "dateline"
    if _CAPTION.match(inner) or _CREDIT_END.search(inner):
        return "caption"
    if _EMPHASIS_LINE.match(text):
        return "caption"  # "*The bridge in 2019.*": a caption or an editor's note
    return None


#: The parts of a credit line: "Staff reports | Last updated …", "Reuters • March 14, 2024".
_SEPARATORS = re.compile(r"\s+[|•·]\s+")
#: Most words the credit part of such a line has ("From staff and wire reports").
_CREDIT_WORDS = 6


def _credit_and_date(line: str) -> bool:
    """A line of separated parts, one a date line and the others short credits with no sentence
    punctuation ("Staff reports | Last updated September 19, 2024, 11:58 p.m."): a byline that
    names no person, so :data:`_BYLINE` ("By …") does not see it."""
    parts = _SEPARATORS.split(line)
    if len(parts) < 2 or len(line) > 160:
        return False
    dated = [p for p in parts if _DATE_LINE.match(p.strip())]
    credits = [p for p in parts if p not in dated]
    if len(dated) == len(parts):
        return True  # "Published 7:10 a.m. ET Aug. 14, 2025 | Updated 9:45 a.m. ET Aug. 14, 2025"
    return len(dated) == 1 and all(
        0 < len(p.split()) <= _CREDIT_WORDS and not re.search(r"[.!?;:]$", p.strip()) for p in credits
    )


def structural_ids(
    text: str, sentences: Sequence[Sentence], title: str | None = None, headings: Sequence[str] = ()
) -> frozenset[str]:
    """IDs of the sentences that lie wholly on structure lines of ``text`` (see :func:`line_kind`),
    plus short heading lines standing as paragraphs of their own between prose."""
    spans = [s for s in line_spans(text) if text[s[0] : s[1]].strip()]
    known = frozenset(plain(h) for h in headings)
    marked = [
        (start, end)
        for i, (start, end) in enumerate(spans)
        if line_kind(text[start:end], title, known) or _section_heading(text, spans, i)
    ]
    if not marked:
        return frozenset()
    out = set()
    for sentence in sentences:
        if any(start <= sentence.start and sentence.end <= end for start, end in marked):
            out.add(sentence.id)
    return frozenset(out)


def _section_heading(text: str, spans: Sequence[tuple[int, int]], i: int) -> bool:
    """A short unpunctuated line set off by blank lines, with prose after it ("Funding", "What's next")."""
    start, end = spans[i]
    line = text[start:end].strip()
    if i == len(spans) - 1 or len(line) > _HEADING_MAX_CHARS or len(line.split()) > _HEADING_MAX_WORDS:
        return False
    if line[-1] in ".,;:!?…\"”’)" or not line[0].isalnum() or line[0].islower():
        return False
    before = text[spans[i - 1][1] : start] if i else "\n\n"
    after = text[end : spans[i + 1][0]]
    return before.count("\n") >= 2 and after.count("\n") >= 2 and i > 0


def text_metadata(text: str, title: str | None) -> TextMetadata:
    """The byline and date that a plain-text article's first lines give (the title as given)."""
    byline = date = None
    for start, end in line_spans(text)[:8]:
        line = _unwrapped(text[start:end].strip())
        by = _BYLINE.match(line)
        if by and byline is None and len(line) <= 160:
            byline = by.group("who").strip(" ,")
            found = _DATE_IN.search(by.group("rest") or "")
            date = date or (found.group() if found else None)
        elif _DATE_LINE.match(line) and date is None:
            found = _DATE_IN.search(line)
            date = found.group() if found else None
    return TextMetadata(title, byline, date)


def _unwrapped(line: str) -> str:
    """``line`` without wrapping emphasis or a list bullet ("*By Dana Whitfield*" → "By …")."""
    return line.strip().strip("*_").lstrip("-•").strip()


def plain(text: str) -> str:
    """``text`` compared as a heading: no markdown marks or emphasis, whitespace collapsed, lower case."""
    return " ".join(re.sub(r"^#+\s*", "", text.strip()).strip("*_ ").split()).lower()


def _markdown_title(text: str) -> str | None:
    first = text.lstrip().split("\n", 1)[0]
    return first[2:].strip() or None if first.startswith("# ") else None


#: A first line this short, not ending like a sentence, and followed by more text, is a headline.
_HEADLINE_MAX_CHARS = 120
_HEADLINE_MAX_WORDS = 20


def headline(text: str) -> str | None:
    """The title of plain text: a ``# Markdown`` heading, else a headline-like first line.

    Only metadata: the text, its sentences and their IDs are the same either way.
    """
    markdown = _markdown_title(text)
    if markdown:
        return markdown
    first, sep, rest = text.lstrip().partition("\n")
    first = first.strip()
    if not sep or not rest.strip() or not first:
        return None
    if len(first) > _HEADLINE_MAX_CHARS or len(first.split()) > _HEADLINE_MAX_WORDS:
        return None
    if first[-1] in ".,;:!…" or first[0] in "\"“‘'(-–—*•" or not first[0].isalnum():
        return None
    return first
