"""Does a short answer fill the question's gap in the sentence that answers it?

"Who lobbied the administration?" asks for the subject of "lobbied". In
"Several members of Congress had lobbied the Biden administration …" that is
"Several members of Congress"; "Biden", a PERSON of the right type, is only a
modifier of the object, so it does not fill the gap. "Who posted the video?"
asks for the agent of "posted": in "Video footage posted by Open Source
Intelligence Monitor on Twitter …" that is the monitor, not "Twitter".

The check finds the question's predicate (the verb the wh-word hangs off) and
the wh-word's role (subject or object; "whom"/"who did X …" ask for the
object), finds the sentence's words that share the predicate's stem, and
looks at what fills that role there: the subject (or the agent of a passive),
or the object (or the subject of a passive). A short answer fills the gap when
it holds that constituent's head word (a conjunct of it counts: "A and B").

"Who is X's ROLE?" (or "Who is the ROLE of X?") has no predicate of its own:
its gap is the name the sentence gives the role, in apposition to it ("Her
coach, Luis Ortega, said …", "Luis Ortega, Santos's coach, …", "Santos's coach
Luis Ortega"), where the role's possessor is X or a possessive pronoun (which
this check, seeing one sentence, takes to stand for X).

:func:`fills_gap` answers True, False, or None when it cannot tell (no spaCy,
no verb shared with the question, no such role in the sentence, a wh-word that
is no subject or object: "when", "where", "how many", "who is X?").
:func:`gap_filler` returns the constituent itself, as the sentence writes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant.analysis.nlp import parse
from assistant.analysis.text import terms

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

_WH = frozenset({"who", "whom", "whose", "what", "which"})
_SUBJECTS = frozenset({"nsubj", "csubj"})
_PASSIVE_SUBJECTS = frozenset({"nsubjpass", "csubjpass"})
_OBJECTS = frozenset({"dobj", "dative", "attr", "oprd"})
_LIGHT = frozenset("be is was are were been being do did does have has had".split())
#: Longest filler offered as a short answer, in tokens.
_MAX_TOKENS = 8


@dataclass(frozen=True, slots=True)
class Gap:
    """The question's predicate (its stems) and the role its wh-word asks for."""

    stems: frozenset[str]
    #: "subject" or "object".
    role: str
    #: A preposition or particle right after the question's verb ("voted against"): the sentence's
    #: verb must have it too ("voted 6-1 to rebuild" is no vote against).
    particle: str | None = None


def question_gap(question: str) -> Gap | None:
    """The predicate and role a who/what/which question asks for; None for other questions."""
    q = parse(question)
    if q is None:
        return None
    wh = next((t for t in q if t.lower_ in _WH), None)
    if wh is None:
        return None
    # "Which senators wrote …": the wh-word's noun carries the role.
    asker = wh.head if wh.dep_ in {"det", "poss"} else wh
    verb = asker.head
    if verb.dep_ == "aux" and verb.head.i != verb.i:  # "Whom did police arrest?" parsed off "did"
        verb = verb.head
    # The small model sometimes tags a question's bare verb a noun ("Who did the mayor thank?").
    verbal = verb.pos_ in {"VERB", "AUX"} or any(c.dep_ == "aux" for c in verb.children)
    if not verbal or verb.lower_ in _LIGHT or asker.dep_ in {"attr", "advmod"}:
        return None
    stems = _stems(verb.text)
    if not stems:
        return None
    after = q[wh.i + 1] if wh.i + 1 < len(q) else None
    object_asked = wh.lower_ == "whom" or (
        after is not None and after.lower_ in {"did", "does", "do", "will", "would", "can", "could"}
    )
    if asker.dep_ in _PASSIVE_SUBJECTS or asker.dep_ in _OBJECTS:
        object_asked = True
    after_verb = q[verb.i + 1] if verb.i + 1 < len(q) else None
    particle = None
    if after_verb is not None and after_verb.head.i == verb.i and after_verb.dep_ in {"prep", "prt"}:
        particle = after_verb.lower_
    return Gap(stems, "object" if object_asked else "subject", particle)


