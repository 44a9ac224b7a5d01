"""Split an article into sentences with offsets, paragraphs and quote links.

Paragraphs are lines (news text puts one paragraph on a line); within a line,
pysbd finds the sentence boundaries. Offsets point into the text as given, so
``text[s.start:s.end] == s.text`` always holds.

pysbd's time grows with the square of the text it is given, so it never gets
more than :data:`MAX_PYSBD_CHARS` at once. A line up to that length goes to
pysbd whole, exactly as it always has (sentence IDs are forever). A longer line
is first cut into chunks of at most that length, at a sentence stop that the
whole line splits at anyway (one outside any open quotation if there is one),
else after the last whitespace, else at the limit; a line longer than
:data:`MAX_PYSBD_LINE` (not a paragraph, but a dump) skips pysbd and its chunks
are split by the stop rule alone. Every step is linear in the line's length.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache

from index.clean import DroppedLine, line_spans
from index.models import Sentence

_OPEN_QUOTES = "\u201c"  # “
_CLOSE_QUOTES = "\u201d"  # ”
_STRAIGHT = '"'

# pysbd keeps a multi-sentence quotation as one segment; a reader (and a
# who-said question) needs its sentences apart. Split after . ! ? followed by
# whitespace and a capital, unless the word before the stop is an abbreviation.
# pysbd's English rules do not know the danda (।, ॥) that ends a Hindi or Bengali
# sentence: split after it too, before a letter of those scripts (which have no
# capitals). Articles in them were refused before, so no stored sentence moves.
_INNER_BOUNDARY = re.compile(
    r"(?<=[.!?।॥])(?P<close>[\u201d\"’']?)\s+(?=[\u201c\"‘']?[A-Z0-9\u0900-\u0dff])"
)
_WORD_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.")

#: pysbd never sees more characters than this at once (~0.04 s of prose, ~0.5 s at worst).
MAX_PYSBD_CHARS = 5_000
#: Lines longer than this are split by the stop rule alone (pysbd, chunked, takes ~1 s
#: per 200,000 characters of prose and up to ten times that on pathological text).
MAX_PYSBD_LINE = 200_000
# Everything up to and including the last whitespace character (greedy, no backtracking blow-up).
_THROUGH_LAST_SPACE = re.compile(r"(?s:.*)\s")


@lru_cache(maxsize=1)
def _abbreviations() -> frozenset[str]:
    from pysbd.lang.english import English

    return frozenset(English.Abbreviation.ABBREVIATIONS)


#: Regular expressions Python keeps compiled. pysbd builds a pattern per abbreviation it meets
#: (about 2,000 distinct ones over the dev articles); past the default 512 every call compiled
#: them anew, which was 40% of splitting. The patterns, so the sentences, are unchanged.
_REGEX_CACHE = 8192


@lru_cache(maxsize=1)
def _segmenter():  # type: ignore[no-untyped-def]
    import pysbd

    re._MAXCACHE = max(re._MAXCACHE, _REGEX_CACHE)  # type: ignore[attr-defined]
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
        for start, end in _segment_any_line(line):
            spans.append((line_start + start, line_start + end, paragraph))
    sentences = [
        Sentence(id=f"s{i}", start=s, end=e, text=text[s:e], paragraph=p)
        for i, (s, e, p) in enumerate(spans, start=1)
    ]
    return tuple(_link_quotes(sentences))


def _segment_any_line(line: str) -> list[tuple[int, int]]:
    """Sentence spans within one line of any length, in time linear in its length."""
    if len(line) <= MAX_PYSBD_CHARS:
        return _segment_line(line)
    segment: Callable[[str], list[tuple[int, int]]] = (
        _segment_line if len(line) <= MAX_PYSBD_LINE else _segment_by_rule
    )
    spans: list[tuple[int, int]] = []
    for chunk_start, chunk_end in _chunks(line, MAX_PYSBD_CHARS):
        spans.extend((chunk_start + s, chunk_start + e) for s, e in segment(line[chunk_start:chunk_end]))
    return spans


def _chunks(line: str, size: int) -> list[tuple[int, int]]:
    """Cut ``line`` into chunks of at most ``size`` characters, at the safest places.

    A chunk ends, by preference, at the last sentence stop within reach that
    :func:`_split_inner` splits at in any case and that no open quotation
    spans (pysbd pairs quotation marks across the whole text it sees); else at
    the last such stop; else after the last whitespace; else at ``size``
    characters (never between a character and its combining mark). The stops
    are found in one pass, and each chunk looks at most ``size`` characters
    back, so the whole is linear in the line's length.
    """
    cuts = _stop_cuts(line)
    chunks: list[tuple[int, int]] = []
    start, index = 0, 0
    last_any = last_closed = -1
    while len(line) - start > size:
        limit = start + size
        while index < len(cuts) and cuts[index][0] <= limit:
            last_any = index
            if cuts[index][2]:
                last_closed = index
            index += 1
        chosen = next((i for i in (last_closed, last_any) if i >= 0 and cuts[i][0] > start), None)
        if chosen is not None:
            end, after = cuts[chosen][0], cuts[chosen][1]
        else:
            end = after = _fallback_cut(line, start, limit)
        chunks.append((start, end))
        start = after
    chunks.append((start, len(line)))
    return chunks


def _stop_cuts(line: str) -> list[tuple[int, int, bool]]:
    """Every place :func:`_split_inner` splits ``line``: (end, next start, quotes closed)."""
    cuts: list[tuple[int, int, bool]] = []
    start = 0
    quote_open = False
    for match in _INNER_BOUNDARY.finditer(line):
        word = _word_before(line, start, match.start() - 1)
        if word and _is_abbreviation(word):
            continue
        end = match.start() + len(match.group("close"))
        quote_open = _quote_open_after(line[start:end], quote_open)
        cuts.append((end, match.end(), not quote_open))
        start = match.end()
    return cuts


def _quote_open_after(piece: str, quote_open: bool) -> bool:
    """Whether a quotation is open after ``piece``, by :func:`_link_quotes`' rule."""
    last_curly = max(piece.rfind(_OPEN_QUOTES), piece.rfind(_CLOSE_QUOTES))
    if last_curly >= 0:
        quote_open = piece[last_curly] == _OPEN_QUOTES
    straight = piece.count(_STRAIGHT, last_curly + 1)
    return quote_open != (straight % 2 == 1)


