"""Does the evidence cover the question? Features and a calibrated abstention decision.

The hard checks of :mod:`assistant.answer.extractive.abstain` catch what is
plainly missing (a name the article lacks, no date for "when"). An on-topic
question about a detail the article never states ("Who is the captain of the
Costa Concordia?", "How many pitches did Harvey throw?") passes them: its
names are there, its words meet somewhere. What gives it away is that the
answer offered is about something else:

- ``typed_uncited``: the question asks for a typed span (person, place, date,
  money, age …) and no cited sentence holds one new to the question;
- ``noun_uncited`` / ``verb_uncited``: a typed question whose focus (what it
  asks about: "captain" in "Who was the captain of …?", "pitches" in "How many
  pitches …?"; when its noun only names the answer's type, "Which city …", its
  main verb: "founded", "arrested") the cited sentences do not use, as that
  part of speech ("the Mets managed" is no manager); ``focus_uncited`` is the
  same for any question (shown in the diagnostics, not weighed);
- ``confidence``: the answer's calibrated confidence; ``follow_up``: the question
  leans on earlier turns (few words of its own: the conversation carries it).

Measured on half a (evals.abstention): the share of the question's words the
article never uses, their coverage by the cited sentences, the coverage of its
names and the two-sentence window coverage did not separate the project's
on-topic unanswerable questions from the dev questions (unanswerable ones
reuse the article's words more than the crowd-written answerable ones do).

:func:`unanswerable` combines them in a logistic whose weights and threshold
are fields of :class:`~assistant.settings.AbstainSettings` (fitted on half a of
the dev articles plus the project's half-a unanswerable questions).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from assistant.analysis.nlp import parse
from assistant.analysis.questions import TYPE_NOUNS, Question
from assistant.analysis.short_answer import extract
from assistant.analysis.spans import LABELS, has_typed_span
from assistant.analysis.text import terms
from assistant.answer.extractive.abstain import QUESTION_TERMS
from index.models import Article

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

#: Nouns that say what kind of answer is wanted rather than what it is about.
_GENERIC_NOUNS = frozenset(terms("name kind type number amount thing way part time article lot"))
#: Nouns that name the answer's type ("Which city …?", "What network …?"), not what it is about.
_TYPE_NOUNS = frozenset(terms(" ".join(TYPE_NOUNS)))
#: Verbs too light to say what is asked ("What did he do?", "Who is …?").
_LIGHT_VERBS = frozenset(terms("get got make made take took go went come came happen want wanted"))


def evidence_features(
    question: Question,
    query: str,
    articles: Mapping[str, Article],
    cited: Sequence[tuple[str, str]],
    confidence: float,
    follow_up: bool = False,
) -> dict[str, float]:
    """The features :func:`unanswerable` weighs, for an answer citing ``cited`` (empty: none cited)."""
    if not cited:
        return {}
    texts = [articles[a].sentence(s).text for a, s in cited]
    asked_for = _focus(question.text) or _focus(query)
    focus_uncited = asked_for is not None and not any(_mentions(t, asked_for) for t in texts)
    typed = _typed(question)
    noun = asked_for is not None and asked_for[1] == "NOUN"
    return {
        "typed_uncited": float(typed and not any(_holds_type(question, t) for t in texts)),
        "noun_uncited": float(typed and noun and focus_uncited),
        "verb_uncited": float(typed and not noun and focus_uncited),
        "focus_uncited": float(focus_uncited),
        "confidence": confidence,
        "follow_up": float(follow_up),
    }


def unanswerable(values: Mapping[str, float], weights: Mapping[str, float]) -> float:
    """The probability (logistic of the weighted features) that the article does not answer."""
    if not values or not weights:
        return 0.0
    z = weights.get("bias", 0.0) + sum(weights.get(k, 0.0) * v for k, v in values.items())
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def _typed(question: Question) -> bool:
    """Asks for a typed span (a who-said speaker comes from attribution instead)."""
    return (question.answer_type in LABELS or question.answer_type == "age") and not question.who_said


def _holds_type(question: Question, text: str) -> bool:
    """``text`` holds a span of the type asked for that the question does not already name."""
    if question.answer_type == "age":
        return extract(question, text) is not None
    return has_typed_span(question, text) is not False


def _focus(text: str) -> tuple[str, str] | None:
    """The thing a question asks about, stemmed, with its part of speech: "captain" in "Who was the
    captain of …?", "pitches" in "How many pitches …?"; when the noun only names the answer's type
    ("Which city …", "What player …"), the main verb instead ("founded", "arrested")."""
    doc = parse(text)
    if doc is None:
        return None
    for token in doc:
        asked = None
        if token.lower_ in {"which", "what"} and token.tag_ in {"WDT", "WP"} and token.head.pos_ == "NOUN":
            asked = token.head  # "Which team …", "What natural resource …"
        elif token.lower_ in {"which", "what"} and token.i + 1 < len(doc) and doc[token.i + 1].pos_ == "NOUN":
            asked = doc[token.i + 1]  # "What player had …" (parsed "What" alone)
        elif token.lower_ in {"many", "much"} and token.i > 0 and doc[token.i - 1].lower_ == "how":
            asked = token.head if token.head.pos_ == "NOUN" else None
        if asked is not None:
            term = _term(asked.text)
            return (term, "NOUN") if term and term not in _TYPE_NOUNS else _verb(doc)
    return _verb(doc) or next((f for f in map(_noun, doc) if f), None)


def _mentions(text: str, focus: tuple[str, str]) -> bool:
    """``text`` uses the focus word as the same part of speech ("manager" is not "managed")."""
    doc = parse(text)
    if doc is None:
        return focus[0] in terms(text)
    nouns = {"NOUN", "PROPN"}
    return any(_term(t.text) == focus[0] and (t.pos_ == focus[1] or {t.pos_, focus[1]} <= nouns) for t in doc)


def _verb(doc: Doc) -> tuple[str, str] | None:
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    verb = _term(root.text) if root is not None and root.pos_ == "VERB" else None
    return (verb, "VERB") if verb and verb not in _LIGHT_VERBS else None


def _noun(token: Token) -> tuple[str, str] | None:
    """A common noun's term ("coach" for "head" in "head coach")."""
    if token.pos_ != "NOUN" or token.ent_type_:
        return None
    if token.dep_ == "compound" and token.head.pos_ == "NOUN":
        return None  # its head speaks for it
    term = _term(token.text)
    return (term, "NOUN") if term else None


def _term(word: str) -> str | None:
    stem = terms(word)
    if not stem or stem[0] in QUESTION_TERMS or stem[0] in _GENERIC_NOUNS:
        return None
    return stem[0]
