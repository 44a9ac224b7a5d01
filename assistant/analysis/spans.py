"""Typed short answers from spaCy: entities, noun chunks and the parse of an evidence sentence.

The question's expected answer type (:mod:`assistant.analysis.questions`) is
matched against typed spans of the sentence: a "who" question takes a
PERSON, "which network" an ORG, "where" a GPE/LOC/FAC, "how much did it cost"
a MONEY span, "how long" a duration. "Who is X?" / "What is X's job?" take the
appositive or title attached to X in the parse ("John Kirby, the National
Security Council's coordinator for strategic communications"; "bartender
Erika Molina"). A question asking for several ("Which senators …") gets the
list as the sentence writes it; a quantity keeps its qualifier ("over 100").

Every answer is a span of the sentence, character for character. Without
spaCy, :func:`typed_answer` returns None and the regular-expression
extractor (:mod:`assistant.analysis.short_answer`) is used.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant.analysis.nlp import parse
from assistant.analysis.questions import Question
from assistant.analysis.text import STOPWORDS, terms, words

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

#: spaCy entity labels that can answer each answer type.
LABELS: dict[str, frozenset[str]] = {
    "person": frozenset({"PERSON"}),
    "organisation": frozenset({"ORG"}),
    "place": frozenset({"GPE", "LOC", "FAC"}),
    "date": frozenset({"DATE", "TIME"}),
    "number": frozenset({"CARDINAL", "QUANTITY", "MONEY", "PERCENT"}),
    "money": frozenset({"MONEY"}),
    "percentage": frozenset({"PERCENT"}),
    "duration": frozenset({"DATE", "TIME"}),
    "work": frozenset({"WORK_OF_ART"}),
    # "Which firm/service/team …": any named thing.
    "choice": frozenset(
        {"ORG", "GPE", "LOC", "FAC", "PERSON", "NORP", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW"}
    ),
}
#: Labels that may stand in when the preferred one is absent ("Who …?" → "Republicans", "CNN").
FALLBACK: dict[str, frozenset[str]] = {
    "person": frozenset({"NORP", "ORG"}),
    "organisation": frozenset({"NORP"}),
    "place": frozenset({"NORP", "ORG"}),
    "duration": frozenset({"QUANTITY", "CARDINAL"}),  # "How long is the pipeline?": a length
}
_DURATION_WORD = re.compile(
    r"\b(?:years?|months?|weeks?|days?|hours?|minutes?|seconds?|decades?|centur\w+)\b", re.I
)
_QUALIFIERS = frozenset(
    "over under about around nearly almost roughly approximately some more less fewer than at least "
    "most just only".split()
)
_QUANTITIES = frozenset({"CARDINAL", "QUANTITY", "MONEY", "PERCENT", "DATE", "TIME"})
_PLURAL_ASK = re.compile(
    r"\b(?:which|what)\s+(?:\w+\s+)?\w+s\b(?<!\bis)(?<!\bwas)|\bwho\s+(?:were|are)\b|\bname\s+(?:the|all)\b",
    re.I,
)
_REPORTED = re.compile(r"\b(report\w*|according|source)\b", re.I)
_ACCORDING = re.compile(r"\baccording to\s+(?=[A-Z])|\b(?:reported|told)\s+(?=[A-Z])")
_PRONOUNS = frozenset({"he", "she", "they", "him", "her", "it"})


@dataclass(frozen=True, slots=True)
class TypedAnswer:
    """A short answer: its text (a span of ``sentence``), its type and whether the type matched."""

    text: str
    answer_type: str
    #: The span's type is the one asked for (False: a stand-in label, a noun chunk).
    matched: bool
    #: Index among the sentences given: 0 is the cited sentence, 1 its neighbour.
    source: int = 0
    #: Other spans of the type asked for in the same sentence: a choice was made among them.
    rivals: int = 0


def typed_answer(
    question: Question, sentences: tuple[str, ...], subject: str | None = None
) -> TypedAnswer | None:
    """The typed short answer to ``question`` in the first of ``sentences`` that has one."""
    kind = question.answer_type
    if kind not in LABELS and kind != "description":
        return None
    for index, sentence in enumerate(sentences):
        doc = parse(sentence)
        if doc is None:
            return None
        found = (
            _description(doc, subject or question.subject or "")
            if kind == "description"
            else _entity(question, doc, kind)
        )
        if found:
            text, matched, rivals = found
            return TypedAnswer(text, kind, matched, index, rivals)
    return None


# -- entities --------------------------------------------------------------------


def _entity(question: Question, doc: Doc, kind: str) -> tuple[str, bool, int] | None:
    asked = set(terms(question.text)) | set(words(question.text))
    anchors = [t.idx for t in doc if not t.is_stop and (t.lower_ in asked or _stem(t.text) in asked)]
    attributed = [m.end() for m in _ACCORDING.finditer(doc.text)] if _REPORTED.search(question.text) else []
    if attributed:
        # "Which network reported …": the outlet is the one the sentence attributes to.
        anchors = attributed
    best: tuple[float, Span, bool] | None = None
    typed = 0
    linked: list[int] = []
    how_many = _HOW_MANY.search(question.text)
    counted = _stem(how_many.group(2) or how_many.group(4)) if how_many else None
    for ent in doc.ents:
        matched = ent.label_ in LABELS[kind]
        if not matched and ent.label_ not in FALLBACK.get(kind, frozenset()):
            continue
        if kind == "duration" and not _DURATION_WORD.search(ent.text):
            continue
        if kind == "number" and ent.label_ == "CARDINAL" and re.fullmatch(r"(?:19|20)\d\d", ent.text):
            continue
        if _in_question(ent.text, asked, kind):
            continue
        typed += matched
        tied = matched and _linked(ent, asked, counted)
        linked += [ent.start] if tied else []
        middle = (ent.start_char + ent.end_char) / 2
        distance = min((abs(a - middle) for a in anchors), default=len(doc.text))
        cost = distance / max(len(doc.text), 1) + (0.0 if matched else 1.0) - (0.5 if tied else 0.0)
        if best is None or cost < best[0]:
            best = (cost, ent, matched)
    if best is None:
        return None
    _, ent, matched = best
    if matched and _PLURAL_ASK.search(question.text):
        listed = _list_around(doc, ent, kind, asked)
        if listed:
            return listed, True, 0
    # A span the sentence attributes to ("according to CNN") was not picked among rivals; nor was
    # the only one tied in the parse to the question's words ("six" in "threw six innings").
    alone = linked == [ent.start]
    rivals = 0 if ent.start_char in attributed or alone else max(0, typed - 1)
    return _with_qualifier(doc, ent), matched, rivals


_MODIFIER_DEPS = frozenset({"compound", "amod", "nmod"})
_HOW_MANY = re.compile(
    r"\bhow\s+many\s+((?:[\w-]+\s+){0,3}?)([\w-]+)(?=\s+(?:did|do|does|had|have|has|were|was|are|is|will|would|could|can)\b)|\bhow\s+many\s+()([\w-]+)",
    re.I,
)


def _linked(ent: Span, asked: set[str], counted: str | None) -> bool:
    """The span is tied in the parse to a word of the question: it counts the question's noun ("six" in
    "threw six innings" for "How many innings …"), is the subject or object of its verb ("Tennessee
    ended the skid" for "Who ended …"), or has it as an appositive ("Mandiant, the security firm")."""
    root = ent.root
    head = root.head.head if root.dep_ == "pobj" else root.head

    def shared(t: Token) -> bool:
        return (
            t.i not in range(ent.start, ent.end)
            and not t.is_stop
            and (t.lower_ in asked or _stem(t.text) in asked)
        )

    noun = root.head
    if root.dep_ == "nummod" and counted and _stem(noun.text) == counted and noun.dep_ not in _MODIFIER_DEPS:
        return True  # "six innings" for "How many innings …"
    if root.dep_ in {"nsubj", "nsubjpass", "dobj", "pobj"} and head.pos_ == "VERB" and shared(head):
        return True
    return any(c.dep_ == "appos" and shared(c) for c in root.children)


def _in_question(text: str, asked: set[str], kind: str) -> bool:
    """The question already says it (for names, even in part: "John Kirby" for "Kirby's")."""
    own = [w for w in words(text) if w not in STOPWORDS]
    if not own:
        return False
    known = [w in asked or _stem(w) in asked for w in own]
    return any(known) if kind in {"person", "organisation", "place", "choice"} else all(known)


def _with_qualifier(doc: Doc, ent: Span) -> str:
    """The entity with the qualifier before it: "over 100", "more than 40 years", "about $5"."""
    start = ent.start
    while ent.label_ in _QUANTITIES and start > 0 and start > ent.start - 3:
        before = doc[start - 1].lower_
        if before == "to" and start > 1 and doc[start - 2].lower_ == "up":
            start -= 2
        elif before in _QUALIFIERS:
            start -= 1
        else:
            break
    text = doc[start : ent.end].text
    return re.sub(r"[’']s$", "", text).strip(" ,.;:")


def _list_around(doc: Doc, ent: Span, kind: str, asked: set[str]) -> str | None:
    """Entities of ``kind`` listed together with ``ent`` ("A, B, and C"), as the sentence writes them."""
    same = [e for e in doc.ents if e.label_ in LABELS[kind] and not _in_question(e.text, asked, kind)]
    i = next(k for k, e in enumerate(same) if e.start == ent.start)
    lo = hi = i
    while lo > 0 and _listed(doc, same[lo - 1], same[lo]):
        lo -= 1
    while hi + 1 < len(same) and _listed(doc, same[hi], same[hi + 1]):
        hi += 1
    if hi == lo:
        return None
    first = same[lo].start
    while first > 0 and re.fullmatch(r"[A-Z][a-z]{1,4}\.", doc[first - 1].text):
        first -= 1  # "Sen. Jim Risch"
    return doc.text[doc[first].idx : same[hi].end_char]


def _listed(doc: Doc, a: Span, b: Span) -> bool:
    """Only commas, "and"/"or", titles and a party tag lie between two entities of a list."""
    between = doc[a.end : b.start]
    if len(between) > 8:
        return False
    joined = any(t.text in {",", "and", "or", "&", ";"} for t in between)
    rest = [t for t in between if t.text not in {",", "and", "or", "&", ";"}]
    return joined and all(t.is_title or t.is_punct or t.text.isupper() or t.like_num for t in rest)


# -- descriptions ----------------------------------------------------------------


def _description(doc: Doc, subject: str) -> tuple[str, bool, int] | None:
    """What the sentence calls ``subject``: an appositive, a title before the name, "X is a Y"."""
    name = [w for w in re.findall(r"[\w’'-]+", subject) if w.lower() not in STOPWORDS]
    if not name or name[0].lower() in _PRONOUNS:
        # "What was his job?": whoever the sentence names.
        heads = [doc[e.end - 1] for e in doc.ents if e.label_ == "PERSON"]
    else:
        last = name[-1].lower()
        heads = [_name_head(t) for t in doc if t.lower_ == last or _stem(t.text) == _stem(last)]
        if len(name) > 1:
            # "Angela Whitford" is not "Mark Whitford" (his appositive: "Angela Whitford's brother-in-law").
            first = name[0].lower()
            heads = [h for h in heads if any(t.lower_ == first for t in h.subtree if t.i < h.i)]
    # A possessor is not described where it is named: "Angela Whitford's brother-in-law".
    heads = [h for h in heads if h.dep_ != "poss" and not any(c.dep_ == "case" for c in h.children)]
    for head in heads:
        for found in (_appositive(head), _title_before(doc, head, name), _predicate(head)):
            if found:
                return found, True, 0
    return None


#: How a title word hangs off the name or the title word after it.
_TITLE_DEPS = frozenset({"compound", "amod", "nmod"})
_HONORIFIC = re.compile(r"(?:mr|mrs|ms|miss|dr|prof|rev|sir|madam)\.?", re.I)
#: Not a description of who someone is: an age ("23", "5-year-old") or an honorific ("Mr.").
_AGE_OR_HONORIFIC = re.compile(
    r"(?:(?:aged?\s+)?\d+(?:\s*-?\s*years?\s*-?\s*old)?|(?:\d+-)?(?:year-)?old|"
    r"mr|mrs|ms|miss|dr|sir|madam)\.?",
    re.I,
)


def _name_head(token: Token) -> Token:
    """The last word of the name ``token`` is in (its compound chain's head)."""
    while token.dep_ in {"compound", "flat"} and token.head.i > token.i:
        token = token.head
    return token


def _clean(tokens: list[Token]) -> str | None:
    """The tokens' text without a leading determiner or trailing punctuation and relative clause."""
    while tokens and (tokens[0].is_punct or tokens[0].lower_ in {"a", "an"}):
        tokens = tokens[1:]
    while tokens and tokens[-1].is_punct:
        tokens = tokens[:-1]
    if not tokens or len(tokens) > 16:
        return None
    doc = tokens[0].doc
    end = tokens[-1].i
    # A hyphenated word is one word: "brother-in-law", not "brother".
    while end + 2 < len(doc) and doc[end + 1].text == "-" and not doc[end].whitespace_ \
            and not doc[end + 1].whitespace_:
        end += 2
    return doc[tokens[0].i : end + 1].text


def _phrase(token: Token) -> list[Token]:
    """``token``'s subtree without relative clauses, participle modifiers or trailing clauses."""
    cut = {"relcl", "acl", "advcl", "ccomp", "punct", "appos", "cc", "conj"}
    kept = [token]
    for child in token.children:
        if child.dep_ not in cut:
            kept.extend(child.subtree)
    run = sorted(kept, key=lambda t: t.i)
    lo = hi = run.index(token)
    while lo > 0 and run[lo - 1].i == run[lo].i - 1:
        lo -= 1
    while hi + 1 < len(run) and run[hi + 1].i == run[hi].i + 1:
        hi += 1
    return run[lo : hi + 1]


def _appositive(head: Token) -> str | None:
    for child in head.children:
        if child.dep_ == "appos" and child.i > head.i and child.ent_type_ not in {"PERSON"}:
            found = _clean(_phrase(child))
            if found and not _AGE_OR_HONORIFIC.fullmatch(found):  # "Decker, 23, a nurse": not "23"
                return found
    if head.dep_ == "appos" and head.head.i < head.i and head.head.ent_type_ != "PERSON":
        # "The pope's former butler, Paolo Gabriele": the name is the appositive of the role.
        return _clean(_phrase(head.head))
    return None


def _title_before(doc: Doc, head: Token, name: Sequence[str] = ()) -> str | None:
    """Common-noun title words straight before the name: "bartender Erika Molina", "judge … Dalla Torre",
    "County health officer Dr. Imogen Sayers" (the name's own words and an honorific are not the title,
    whatever entity type the parse gave the name)."""
    own = {w.lower() for w in name}
    first = head.i
    while first > 0 and (
        (doc[first - 1].ent_type_ == "PERSON" and doc[first - 1].ent_iob_ != "O")
        or (doc[first].ent_iob_ == "I" and doc[first].ent_type_ == doc[first - 1].ent_type_)
        or doc[first - 1].lower_ in own
        or _HONORIFIC.fullmatch(doc[first - 1].text)
    ):
        first -= 1
    if doc[first].ent_type_ == "PERSON" and doc[first].ent_iob_ == "I":
        return None
    tokens: list[Token] = []
    j = first - 1
    # A title word modifies the name or a title word after it ("County" → "officer" → "Sayers").
    while j >= 0 and doc[j].head.i in range(j + 1, head.i + 1) and doc[j].dep_ in _TITLE_DEPS:
        tokens.insert(0, doc[j])
        j -= 1
    if not tokens or all(t.ent_type_ in {"GPE", "NORP", "ORG"} for t in tokens):
        return None
    found = _clean(tokens)
    return None if found is None or _AGE_OR_HONORIFIC.fullmatch(found) else found


def _predicate(head: Token) -> str | None:
    """ "X is/was a Y": the attribute."""
    verb = head.head
    if head.dep_ == "nsubj" and verb.lower_ in {"is", "was", "are", "were", "’s", "'s", "remains"}:
        for child in verb.children:
            if child.dep_ == "attr":
                return _clean(_phrase(child))
    return None


def _stem(word: str) -> str:
    stemmed = terms(word)
    return stemmed[0] if stemmed else word.lower()


def has_typed_span(question: Question, sentence: str) -> bool | None:
    """Whether ``sentence`` holds a span of the type asked for, new to the question (None: no type
    to check, or no spaCy)."""
    kind = question.answer_type
    if kind not in LABELS:
        return None
    doc = parse(sentence)
    if doc is None:
        return None
    found = _entity(question, doc, kind)
    return bool(found and found[1])
