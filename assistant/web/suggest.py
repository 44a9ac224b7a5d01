"""Suggested questions made from an article itself: its people, their roles, its numbers.

An empty chat offers a few questions a reader could ask about the article in view. They
come from its own sentences, found by the attribution patterns the answerer uses
(:func:`assistant.analysis.attribution.speaker_in`) and by numbers followed by what they
count, so every suggestion names something the article has:

- "What did Oleksandr Syrskyi say?" for a quoted speaker (the quote index answers it);
- "Who is John Kirby?" for a speaker given a role ("John Kirby, the National Security
  Council's coordinator …");
- "Cluster munitions have been banned in how many countries?" for a sentence opening with a
  counted number ("… in over 100 countries").

No model and no parse: regular expressions over the stored sentences, a few milliseconds
for a long article.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from assistant.analysis.attribution import speaker_in
from index.models import Article

_CAPITALISED = re.compile(r"^[A-Z][\w'’.-]*$")
_LEADING = re.compile(r"^(?:by|according to)\s+", re.I)
#: "over 100 countries", "1,200 people", "about 3 million residents": a number and what it counts.
_COUNTED = re.compile(
    r"\b(?P<qual>(?:more than|over|about|nearly|almost|at least|some|around|up to)\s+)?"
    r"(?P<n>\d[\d,.]*(?:\s+(?:million|billion|thousand))?)\s+(?P<noun>[a-z]{3,}s)\b"
)
#: Words ending in "s" after a number that are not what it counts ("plan 4 was approved").
_NOT_COUNTED = frozenset("was has does this its his is as thus yes plus minus times percent".split())
_QUOTES = re.compile(r"[\"“”‘’]")
#: Longest opening of a sentence turned into a "how many" question, in words.
_MAX_WORDS = 16


def suggest(articles: Iterable[Article], limit: int) -> tuple[str, ...]:
    """Up to ``limit`` questions about ``articles`` (the first article's first), without repeats."""
    found: list[str] = []
    per_article = [_questions(a) for a in articles]
    # Take from each article in turn, so a library's suggestions are not all about one article.
    for i in range(max((len(q) for q in per_article), default=0)):
        for questions in per_article:
            if i < len(questions) and questions[i] not in found:
                found.append(questions[i])
    return tuple(found[:limit])


def _questions(article: Article) -> list[str]:
    said: list[str] = []
    who: list[str] = []
    counted: list[str] = []
    for s in article.sentences:
        speaker = speaker_in(s.text)
        # "reported by The Dallas Express", "posted by …": a source, not someone who spoke.
        if speaker and not _LEADING.match(speaker) and not speaker.startswith("The "):
            name, role = _name_and_role(speaker)
            if name and not role:
                apposition = re.search(re.escape(name) + r",\s+((?:the|a|an)\s[^,]{2,80}),", s.text)
                role = apposition[1] if apposition else None
            if name and f"What did {name} say?" not in said:
                said.append(f"What did {name} say?")
                if role:
                    who.append(f"Who is {name}?")
        if not counted:
            question = _how_many(s.text)
            if question:
                counted.append(question)
    # Interleave: one of each kind before a second of any.
    order = [said[:1], who[:1], counted[:1], said[1:2], who[1:2], said[2:3]]
    return [q for group in order for q in group]


def _name_and_role(speaker: str) -> tuple[str | None, str | None]:
    """("John Kirby", "the … coordinator") from "John Kirby, the … coordinator"; lists give nothing."""
    if " and " in speaker or ";" in speaker:
        return None, None
    head, _, tail = speaker.partition(",")
    words = head.split()
    run: list[str] = []
    for w in reversed(words):  # the name is the last run of capitalised words
        if not _CAPITALISED.match(w):
            break
        run.insert(0, w)
    if not run or (len(run) == 1 and len(words) == 1 and not tail):
        name = " ".join(run) or None
        return name, None
    if len(run) > 3:  # "Russian President Vladimir Putin": the last words are the name
        role_words, run = run[:-2], run[-2:]
        return " ".join(run), " ".join(words[: len(words) - len(run)]) or " ".join(role_words)
    role = tail.strip() or " ".join(words[: len(words) - len(run)])
    return " ".join(run), role or None


def _how_many(sentence: str) -> str | None:
    """The sentence's opening up to a counted number, asked: "… in how many countries?"."""
    if _QUOTES.search(sentence):
        return None
    match = _COUNTED.search(sentence)
    if not match or _year(match["n"]) or match["noun"] in _NOT_COUNTED:
        return None
    opening = sentence[: match.start()].rstrip()
    if not opening or not opening[0].isupper() or len(opening.split()) > _MAX_WORDS:
        return None
    return f"{opening} how many {match['noun']}?"


def _year(number: str) -> bool:
    digits = number.replace(",", "")
    return digits.isdigit() and len(digits) == 4 and 1800 <= int(digits) <= 2100

