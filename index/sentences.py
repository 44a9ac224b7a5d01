"""Split an article into sentences with offsets, paragraphs and quote links.

Paragraphs are lines (news text puts one paragraph on a line); within a line,
pysbd finds the sentence boundaries. Offsets point into the text as given, so
``text[s.start:s.end] == s.text`` always holds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from index.clean import DroppedLine, line_spans
from index.models import Sentence

_OPEN_QUOTES = "\u201c"  # “
_CLOSE_QUOTES = "\u201d"  # ”
_STRAIGHT = '"'

# pysbd keeps a multi-sentence quotation as one segment; a reader (and a
# who-said question) needs its sentences apart. Split after . ! ? followed by
# whitespace and a capital, unless the word before the stop is an abbreviation.
_INNER_BOUNDARY = re.compile(r"(?<=[.!?])(?P<close>[\u201d\"’']?)\s+(?=[\u201c\"‘']?[A-Z0-9])")
_WORD_BEFORE = re.compile(r"([A-Za-z.]+)[.!?]$")


@lru_cache(maxsize=1)
def _abbreviations() -> frozenset[str]:
    from pysbd.lang.english import English

    return frozenset(English.Abbreviation.ABBREVIATIONS)


@lru_cache(maxsize=1)
def _segmenter():  # type: ignore[no-untyped-def]
    import pysbd

    return pysbd.Segmenter(language="en", clean=False)


def split_sentences(text: str, dropped: Iterable[DroppedLine] = ()) -> tuple[Sentence, ...]:
    """Return the sentences of ``text``, skipping the ``dropped`` lines.

    IDs are ``s1``, ``s2``, … in reading order. Each sentence records its
    paragraph number and, when it sits inside a quotation that closes in a
    later sentence, the ID of that closing sentence (where the speaker is
    usually named).
    """
    skip = {(d.start, d.end) for d in dropped}
    spans: list[tuple[int, int, int]] = []  # start, end, paragraph
    paragraph = 0
    for line_start, line_end in line_spans(text):
        line = text[line_start:line_end]
        if not line.strip():
            continue
        lead = len(line) - len(line.lstrip())
        if (line_start + lead, line_start + len(line.rstrip())) in skip:
            continue
        paragraph += 1
        for start, end in _segment_line(line):
            spans.append((line_start + start, line_start + end, paragraph))
    sentences = [
        Sentence(id=f"s{i}", start=s, end=e, text=text[s:e], paragraph=p)
        for i, (s, e, p) in enumerate(spans, start=1)
    ]
    return tuple(_link_quotes(sentences))


def _segment_line(line: str) -> list[tuple[int, int]]:
    """Sentence spans within one line, whitespace trimmed, covering all its text."""
    spans: list[tuple[int, int]] = []
    cursor = 0
    for segment in _segmenter().segment(line):
        piece = segment.strip()
        if not piece:
            continue
        found = line.find(piece, cursor)
        if found < 0:
            # pysbd changed the text: stop here and keep the rest of the line
            # as one sentence rather than invent offsets.
            break
        spans.extend((found + s, found + e) for s, e in _split_inner(piece))
        cursor = found + len(piece)
    tail = line[cursor:]
    if tail.strip():
        lead = len(tail) - len(tail.lstrip())
        spans.append((cursor + lead, cursor + len(tail.rstrip())))
    return spans


def _split_inner(segment: str) -> list[tuple[int, int]]:
    """Split a pysbd segment at sentence stops it left alone (inside quotes)."""
    spans = []
    start = 0
    for match in _INNER_BOUNDARY.finditer(segment):
        word = _WORD_BEFORE.search(segment[start : match.start()])
        if word and _is_abbreviation(word.group(1)):
            continue
        spans.append((start, match.start() + len(match.group("close"))))
        start = match.end()
    spans.append((start, len(segment)))
    return spans


def _is_abbreviation(word: str) -> bool:
    bare = word.lower().rstrip(".")
    # Initials ("J."), dotted acronyms ("U.S."), and pysbd's list.
    return len(bare) <= 1 or "." in bare or bare in _abbreviations()


def _link_quotes(sentences: list[Sentence]) -> list[Sentence]:
    """Point every sentence of a still-open quotation at the sentence closing it."""
    out: list[Sentence] = []
    pending: list[int] = []
    open_quote = False
    paragraph = None
    for sentence in sentences:
        if sentence.paragraph != paragraph:
            # A quote left open at a paragraph's end continues in the next
            # paragraph by news convention, but its speaker is not ours to guess.
            pending, open_quote, paragraph = [], False, sentence.paragraph
        for ch in sentence.text:
            if ch in _OPEN_QUOTES:
                open_quote = True
            elif ch in _CLOSE_QUOTES:
                open_quote = False
            elif ch == _STRAIGHT:
                open_quote = not open_quote
        out.append(sentence)
        if open_quote:
            pending.append(len(out) - 1)
        elif pending:
            for index in pending:
                out[index] = _with_close(out[index], sentence.id)
            pending = []
    return out


def _with_close(sentence: Sentence, close_id: str) -> Sentence:
    return Sentence(
        id=sentence.id,
        start=sentence.start,
        end=sentence.end,
        text=sentence.text,
        paragraph=sentence.paragraph,
        quote_close=close_id,
    )
