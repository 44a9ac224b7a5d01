"""Tokenising for lexical matching: lowercase words, stopwords out, Snowball stems."""

from __future__ import annotations

import re
from functools import lru_cache

_WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?")

STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    few for from further had has have having he her here hers herself him himself his how
    i if in into is it its itself just me more most my myself no nor not now of off on
    once only or other our ours ourselves out over own same she should so some such than
    that the their theirs them themselves then there these they this those through to too
    under until up very was we were what when where which while who whom why will with
    would you your yours yourself yourselves also according article said say says did
    does do s t""".split()
)


@lru_cache(maxsize=1)
def _stemmer():  # type: ignore[no-untyped-def]
    import snowballstemmer

    return snowballstemmer.stemmer("english")


def words(text: str) -> list[str]:
    """Lowercased word tokens, possessive endings dropped."""
    out = []
    for match in _WORD.finditer(text):
        word = match.group().lower()
        if word.endswith(("'s", "’s")):  # a per-word re.sub was a quarter of an answer's time
            word = word[:-2]
        out.append(word)
    return out


def terms(text: str) -> list[str]:
    """Stemmed content terms: what BM25 and term coverage compare."""
    return list(_terms(text))


@lru_cache(maxsize=8192)
def _terms(text: str) -> tuple[str, ...]:
    # The answerer looks at the same sentences many times per question.
    return tuple(_stem(w) for w in words(text) if w not in STOPWORDS)


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    # Snowball in pure Python costs ~20 us a word and words repeat: the memo takes tokenising
    # the 55 dev articles from 0.66 to 0.28 s CPU (cold), the same stems.
    return str(_stemmer().stemWord(word))


_HEADING = re.compile(r"^\s*#{1,6}\s")


def is_heading(text: str) -> bool:
    """A markdown heading line ("# Title"): a title, not evidence to cite."""
    return bool(_HEADING.match(text))


#: A headline run into the sentence that follows it ("TITANS 42, JAGUARS 39 Tennessee ended …"):
#: a run of capitals-only words, numbers and marks before the first word in sentence case.
_CAPS_RUN = re.compile(r"^\s*(?:(?:[A-Z][A-Z.'’&-]*|\d[\d.,:-]*|[,:;|—–-])\s+)+(?=[A-Z][a-z])")
_CAPS_WORD = re.compile(r"\b[A-Z][A-Z'’&-]{2,}\b")


def headline_run(text: str) -> int:
    """How many leading characters of ``text`` are a headline or dateline in capitals run into it,
    0 when none. A run counts when it holds two words in capitals of three letters or more and a
    number or a mark ("TITANS 42, JAGUARS 39 …", "NEW YORK — …"), or four such words: "NASA CEO
    Bill Nelson said" keeps its agency."""
    match = _CAPS_RUN.match(text)
    if match is None:
        return 0
    run = match.group()
    caps = len(_CAPS_WORD.findall(run))
    marked = bool(re.search(r"\d|[,:;|—–-]", run))
    return match.end() if caps >= 4 or (caps >= 2 and marked) else 0


def body_text(text: str) -> str:
    """``text`` without a headline run into it (:func:`headline_run`): what a short answer is read from."""
    return text[headline_run(text) :]
