"""The phrase of a sentence that fills a "what" question's gap, found with the dependency parse.

A "what" question without an entity type ("What did the papers show?", "What
kind of documentation are banks demanding from law firms?") is answered by a
constituent of the evidence sentence: the object, complement or prepositional
object of the sentence's word that the question shares (its predicate), minus
the words the question already has. The sentence "Banks are also demanding
more documentation from law firms about online security measures" shares
"demanding", "documentation" and "law firms" with the question; what is left
attached to them is "about online security measures": the answer is its
object, "online security measures".

Every phrase is a span of the sentence, character for character. The match is
``strong`` when the phrase hangs off a verb the question shares (or a
preposition the question leaves stranded at its end: "… share information
about?"), which is when it is worth leading with.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant.analysis.nlp import parse
from assistant.analysis.text import STOPWORDS, terms

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

#: Relations whose subtree can fill the gap, best first.
_FILLERS = ("dobj", "attr", "oprd", "acomp", "xcomp", "ccomp", "nsubjpass", "nsubj", "appos", "dative")
#: Words that introduce the thing asked for rather than name it.
_KIND = frozenset({"kind", "type", "sort", "form"})
_MAX_TOKENS = 10
#: Dependents cut from a phrase: clauses, lists and asides.
_CUT = frozenset({"relcl", "advcl", "punct", "cc", "conj", "appos", "acl"})
#: What a sentence says of a kind of thing, straight before it: "body cameras", "online security measures".
_MODIFIERS = frozenset({"compound", "amod", "nmod"})


@dataclass(frozen=True, slots=True)
class Phrase:
    """A phrase of the sentence and whether it hangs off the question's own predicate."""

    text: str
    strong: bool


def answer_phrase(question: str, sentence: str) -> Phrase | None:
    """The phrase of ``sentence`` that answers the "what" ``question``, or None."""
    q = parse(question)
    doc = parse(sentence)
    if q is None or doc is None:
        return None
    asked = _asked(q)
    if not asked:
        return None
    kind = _kind_of(q, doc)
    if kind is not None:
        return kind
    stranded = _stranded_preposition(q)
    best: tuple[float, Token, bool] | None = None
    for token in doc:
        if not _shared(token, asked):
            continue
        verb = token.pos_ in {"VERB", "AUX"}
        # "demanding more documentation … about X": a shared noun under a shared verb counts as the verb.
        governor = token.head.head if token.head.dep_ == "prep" else token.head  # "… from shipping firms"
        under_verb = token.pos_ in {"NOUN", "PROPN"} and governor.pos_ == "VERB" and _shared(governor, asked)
        for child in token.children:
            found = _filler(child, asked, stranded)
            if found is None:
                continue
            filler, rank = found
            strong = verb or under_verb or (stranded is not None and child.dep_ == "prep")
            cost = rank + (0.0 if strong else 5.0) + abs(child.i - token.i) / 20
            best = _better(best, (cost, filler, strong))
    if best is None:
        return None
    _, filler, strong = best
    text = _trimmed(doc, filler, asked)
    return Phrase(text, strong) if text else None


def _better(
    best: tuple[float, Token, bool] | None, other: tuple[float, Token, bool]
) -> tuple[float, Token, bool]:
    return other if best is None or other[0] < best[0] else best


def _kind_of(q: Doc, doc: Doc) -> Phrase | None:
    """ "What type of cameras …?": the sentence's cameras with what it says of them ("body cameras");
    "What disease …?" likewise: the sentence's disease with what it says of it ("rare liver
    disease"), never another noun of the sentence ("drug"), when that says something new."""
    noun = _asked_noun(q)
    if noun is None:
        return None
    stem = terms(noun.text)
    asked = _asked(q)
    for t in doc:
        if stem and terms(t.text)[:1] == stem[:1] and t.pos_ in {"NOUN", "PROPN"}:
            first = t.i
            while (
                first > 0
                and doc[first - 1].head.i == t.i
                and doc[first - 1].dep_ in _MODIFIERS
                and not doc[first - 1].is_stop
            ):
                first -= 1
            new = [w for m in doc[first : t.i] for w in terms(m.text) if w not in asked]
            if first < t.i and new:
                return Phrase(doc[first : t.i + 1].text, True)
    return None


