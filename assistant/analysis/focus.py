"""What a question asks about: its focus word, and whether a sentence mentions it.

"Who was the captain of the Costa Concordia?" asks about a captain, "How many
pitches did Harvey throw?" about pitches, "Who founded the alliance?" about
founding. When the noun only names the answer's type ("Which city …?", "What
network …?") the main verb says what is asked. A sentence mentions the focus
when it uses the word as the same part of speech ("the Mets managed" mentions
no manager). The extractive answerer's abstention and the reranker read it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from assistant.analysis.nlp import parse
from assistant.analysis.questions import TYPE_NOUNS
from assistant.analysis.text import terms

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

# Question words that say what kind of answer is wanted, not what it is about; speech
# verbs too ("reported", "told"): the article reports its facts with whichever it likes;
# and "cost"/"price"/"money": "How much will the bridge replacement cost?" asks for money,
# and "approve a $300 million replacement" gives it without the word.
QUESTION_TERMS = frozenset(
    terms(
        "many much long old name kind type happen something anything thing made make get go went use "
        "source following statement person people report reported told tell stated claimed remarks "
        "comments mentioned cost price worth money"
    )
)
#: Nouns that say what kind of answer is wanted rather than what it is about.
_GENERIC_NOUNS = frozenset(terms("name kind type number amount thing way part time article lot"))
#: Nouns that name the answer's type ("Which city …?", "What network …?"), not what it is about.
_TYPE_NOUNS = frozenset(terms(" ".join(TYPE_NOUNS)))
#: Verbs too light to say what is asked ("What did he do?", "Who is …?").
_LIGHT_VERBS = frozenset(terms("get got make made take took go went come came happen want wanted"))


def focus(text: str) -> tuple[str, str] | None:
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
            if term and term not in _TYPE_NOUNS:
                return (term, "NOUN")
            if term:
                return _verb(doc)  # "Which team …": the verb says what is asked
            # "How much will the bridge replacement cost?": "cost" only names the answer.
            return _verb(doc) or _first_noun(doc, skip=asked.i)
    return _verb(doc) or _first_noun(doc)


def _first_noun(doc: Doc, skip: int | None = None) -> tuple[str, str] | None:
    return next((f for t in doc if t.i != skip and (f := _noun(t))), None)


def mentions(text: str, focus: tuple[str, str], word: str | None = None) -> bool:
    """``text`` uses the focus word as the same part of speech ("manager" is not "managed").

    A verb focus is met by its noun too ("Who coaches her?" by "her coach"). A noun focus is met
    by a verb only when ``word`` (the noun as the question wrote it) is that verb's own stem:
    "coach" by "has coached", "vote" by "voted", never "manager" by "managed".
    """
    if focus[0] not in terms(text):
        return False  # no parse needed
    doc = parse(text)
    if doc is None:
        return True
    nouns = {"NOUN", "PROPN"}
    for t in doc:
        if _term(t.text) != focus[0]:
            continue
        if t.pos_ == focus[1] or {t.pos_, focus[1]} <= nouns or (focus[1] == "VERB" and t.pos_ in nouns):
            return True
        if word and focus[1] == "NOUN" and t.pos_ == "VERB" and _inflects(t.lower_, word.lower()):
            return True
    return False


def focus_word(text: str, focus: tuple[str, str]) -> str | None:
    """The word of question ``text`` that its focus stems from ("coach" of "…'s coach?")."""
    return next((w for w in re.findall(r"[\w’'-]+", text) if _term(w) == focus[0]), None)


def _inflects(form: str, word: str) -> bool:
    """``form`` is ``word`` with a verb ending: "coached", "coaches", "voted", "voting"."""
    stem = word[:-1] if word.endswith("e") else word
    return form in {word, word + "s", word + "es", word + "ed", word + "d", stem + "ing"}


def _verb(doc: Doc) -> tuple[str, str] | None:
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    verb = _term(root.text) if root is not None and root.pos_ == "VERB" else None
    return (verb, "VERB") if verb and verb not in _LIGHT_VERBS else None


def _noun(token: Token) -> tuple[str, str] | None:
    """A common noun's term ("coach" for "head" in "head coach")."""
    if token.pos_ != "NOUN" or token.ent_type_:
        return None
    if token.dep_ == "compound" and token.head.pos_ == "NOUN" and _term(token.head.text):
        return None  # its head speaks for it (unless the head only names the answer: "… replacement cost")
    term = _term(token.text)
    return (term, "NOUN") if term else None


def _term(word: str) -> str | None:
    stem = terms(word)
    if not stem or stem[0] in QUESTION_TERMS or stem[0] in _GENERIC_NOUNS:
        return None
    return stem[0]