def _fallback_cut(line: str, start: int, limit: int) -> int:
    """After the last whitespace in ``line[start:limit]``, else near ``limit``."""
    space = _THROUGH_LAST_SPACE.match(line, start, limit)
    if space:
        return space.end()
    cut = limit
    while cut > start + 1 and unicodedata.combining(line[cut]):
        cut -= 1
    return cut if cut > start + 1 else limit


def _segment_by_rule(chunk: str) -> list[tuple[int, int]]:
    """Sentence spans by the stop rule of :func:`_split_inner` alone, without pysbd."""
    body = chunk.strip()
    if not body:
        return []
    lead = len(chunk) - len(chunk.lstrip())
    return [(lead + s, lead + e) for s, e in _split_inner(body)]


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
        word = _word_before(segment, start, match.start() - 1)
        if word and _is_abbreviation(word):
            continue
        spans.append((start, match.start() + len(match.group("close"))))
        start = match.end()
    spans.append((start, len(segment)))
    return spans


def _word_before(text: str, start: int, stop: int) -> str | None:
    """The run of ASCII letters and dots right before ``text[stop]``, not before ``start``.

    What ``re.search(r"([A-Za-z.]+)[.!?]$", text[start : stop + 1])`` finds,
    without the slice and the search from every position that made that
    quadratic on a long run of abbreviations.
    """
    first = stop
    while first > start and text[first - 1] in _WORD_CHARS:
        first -= 1
    return text[first:stop] if first < stop else None


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
