"""Pull the short answer (a name, date, number or place) out of an evidence sentence.

Candidates of the expected type are found with patterns; the one that is not
already in the question and sits nearest the question's words in the
sentence wins. The answer is always a span of the sentence, never new text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from assistant.analysis.lexicon import SPAN_NAME
from assistant.analysis.questions import Question
from assistant.analysis.text import STOPWORDS, terms, words

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_DAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_DATE = re.compile(
    rf"\b(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?|\d{{1,2}}\s+{_MONTH}(?:\s+\d{{4}})?|"
    rf"{_MONTH}\s+\d{{4}}|(?:(?:early|late|mid-?)\s+)?{_MONTH}(?=[\s,.;])|{_DAY}(?:\s+(?:night|morning|afternoon|evening))?|"
    r"(?:the\s+)?(?:19|20)\d0s|(?:19|20)\d\d|(?:last|next|this)\s+(?:week|month|year|spring|summer|fall|"
    r"autumn|winter|season)|yesterday|today|tonight|(?:\d+|\w+)\s+(?:years?|months?|weeks?|days?)\s+(?:ago|later|"
    r"earlier|before|after))\b"
)
_NUMBER_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    r"sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|"
    r"hundred|hundreds|thousand|thousands|dozen|dozens|half|million|millions|billion|billions"
)
_NUMBER = re.compile(
    rf"(?:\$|£|€)?\b(?:\d[\d,]*(?:\.\d+)?|(?:{_NUMBER_WORDS})(?:[\s-](?:{_NUMBER_WORDS}))*)"
    r"(?:\s*(?:%|percent|per cent|million|billion|trillion|thousand|hundred))?(?:\b|(?<=%))",
    re.I,
)
_NAME = SPAN_NAME
_HOW_OLD = re.compile(r"\bhow\s+old\b", re.I)
_AGE = re.compile(
    r"(?:(?<=, )|(?<=\())(\d{1,3})(?=[,)])|\b(\d{1,3})(?=[- ]years?[- ]old)|\bage[ds]?\s+(\d{1,3})\b"
)
_NAME_KINDS = frozenset({"person", "place", "choice"})
_REPORTED = re.compile(r"\b(report\w*|according|source)\b", re.I)
_ACCORDING = re.compile(r"\baccording to\s+(?=[A-Z])|\b(?:reported|told)\s+(?=[A-Z])")
_PLACE_LEAD = re.compile(r"\b(?:in|at|from|near|to|into|outside|inside)\s+$")


def has_answer_type(question: Question, sentence: str) -> bool:
    """Whether ``sentence`` holds any candidate of the type ``question`` asks for."""
    return next(_candidates(question, sentence), None) is not None


def extract(question: Question, sentence: str) -> str | None:
    """The short answer to ``question`` in ``sentence``, or None."""
    asked = set(terms(question.text)) | set(words(question.text))
    anchors = _anchor_positions(sentence, asked)
    if _REPORTED.search(question.text):
        # "Which network reported…": the outlet is the one the sentence attributes to.
        anchors += [m.end() for m in _ACCORDING.finditer(sentence)]
    best: tuple[float, str] | None = None
    for start, end, text in _candidates(question, sentence):
        own = [w for w in words(text) if w not in STOPWORDS]
        known = [w in asked or t in asked for w, t in zip(own, terms(" ".join(own)), strict=False)]
        # The question already says it (for names, even in part: "John Kirby" for "Kirby's").
        if own and (any(known) if question.kind in _NAME_KINDS else all(known)):
            continue
        distance = min((abs(a - (start + end) / 2) for a in anchors), default=len(sentence))
        cost = distance / max(len(sentence), 1)
        if best is None or cost < best[0]:
            best = (cost, text)
    return best[1] if best else None


def _candidates(question: Question, sentence: str) -> Iterator[tuple[int, int, str]]:
    if question.kind == "date":
        yield from _matches(_DATE, sentence)
    elif question.kind == "number" and _HOW_OLD.search(question.text):
        # News gives ages as "Decker, 23," or "a 75-year-old": other numbers are not ages.
        for m in _AGE.finditer(sentence):
            group = m.lastindex or 0
            yield m.start(group), m.end(group), m.group(group)
    elif question.kind == "number":
        yield from (m for m in _matches(_NUMBER, sentence) if not _is_year_only(m[2]))
    elif question.kind == "place":
        places = [m for m in _names(sentence) if _PLACE_LEAD.search(sentence[: m[0]])]
        yield from places or _names(sentence)
    elif question.kind in {"person", "choice"}:
        yield from _names(sentence)


def _matches(pattern: re.Pattern[str], sentence: str) -> Iterator[tuple[int, int, str]]:
    for m in pattern.finditer(sentence):
        text = m.group().strip()
        if text:
            yield m.start(), m.end(), text


#: A dateline ("PHILADELPHIA — ", "WASHINGTON -- ") places the reporter, not the story's facts.
_DATELINE = re.compile(r"^\s*(?:\(?[A-Z][A-Z .,'’]+\)?)\s*(?:—|–|--|-)\s*")


def _names(sentence: str) -> list[tuple[int, int, str]]:
    """Capitalised word runs, minus a sentence-initial function word ("But", "The") and a dateline."""
    out = []
    dateline = _DATELINE.match(sentence)
    for start, _end, text in _matches(_NAME, sentence):
        if dateline and start < dateline.end():
            continue
        parts = text.split()
        while parts and parts[0].lower().strip(".") in STOPWORDS:
            start += len(parts[0]) + 1
            parts = parts[1:]
        while parts and parts[-1].lower() in {"of", "the", "and", "&", "de", "la", "al"}:
            parts = parts[:-1]
        opener = start == len(sentence) - len(sentence.lstrip())
        if len(parts) == 1 and opener and sentence[start + len(parts[0]) :][:1] == ",":
            continue  # "Additionally, …": a capitalised opener, not a name
        if parts and not _TIME_WORD.fullmatch(parts[0].rstrip(".,")):
            name = re.sub(r"[’']s$", "", " ".join(parts).rstrip(".,"))  # "Mrs. Clinton’s" names Mrs. Clinton
            out.append((start, start + len(name), name))
    return out


# Capitalised time words ("Thursday", "Last week", "January") are not names of people or places.
_TIME_WORD = re.compile(rf"{_DAY}|{_MONTH}|Last|Next|This|Earlier|Later", re.I)


def _is_year_only(text: str) -> bool:
    return bool(re.fullmatch(r"(?:19|20)\d\d", text))


def _anchor_positions(sentence: str, asked: set[str]) -> list[int]:
    """Character positions of the question's words in the sentence."""
    out = []
    for m in re.finditer(r"[A-Za-z0-9]+", sentence):
        w = m.group().lower()
        if w in STOPWORDS:
            continue
        if w in asked or (terms(w) and terms(w)[0] in asked):
            out.append(m.start())
    return out
