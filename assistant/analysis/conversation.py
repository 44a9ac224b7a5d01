"""Conversations: where each earlier turn is in the article, and follow-ups made to stand alone."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.analysis.lexicon import FULL_NAME, NAME_WORDS
from assistant.analysis.nlp import parse
from assistant.analysis.questions import analyse
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
_FEMININE = {"she", "her", "hers"}
_WH = {"who", "whom", "whose", "what", "which", "when", "where", "why", "how"}
#: "What did Syrskyi say …", "How did Kirby respond …": whoever the question asks to speak is a person.
_SAYER = re.compile(
    r"^\W*(?i:what|how)\s+(?:(?i:else|more)\s+)?(?i:did|does|has|had|do)\s+(?P<x>[A-Z][\w’'.-]*(?:\s+[A-Z][\w’'.-]*)*)"
    r"\s+(?i:say|said|tell|told|write|wrote|respond|responded|react|reacted|reply|replied|add|think)\b"
)
#: How far back a pronoun may reach for its person or topic ("What else did he say?" two turns on).
_REACH = 3
# Short follow-ups ("When?", "Why not?") need the previous question's words.
SHORT_FOLLOW_UP_WORDS = 3


def standalone_query(question: str, history: Sequence[Turn]) -> str:
    """``question`` made to stand alone after ``history``, keeping the user's words.

    A person pronoun ("he", "her") becomes the person in focus (the latest turn that
    had one: its short answer when that is a name, else the person its question named),
    unless the question names another person before it ("What did Putin say he would
    do?" keeps Putin); a later pronoun of the other gender becomes the other person the
    conversation named ("What did he say about her?" after "Who is Maria Santos's coach?"
    → the coach and Maria Santos). "they"/"them" become the topic noun phrase of the
    latest question that has one, never a number ("Why are they banned?" → "Why are
    cluster munitions banned?"). A very short follow-up gets the previous question appended.
    """
    if not history:
        return question
    last = history[-1]
    rewritten = _people_resolved(question, history[-_REACH:])
    if rewritten == question:
        group = _GROUP_PRONOUN.search(question)
        topic = _topic(history[-_REACH:]) if group else None
        if group and topic:
            rewritten = _replace(question, group, topic)
    if len(question.split()) <= SHORT_FOLLOW_UP_WORDS:
        rewritten = f"{rewritten} {last.question}"
    return rewritten


def _people_resolved(question: str, history: Sequence[Turn]) -> str:
    """``question`` with its person pronoun(s) replaced by the people in focus (unchanged: none)."""
    pronouns = list(_PERSON_PRONOUN.finditer(question))
    if not pronouns:
        return question
    person, other = focus_people(history)
    first = pronouns[0]
    if not person or names_other_person(question[: first.start()], person):
        return question
    # "What did he say about her?": a pronoun of the other gender is the other person in focus.
    second = next((p for p in pronouns[1:] if _feminine(p) != _feminine(first)), None)
    if second is not None and other and not names_other_person(question, person):
        question = _replace(question, second, other)
    return _replace(question, first, person)


def _feminine(match: re.Match[str]) -> bool:
    return match.group(1).lower() in _FEMININE


def _replace(question: str, match: re.Match[str], entity: str) -> str:
    swapped = f"{entity}’s" if _possessive(question, match) else entity
    return question[: match.start()] + swapped + question[match.end() :]


def _possessive(question: str, match: re.Match[str]) -> bool:
    """"her job" is possessive, "see her die" is not (spaCy's tag; else: a content word follows)."""
    word = match.group(1).lower()
    if word not in _POSSESSIVE:
        return False
    if word != "her":
        return True
    doc = parse(question)
    if doc is not None:
        token = next((t for t in doc if t.idx == match.start()), None)
        if token is not None:
            return token.tag_ == "PRP$"
    following = question[match.end() :].split()
    return bool(following) and following[0].strip("?.,!").lower() not in STOPWORDS


def focus_people(history: Sequence[Turn]) -> tuple[str | None, str | None]:
    """The person in focus and another person the conversation named (the one the focus turn's
    question asked about, when its answer is someone else).

    The focus is the latest turn's person; a turn without one passes the focus back only
    when it kept it itself ("What else did he say?"), as a person pronoun of its own, and was
    answered here (a transcript's turns, as in CoQA, drift: measured on dev half a, reaching
    back through them moved a question to the wrong sentence).
    """
    for turn in reversed(history):
        person = salient_person(turn)
        if person:
            asked = _named_person(turn.question)
            other = asked if asked and not _same_name(asked, person) else None
            return person, other
        if not (turn.citations or turn.query) or not _PERSON_PRONOUN.search(turn.question):
            break
    return None, None


def salient_person(turn: Turn) -> str | None:
    """The person the turn was about, never a number.

    Its short answer when that is a name; for an answer this assistant gave (it has
    citations or a rewrite), the person its question named ("Who is Oleksandr Syrskyi?"
    answered "commander" is about Syrskyi); "Who is X?" answered with a description is about
    X, even when the description names a firm or a place ("a spokeswoman for Northway Power");
    else a full name in its answer or question.
    """
    if turn.short_answer:
        name = _name_in(turn.short_answer)
        if name and not any(c.isdigit() for c in name):
            return name
    if turn.citations or turn.query:
        for text in (turn.query, turn.question):
            named = _named_person(text) if text else None
            if named:
                return named
    asked = analyse(turn.question)
    described = asked.subject if asked.answer_type == "description" else None
    if described and described[0].isupper() and not _leads_with_name(turn.answer):
        return re.sub(r"[’']s$", "", described)
    for text in (turn.answer, turn.question):
        full = FULL_NAME.search(text)
        if full:
            return full.group()
    return None


def _leads_with_name(answer: str) -> bool:
    """Whether ``answer`` starts with a full name ("Felipe Duarte", "Elena Ruiz, the mayor"), not a
    description that happens to name someone ("a spokeswoman for Northway Power")."""
    return FULL_NAME.match(answer.strip()) is not None


def _name_in(text: str) -> str | None:
    """A full name in ``text``, else a lone capitalised word that is no function word ("Syrskyi")."""
    name = FULL_NAME.search(text)
    if name:
        return name.group()
    first = text.split(",")[0].strip().rstrip(".")
    if len(first.split()) == 1 and first[:1].isupper() and first.lower() not in STOPWORDS:
        return first
    return None


def asked_to_speak(question: str) -> str | None:
    """Whom "What did X say …?" or "How did X respond …?" asks to speak: X (None: no such question)."""
    sayer = _SAYER.match(question)
    return sayer.group("x") if sayer else None


def _named_person(text: str) -> str | None:
    """The person ``text`` names: whoever it asks to speak, a spaCy PERSON, else a full name."""
    sayer = asked_to_speak(text)
    if sayer:
        return sayer
    doc = parse(text)
    people = [e.text for e in doc.ents if e.label_ == "PERSON"] if doc is not None else []
    if not people:
        # spaCy tags some names as places or firms ("Amara Lindqvist" as ORG): a full name will do.
        people = [m.group() for m in FULL_NAME.finditer(text) if m.start() > 0]
    return re.sub(r"[’']s$", "", people[0]) if people else None


def _same_name(a: str, b: str) -> bool:
    return bool(set(NAME_WORDS.findall(a)) & set(NAME_WORDS.findall(b)))


def names_other_person(question: str, person: str) -> bool:
    """Whether ``question`` names a person other than ``person`` (spaCy PERSON; else any name)."""
    known = set(NAME_WORDS.findall(person))
    doc = parse(question)
    if doc is not None:
        people = [e for e in doc.ents if e.label_ == "PERSON"]
        return any(not known & set(NAME_WORDS.findall(e.text)) for e in people)
    names = [w for w in NAME_WORDS.findall(question)[1:] if w.lower() not in STOPWORDS and w != "I"]
    return any(w not in known for w in names)


def _topic(history: Sequence[Turn]) -> str | None:
    """The topic of the latest question that has one (a follow-up's own words may have none)."""
    for turn in reversed(history):
        topic = topic_phrase(turn.question)
        if topic is None and turn.query and turn.query != turn.question:
            topic = topic_phrase(turn.query)
        if topic:
            return topic
    return None


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
