"""From a PDF's lines (as :mod:`index.formats.pdf_worker` gives them) to an article's paragraphs.

A PDF has no paragraphs, only positioned lines. This module, pure Python and
testable without a PDF, removes the page furniture (running headers and
footers that repeat from page to page, page numbers), joins the lines of a
paragraph (a word hyphenated at a line's end is joined again), starts a new
paragraph at a larger gap, a jump to the next column or a change of font size,
and records where each page starts in the text. Headings (lines set larger
than the body) stay lines of their own and are returned, to be marked as
structure.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

#: A gap between lines this many times the page's usual line spacing starts a paragraph.
PARAGRAPH_GAP = 1.4
#: A line set this much larger than the body text is a heading.
HEADING_SIZE = 1.15
#: Lines among this many at the top or the bottom of a page may be furniture.
FURNITURE_LINES = 2
#: A line (digits ignored) on at least this share of the pages, at the top or bottom, is furniture.
FURNITURE_SHARE = 0.5
_PAGE_NUMBER = re.compile(
    r"^[\W_]*(?:page|p\.|seite|página|pagina)?\s*(?:\d{1,4}|[ivx]{1,5})(?:\s*(?:of|/|von|de)\s*\d{1,4})?[\W_]*$",
    re.I,
)
#: A line ending in a hyphen after a letter, the word going on on the next line.
_HYPHENATED = re.compile(r"[^\W\d_][-\u00ad\u2010\x02]$")
_SENTENCE_END = re.compile(r"[.!?…:;\"”’)\]]$")
_SPACES = re.compile(r"[ \t\u00a0]+")


@dataclass(frozen=True, slots=True)
class Line:
    """One line of a page: its text, its box (PDF points, y up) and its font size.

    ``bottom`` is where the line's first character sits, ``end_bottom`` its last: they differ when
    pdfium joined a word hyphenated across two lines (and the rest of the lower line) into this one.
    """

    text: str
    left: float
    bottom: float
    right: float
    top: float
    size: float
    end_bottom: float


@dataclass(frozen=True, slots=True)
class Layout:
    """The article a PDF's lines make: text, page start offsets and heading texts."""

    text: str
    pages: tuple[int, ...]
    headings: tuple[str, ...]


def furniture(pages: Sequence[Sequence[Line]]) -> set[tuple[int, int]]:
    """(page, line) indexes of running headers, footers and page numbers."""
    edge: list[list[int]] = []
    for lines in pages:
        order = sorted(range(len(lines)), key=lambda i: -lines[i].top)
        edge.append(sorted(set(order[:FURNITURE_LINES] + order[-FURNITURE_LINES:])))
    repeats = Counter(_shape(pages[p][i].text) for p, indexes in enumerate(edge) for i in set(indexes))
    needed = max(2, FURNITURE_SHARE * len(pages))
    out = set()
    for p, indexes in enumerate(edge):
        for i in indexes:
            text = pages[p][i].text.strip()
            if _PAGE_NUMBER.match(text) or (len(pages) > 1 and repeats[_shape(text)] >= needed):
                out.add((p, i))
    return out


def _shape(text: str) -> str:
    """A line with its numbers blanked: "Page 3 of 9" and "Page 4 of 9" are the same furniture."""
    return re.sub(r"\d+", "#", " ".join(text.split()).lower())