def _asked_noun(q: Doc) -> Token | None:
    """The noun a "what"/"which" question names its answer by: "cameras" in "What type of cameras …?",
    "disease" in "What disease …?" (None: it names none)."""
    for token in q:
        if token.lower_ in _KIND and any(c.lower_ == "of" for c in token.children):
            of = next(c for c in token.children if c.lower_ == "of")
            return next((c for c in of.children if c.dep_ == "pobj"), None)
    first = next((t for t in q if not t.is_punct), None)
    if first is not None and first.lower_ in {"what", "which"} and first.dep_ == "det":
        head = first.head
        return head if head.pos_ == "NOUN" and head.lower_ not in _KIND else None
    return None


def _asked(q: Doc) -> frozenset[str]:
    """The question's content terms, minus "kind of"-style words."""
    return frozenset(
        t
        for token in q
        if not token.is_punct and token.lower_ not in STOPWORDS and token.lower_ not in _KIND
        for t in terms(token.text)
    )


def _shared(token: Token, asked: frozenset[str]) -> bool:
    stem = terms(token.text)
    return bool(stem) and stem[0] in asked and not token.is_stop


def _stranded_preposition(q: Doc) -> str | None:
    """ "… compare her headaches to?": the preposition left at the end of the question."""
    words = [t for t in q if not t.is_punct]
    return words[-1].lower_ if words and words[-1].dep_ == "prep" else None


def _filler(child: Token, asked: frozenset[str], stranded: str | None) -> tuple[Token, float] | None:
    """The constituent under ``child`` that is new to the question, with a rank (lower is better)."""
    if child.dep_ == "prep":
        objects = [c for c in child.children if c.dep_ in {"pobj", "pcomp"}]
        if not objects or _shared(objects[0], asked):
            return None
        if stranded is not None and child.lower_ != stranded:
            return None
        return objects[0], (0.0 if stranded else 2.0)
    if child.dep_ not in _FILLERS or _shared(child, asked):
        return None
    return child, float(_FILLERS.index(child.dep_)) / 2


def _trimmed(doc: Doc, head: Token, asked: frozenset[str]) -> str | None:
    """``head``'s subtree without trailing clauses, leading determiners and the question's words at
    its edges; None when it is too long or nothing new is left."""
    keep = [head]
    for child in head.children:
        infinitive = child.dep_ == "acl" and any(c.lower_ == "to" for c in child.children)
        # After the head only an "of" phrase belongs to it ("claims of corruption"); other prepositional
        # phrases there are adjuncts ("storm damage with the city").
        adjunct = child.dep_ == "prep" and child.lower_ != "of" and child.i > head.i
        if infinitive or child.i < head.i or (child.dep_ not in _CUT and not adjunct):
            keep.extend(child.subtree)
    conj = [c for c in head.children if c.dep_ == "conj"]
    if conj:  # "yellow and green", "a Ferrari, a Lamborghini and a Porsche"
        keep.extend(t for c in conj for t in c.subtree)
        keep.extend(c for c in head.children if c.dep_ in {"cc", "punct"} and c.i < conj[-1].i)
    tokens = sorted({t.i: t for t in keep}.values(), key=lambda t: t.i)
    tokens = _contiguous(tokens, head)
    while tokens and (tokens[0].is_punct or tokens[0].lower_ in {"a", "an", "the", "some", "more"}):
        tokens = tokens[1:]
    while tokens and (tokens[-1].is_punct or _shared(tokens[-1], asked)):
        tokens = tokens[:-1]
    while tokens and (_shared(tokens[0], asked) or _owner_asked(tokens[0], asked)):
        tokens = tokens[1:]
    if not tokens or len(tokens) > _MAX_TOKENS:
        return None
    if all(t.is_stop or t.is_punct for t in tokens):
        return None
    return doc.text[tokens[0].idx : tokens[-1].idx + len(tokens[-1].text)]


def _owner_asked(token: Token, asked: frozenset[str]) -> bool:
    """Part of a possessor the question names ("Mr. Trump's" in "Mr. Trump's proposal")."""
    while token.dep_ in {"compound", "case"} and token.head.i != token.i:
        token = token.head
    return token.dep_ == "poss" and any(_shared(t, asked) for t in token.subtree)


def _contiguous(tokens: list[Token], head: Token) -> list[Token]:
    """The run of consecutive tokens around ``head``."""
    index = next(i for i, t in enumerate(tokens) if t.i == head.i)
    lo = hi = index
    while lo > 0 and tokens[lo - 1].i == tokens[lo].i - 1:
        lo -= 1
    while hi + 1 < len(tokens) and tokens[hi + 1].i == tokens[hi].i + 1:
        hi += 1
    return tokens[lo : hi + 1]
