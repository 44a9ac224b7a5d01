"""Conversations: where each earlier turn is in the article, and follow-ups made to stand alone."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.analysis.lexicon import FULL_NAME, NAME_WORDS
from assistant.analysis.nlp import parse
from assistant.analysis.text import STOPWORDS, terms, words
from assistant.types import Turn
from index.models import Article

_NON_SPAN_ANSWERS = {"yes", "no", "unknown", "yes yes", "no no"}


def _normal(text: str) -> str:
    return " ".join(words(text))


def conversation_positions(article: Article, history: Sequence[Turn]) -> list[int | None]:
    """Where in ``article`` each earlier turn's answer came from (sentence index), if found.

    A turn that cited sentences is placed at its first citation. A turn with
    only answer text (a transcript) is placed at the sentence holding that
    text, the one nearest the turn before when several do; a yes/no answer is
    placed by its question's words instead. Conversations tend to walk
    through an article in order, so the last position is a prior for the next.
    """
    index = {s.id: i for i, s in enumerate(article.sentences)}
    texts = [_normal(s.text) for s in article.sentences]
    positions: list[int | None] = []
    last: int | None = None
    for turn in history:
        found = [index[c.sentence_id] for c in turn.citations if c.article_id == article.id]
        last = found[0] if found else _locate(turn, texts, last)
        positions.append(last)
    return positions


def _locate(turn: Turn, texts: Sequence[str], previous: int | None) -> int | None:
    answer = _normal(turn.answer)
    holding: list[int] = []
    if answer and answer not in _NON_SPAN_ANSWERS:
        holding = [i for i, t in enumerate(texts) if f" {answer} " in f" {t} "]
    if not holding:
        wanted = set(terms(f"{turn.question} {turn.answer}"))
        if not wanted:
            return previous
        overlap = [len(wanted & set(terms(t))) for t in texts]
        best = max(overlap, default=0)
        if best == 0:
            return previous
        holding = [i for i, n in enumerate(overlap) if n == best]
    if previous is None:
        return holding[0]
    # Prefer the nearest sentence at or after the previous turn's.
    return min(holding, key=lambda i: abs(i - previous) + (0 if i >= previous else 0.5))


# -- follow-up rewriting ---------------------------------------------------------

_PERSON_PRONOUN = re.compile(r"\b(he|she|him|her|his|hers)\b", re.I)
_GROUP_PRONOUN = re.compile(r"\b(they|them|their|theirs)\b", re.I)
_POSSESSIVE = {"his", "her", "hers", "their", "theirs"}
_WH = {"who", "whom", "whose", "what", "which", "when", "where", "why", "how"}
# Short follow-ups ("When?", "Why not?") need the previous question's words.
SHORT_FOLLOW_UP_WORDS = 3


def standalone_query(question: str, history: Sequence[Turn]) -> str:
    """``question`` made to stand alone after ``history``, keeping the user's words.

    A person pronoun ("he", "her") becomes the previous turn's person, unless the
    question names another person itself ("What did Putin say he would do?" keeps
    Putin); "they"/"them" become the previous question's topic noun phrase, never a
    number ("Why are they banned?" → "Why are cluster munitions banned?"). Only the
    first pronoun is replaced; a very short follow-up gets the previous question
    appended.
    """
    if not history:
        return question
    last = history[-1]
    rewritten = question
    person = salient_person(last)
    pronoun = _PERSON_PRONOUN.search(question)
    if pronoun and person and not names_other_person(question, person):
        rewritten = _replace(question, pronoun, person)
    else:
        group = _GROUP_PRONOUN.search(question)
        topic = topic_phrase(last.question) if group else None
        if group and topic:
            rewritten = _replace(question, group, topic)
    if len(question.split()) <= SHORT_FOLLOW_UP_WORDS:
        rewritten = f"{rewritten} {last.question}"
    return rewritten


def _replace(question: str, match: re.Match[str], entity: str) -> str:
    word = match.group(1)
    swapped = f"{entity}’s" if word.lower() in _POSSESSIVE else entity
    return question[: match.start()] + swapped + question[match.end() :]


def salient_person(turn: Turn) -> str | None:
    """The person the turn was about: its short answer, else a full name in it; never a number."""
    if turn.short_answer:
        name = FULL_NAME.search(turn.short_answer)
        found = name.group() if name else turn.short_answer.split(",")[0]
        if not any(c.isdigit() for c in found):
            return found
    for text in (turn.answer, turn.question):
        name = FULL_NAME.search(text)
        if name:
            return name.group()
    return None


def names_other_person(question: str, person: str) -> bool:
    """Whether ``question`` names a person other than ``person`` (spaCy PERSON; else any name)."""
    known = set(NAME_WORDS.findall(person))
    doc = parse(question)
    if doc is not None:
        people = [e for e in doc.ents if e.label_ == "PERSON"]
        return any(not known & set(NAME_WORDS.findall(e.text)) for e in people)
    names = [w for w in NAME_WORDS.findall(question)[1:] if w.lower() not in STOPWORDS and w != "I"]
    return any(w not in known for w in names)


def topic_phrase(question: str) -> str | None:
    """The previous question's topic: its first noun phrase that is no wh-phrase, pronoun or number."""
    doc = parse(question)
    if doc is None:
        return None
    for chunk in doc.noun_chunks:
        if chunk.root.pos_ == "PRON" or any(t.lower_ in _WH or t.like_num for t in chunk):
            continue
        tokens = [t for t in chunk if t.pos_ != "DET"]
        if tokens:
            return doc[tokens[0].i : tokens[-1].i + 1].text
    return None