def fills_gap(question: str, sentence: str, short: str) -> bool | None:
    """Whether ``short`` (a span of ``sentence``) fills the gap ``question`` leaves; None: can't tell."""
    found = _gap_fillers(question, sentence)
    if found is None:
        return None
    doc, fillers, gap = found
    start = sentence.find(short)
    if start < 0:
        return False
    heads = {f.i for f in fillers} | {_named(f).i for f in fillers}
    span = doc.char_span(start, start + len(short), alignment_mode="expand")
    if span is None:
        return False
    if gap:
        # The filler's own head word must be in the answer: "Congress" is inside "several members of
        # Congress" (the subject of "lobbied") but does not fill the gap; "Several members" does.
        return any(t.i in heads for t in span)
    return any(_name_head(t).i in heads for t in span)  # a role's name is its apposition


def _gap_fillers(question: str, sentence: str) -> tuple[Doc, list[Token], Gap | None] | None:
    """The parse of ``sentence``, the tokens that can fill the gap ``question`` leaves (its verb's
    subject or object, or the name of the role it asks about), and that gap (None for a role
    question); None when the question leaves no gap the parse can place."""
    gap = question_gap(question)
    role = role_gap(question) if gap is None else None
    doc = parse(sentence) if gap or role else None
    if doc is None:
        return None
    fillers = _fillers(doc, gap) if gap else _role_fillers_of(doc, role) if role else None
    return None if fillers is None else (doc, list(fillers), gap)


def speaks(sentence: str, speaker: str) -> bool | None:
    """Whether ``speaker`` is who the sentence attributes what it says to: the subject of a verb
    ("Trump likened …", "Cameron has described them as …"), the agent of a passive, or within
    "according to …". Not an object ("the Association … called Clinton a champion": not Clinton) nor
    a name inside another phrase ("hatred of Clinton"). None when it cannot tell (no spaCy, or the
    name is not in the sentence: "…,” he said." with the name in the sentence before)."""
    doc = parse(sentence)
    start = sentence.find(speaker)
    if doc is None or start < 0:
        return None
    span = doc.char_span(start, start + len(speaker), alignment_mode="expand")
    return span is not None and any(_attributed(_climb(t)) for t in span)


def _attributed(token: Token) -> bool:
    if token.dep_ == "pobj" and token.head.lower_ == "including":  # "experts, including Mr. Goldberg, said"
        token = _climb(token.head.head)
    if token.dep_ in _SUBJECTS or token.dep_ == "pobj" and token.head.dep_ == "agent":
        return True
    return any(a.lower_ == "according" for a in token.ancestors)


def _climb(token: Token) -> Token:
    """The word a name or title attaches to: "Jim" in "Sens. Jim Risch" → "Sens." (the subject)."""
    while token.dep_ in {"compound", "flat", "appos", "conj"} and token.head.i != token.i:
        token = token.head
    return token


def gap_filler(question: str, sentence: str) -> str | None:
    """The constituent of ``sentence`` that fills the gap ``question`` leaves (its first, when
    several), as the sentence writes it; None when there is none or it is a pronoun."""
    found = _gap_fillers(question, sentence)
    if found is None or not found[1]:
        return None
    doc, fillers, _ = found
    fillers = [_named(f) for f in fillers]
    # A name, when one of them is ("Sens. Jim Risch and Roger Wicker": Risch, not "Sens.").
    head = next((f for f in fillers if f.pos_ == "PROPN" or f.ent_type_), fillers[0])
    if head.pos_ == "PRON" or head.tag_ in {"WP", "WDT"}:
        return None
    return _phrase(doc, head)


@dataclass(frozen=True, slots=True)
class RoleGap:
    """ "Who is X's ROLE?": the role noun's stems and the words naming its possessor (none when the
    question's possessor is a pronoun: "Who is her coach?")."""

    stems: frozenset[str]
    possessor: frozenset[str]


def role_gap(question: str) -> RoleGap | None:
    """The role a "Who is/was X's ROLE?" or "Who is the ROLE of X?" question asks to name, else None."""
    q = parse(question)
    if q is None:
        return None
    wh = next((t for t in q if t.lower_ in {"who", "whom"}), None)
    if wh is None or wh.head.lemma_ != "be" or wh.dep_ not in {"attr", "nsubj"}:
        return None
    copula = wh.head
    role = next((c for c in copula.children if c.i != wh.i and c.dep_ in {"nsubj", "attr"}), None)
    if role is None or role.pos_ != "NOUN":
        return None
    owner = _possessor(role)
    if owner is None:
        return None
    named = frozenset() if owner.pos_ == "PRON" else frozenset(_name_words(owner))
    return RoleGap(_stems(role.text), named)