def lay_out(pages: Sequence[Sequence[Line]]) -> Layout:
    """The text of ``pages``' lines in their order, furniture removed, lines joined into paragraphs."""
    skip = furniture(pages)
    body = _body_size([line for lines in pages for line in lines])
    paragraphs: list[list[str]] = []  # each a list of pieces, joined below
    starts: list[tuple[int, int]] = []  # (paragraph, piece) where each page starts
    headings: list[str] = []
    kept_pages = [
        [line for i, line in enumerate(lines) if (p, i) not in skip and line.text.strip()]
        for p, lines in enumerate(pages)
    ]
    # A page with a few lines tells little about line spacing: the whole document's is used then.
    document_gap = min((_line_gap(kept) for kept in kept_pages), default=float("inf"))
    for kept in kept_pages:
        gap = _line_gap(kept) if len(kept) > 4 else document_gap
        previous: Line | None = None
        for line in kept:
            text = _SPACES.sub(" ", line.text.strip())
            heading = line.size > HEADING_SIZE * body and len(text) <= 200
            wrapped = previous is not None and heading and _heading_goes_on(previous, line)
            if previous is None:
                new = not paragraphs or heading or not _continues(paragraphs[-1], text)
            else:
                new = not wrapped and (heading or _is_heading(previous, body) or _breaks(previous, line, gap))
            if new:
                paragraphs.append([text])
            else:
                paragraphs[-1].append(text)
            if previous is None:
                starts.append((len(paragraphs) - 1, len(paragraphs[-1]) - 1))
            if wrapped:
                headings[-1] = f"{headings[-1]} {text}"
            elif heading:
                headings.append(text)
            previous = line
        if previous is None:
            starts.append((len(paragraphs), 0))  # an empty page starts where the next text does
    return _assemble(paragraphs, starts, headings)


def _assemble(paragraphs: list[list[str]], starts: list[tuple[int, int]], headings: list[str]) -> Layout:
    text_parts: list[str] = []
    offsets: dict[tuple[int, int], int] = {}
    position = 0
    for n, pieces in enumerate(paragraphs):
        if n:
            text_parts.append("\n\n")
            position += 2
        joined = ""
        for k, piece in enumerate(pieces):
            if k and _HYPHENATED.search(joined) and piece[:1].islower():
                joined = joined[:-1]  # "infra-" + "structure": the hyphen only broke the line
            elif k:
                joined += " "
            offsets[(n, k)] = position + len(joined)
            joined += piece
        text_parts.append(joined)
        position += len(joined)
    text = "".join(text_parts)
    pages = tuple(offsets.get(start, len(text)) for start in starts)
    return Layout(text=text, pages=pages, headings=tuple(dict.fromkeys(headings)))


def _continues(pieces: list[str], text: str) -> bool:
    """A page's (or column's) first line goes on with the paragraph before it when that one stopped
    mid-sentence and this line starts in lower case."""
    return not _SENTENCE_END.search(pieces[-1]) and text[:1].islower()


def _breaks(previous: Line, line: Line, gap: float) -> bool:
    """Whether ``line`` starts a new paragraph after ``previous`` on the same page."""
    if abs(line.size - previous.size) > 0.15 * max(line.size, previous.size):
        return True
    drop = previous.end_bottom - line.bottom
    if drop <= 0:  # moved up: a new column or block; a sentence cut off there goes on
        return bool(_SENTENCE_END.search(previous.text.strip())) or not line.text.strip()[:1].islower()
    return drop > PARAGRAPH_GAP * gap


def _heading_goes_on(previous: Line, line: Line) -> bool:
    """A heading's next line: the same size, right below it (a long headline wraps)."""
    return abs(previous.size - line.size) < 0.5 and 0 < previous.end_bottom - line.bottom <= 1.6 * line.size


def _is_heading(line: Line, body: float) -> bool:
    return line.size > HEADING_SIZE * body


def _line_gap(lines: Sequence[Line]) -> float:
    """The usual distance between consecutive baselines of a page's body lines."""
    drops = sorted(
        round(a.end_bottom - b.bottom, 1) for a, b in zip(lines, lines[1:], strict=False)
        if a.end_bottom > b.bottom
    )
    if not drops:
        return float("inf")
    return drops[len(drops) // 4] if len(drops) >= 4 else drops[0]


def _body_size(lines: Sequence[Line]) -> float:
    """The font size of most of the text (weighted by characters)."""
    sizes: Counter[float] = Counter()
    for line in lines:
        sizes[round(line.size, 1)] += len(line.text)
    return sizes.most_common(1)[0][0] if sizes else 0.0
