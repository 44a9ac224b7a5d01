"""Find boilerplate lines (app promos, lone bylines, share/subscribe prompts).

Cleaning never edits the text: it returns the spans of whole lines to leave
out of the sentence table, with the reason for each, so offsets into the text
the user gave stay valid and a reader can see what was dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Lines longer than this are prose, whatever words they contain.
_MAX_BOILERPLATE_CHARS = 120

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("app promo", re.compile(r"\b(get|download|install)\b.{0,40}\bapp\b", re.I)),
    ("app promo", re.compile(r"^click here\b", re.I)),
    ("byline label", re.compile(r"^(author|authors|by|advertisement|ad|sponsored)\s*:?$", re.I)),
    ("share prompt", re.compile(r"^(share|tweet|email|print)( (this|on|via)\b.*)?$", re.I)),
    ("subscribe prompt", re.compile(r"^(subscribe|sign up|join)\b.{0,80}$", re.I)),
    ("newsletter prompt", re.compile(r"\bnewsletter\b", re.I)),
    ("follow prompt", re.compile(r"^follow (us|me)\b", re.I)),
    ("related links", re.compile(r"^(related|read more|more from|recommended)\b\s*:?.{0,80}$", re.I)),
)


@dataclass(frozen=True, slots=True)
class DroppedLine:
    """A line left out of the sentence table, and why."""

    start: int
    end: int
    text: str
    reason: str


def boilerplate_reason(line: str) -> str | None:
    """Return why ``line`` is boilerplate, or ``None`` when it is content."""
    stripped = line.strip()
    if not stripped or len(stripped) > _MAX_BOILERPLATE_CHARS:
        return None
    for reason, pattern in _PATTERNS:
        if pattern.search(stripped):
            return reason
    return None


def find_boilerplate(text: str) -> tuple[DroppedLine, ...]:
    """Return the boilerplate lines of ``text`` with their offsets (whitespace trimmed)."""
    dropped = []
    for start, end in line_spans(text):
        line = text[start:end]
        reason = boilerplate_reason(line)
        if reason:
            lead = len(line) - len(line.lstrip())
            s, e = start + lead, start + len(line.rstrip())
            dropped.append(DroppedLine(s, e, text[s:e], reason))
    return tuple(dropped)


def line_spans(text: str) -> list[tuple[int, int]]:
    """Return (start, end) of every line of ``text``, without the line break."""
    spans = []
    pos = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n\u2028\u2029\x0b\x0c\x1c\x1d\x1e\x85")
        spans.append((pos, pos + len(body)))
        pos += len(line)
    return spans