def _possessor(role: Token) -> Token | None:
    """Whose role it is: "Santos's coach", "her coach", "the coach of Santos"."""
    for child in role.children:
        if child.dep_ == "poss":
            return child
        if child.dep_ == "prep" and child.lower_ == "of":
            return next((c for c in child.children if c.dep_ == "pobj"), None)
    return None


def _name_words(token: Token) -> list[str]:
    return [t.text for t in token.subtree if t.pos_ == "PROPN" or t.text[:1].isupper()]


def _role_fillers_of(doc: Doc, gap: RoleGap) -> list[Token] | None:
    """The names the sentence gives the role (in apposition, or across "is") where its possessor is
    the question's or a possessive pronoun; None: the sentence names no such role."""
    found: list[Token] = []
    for token in doc:
        if token.pos_ != "NOUN" or not _stems(token.text) & gap.stems:
            continue
        owner = _possessor(token)
        if owner is None or not (owner.tag_ == "PRP$" or gap.possessor & set(_name_words(owner))):
            continue
        found.extend(c for c in token.children if c.dep_ == "appos")  # "Her coach, Luis Ortega,"
        if token.dep_ in {"appos", "compound"} and token.head.pos_ == "PROPN":
            found.append(token.head)  # "Luis Ortega, Santos's coach," / "coach Luis Ortega"
        if token.dep_ in {"nsubj", "attr"} and token.head.lemma_ == "be":  # "Her coach is Luis Ortega."
            other = {"nsubj": "attr", "attr": "nsubj"}[token.dep_]
            found.extend(c for c in token.head.children if c.dep_ == other and c.pos_ == "PROPN")
    return found or None


def _named(token: Token) -> Token:
    """The name a role filler is given in apposition, else the filler: in "The clinic's board
    chair, Gloria Fenwick, said …" the subject is "chair", but who said it is Gloria Fenwick."""
    if token.pos_ == "PROPN" or token.ent_type_:
        return token
    return next((c for c in token.children if c.dep_ == "appos" and (c.pos_ == "PROPN" or c.ent_type_)),
                token)


def _name_head(token: Token) -> Token:
    """The head of the name ``token`` is part of: "Luis" in "Luis Ortega" → "Ortega"."""
    while token.dep_ in {"compound", "flat"} and token.head.i != token.i:
        token = token.head
    return token


def _fillers(doc: Doc, gap: Gap) -> list[Token] | None:
    """The head words filling the gap of every verb sharing the question's predicate; None: no
    such verb."""
    verbs = [
        t
        for t in doc
        if t.pos_ in {"VERB", "AUX"}
        and _stems(t.text) & gap.stems
        and (gap.particle is None or any(c.lower_ == gap.particle for c in t.children))
    ]
    if not verbs:
        return None
    found = [h for verb in verbs for h in _role_fillers(verb, gap.role)]
    # "A and B lobbied …": the conjuncts fill it too.
    found.extend(c for h in list(found) for c in h.conjuncts)
    return found


#: Verbs whose forms the stemmer leaves apart (or drops as stopwords): "said" and "says" are one verb.
_IRREGULAR = {
    "said": "say",
    "says": "say",
    "saying": "say",
    "told": "tell",
    "tells": "tell",
    "telling": "tell",
}


def _stems(word: str) -> frozenset[str]:
    lower = word.lower()
    if lower in _IRREGULAR:
        return frozenset({_IRREGULAR[lower]})
    return frozenset(terms(word)) or frozenset({lower, _IRREGULAR.get(lower, lower)})


def _role_fillers(verb: Token, role: str) -> list[Token]:
    """What fills ``role`` of ``verb``: its subjects or agent, or its objects or passive subject."""
    passive = any(c.dep_ in _PASSIVE_SUBJECTS or c.dep_ == "auxpass" for c in verb.children)
    found: list[Token] = []
    for child in verb.children:
        if role == "subject" and child.dep_ in _SUBJECTS and not passive:
            found.append(_through_relative(child))
        elif role == "subject" and child.dep_ == "agent":  # "posted by X"
            found.extend(c for c in child.children if c.dep_ == "pobj")
        elif role == "object" and (child.dep_ in _OBJECTS or child.dep_ in _PASSIVE_SUBJECTS):
            found.append(_through_relative(child))
    if not found and role == "subject" and verb.dep_ == "relcl" and not passive:
        found.append(verb.head)  # "the senator who wrote …": the noun the clause hangs off
    if not found and role == "subject" and verb.dep_ in {"xcomp", "advcl"} and not passive:
        # "Porter Bay rallied … to beat the Hawks, ending a streak": the clause's subject is the main one.
        found.extend(c for c in verb.head.children if c.dep_ in _SUBJECTS)
    if not found and role == "object" and verb.dep_ == "acl" and verb.tag_ == "VBN":
        found.append(verb.head)  # "the man arrested on Friday": the noun the participle describes
    return found


def _through_relative(token: Token) -> Token:
    """ "who"/"which"/"that" as a subject stands for the noun its clause describes."""
    if token.tag_ in {"WP", "WDT"} and token.head.dep_ == "relcl":
        return token.head.head
    return token


def _phrase(doc: Doc, head: Token) -> str | None:
    """``head`` with its determiners, modifiers and an "of" phrase: "Several members of Congress"."""
    kept = {head.i}
    for child in head.children:
        before = child.i < head.i and child.dep_ not in {"punct", "cc"}
        if before or child.dep_ in {"compound", "flat"} or child.lower_ == "of":
            kept.update(t.i for t in child.subtree)
    lo = hi = head.i
    while lo - 1 in kept:  # the run of consecutive words around the head
        lo -= 1
    while hi + 1 in kept:
        hi += 1
    if hi - lo + 1 > _MAX_TOKENS:
        return None
    text = doc[lo : hi + 1].text
    return re.sub(r"^(?:the|a|an)\s+", "", text, flags=re.I).strip(" ,.;:") or None


#: Longest whole source offered in place of a name that is only part of it, in words.
_MAX_SOURCE_WORDS = 14
#: Where a climb from a name up its noun phrase leaves the phrase: a clause of its own.
_CLAUSES = frozenset({"ROOT", "ccomp", "advcl", "xcomp", "parataxis"})


def source_phrase(sentence: str, speaker: str) -> str | None:
    """The whole source ``speaker`` is only part of, as the sentence writes it: "a USA TODAY analysis
    of newly filed campaign-finance reports" (the subject of "shows") for "USA TODAY", "many tax
    experts, including Mr. Goldberg" for "Goldberg", "the event organizer Alliance to Reclaim Our
    Schools (AROS)" for "AROS". None when the name is the source itself ("John Kirby said"), when
    the phrase is long or holds a quotation, or without spaCy."""
    doc = parse(sentence)
    start = sentence.find(speaker)
    if doc is None or start < 0:
        return None
    span = doc.char_span(start, start + len(speaker), alignment_mode="expand")
    if span is None:
        return None
    inside = {t.i for t in span}
    # The source itself, or a name in apposition to it ("The mayor's spokeswoman, Dana Cho, said").
    if any(_is_source(t) or (t.dep_ == "appos" and _is_source(t.head)) for t in span):
        return None
    head = next((h for h in (_source_above(t) for t in span) if h is not None), None)
    if head is None or head.i in inside:
        return None
    tokens = doc[head.left_edge.i : head.right_edge.i + 1]
    text = tokens.text.strip(" ,.;:—–-")
    if len(text.split()) > _MAX_SOURCE_WORDS or any(q in text for q in "“”\""):
        return None
    return text if speaker in text and text != speaker else None


def _is_source(token: Token) -> bool:
    """Whom a sentence attributes its statement to: a subject, a passive's agent, "according to" X."""
    if token.dep_ in _SUBJECTS:
        return True
    if token.dep_ != "pobj":
        return False
    return token.head.dep_ == "agent" or (token.head.lower_ == "to" and token.head.head.lower_ == "according")


def _source_above(token: Token) -> Token | None:
    """The nearest word above ``token`` that is the source, within its noun phrase."""
    for above in token.ancestors:
        if _is_source(above):
            return above
        if above.dep_ in _CLAUSES and above.pos_ in {"VERB", "AUX"}:
            return None
    return None
