"""What a question asks for: its kind, the answer type it expects, whether it follows up.

Light heuristics over the question's first words; no tagger. The kinds drive
short-answer extraction (:mod:`assistant.short_answer`), the answer-type check
that abstains when the evidence holds no date for a "when" question, and the
reranking of candidate sentences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PERSON_NOUNS = (
    r"person|people|man|woman|politician|official|leader|lawmaker|senator|player|coach|actor|actress|"
    r"singer|rapper|president|executive|spokesman|spokeswoman|candidate|judge|author|writer|director|"
    r"reporter|journalist|lawyer|doctor|member|fighter|boxer|pitcher|officer|activist|expert"
)
# Kinds: person, date, place, number, choice (which/what + noun), yes_no, reason, other.
_LEADS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("number", re.compile(r"\bhow\s+(many|much|old|long|far|tall|big|often)\b", re.I)),
    ("date", re.compile(r"^\W*(?:and\s+|so\s+|btw,?\s+)?(when|what\s+(year|day|month|date|time))\b", re.I)),
    ("date", re.compile(r"\b(in|on)\s+what\s+(year|day|month|date)\b|\bwhat\s+(year|month)\b", re.I)),
    ("place", re.compile(r"^\W*(?:and\s+|so\s+)?where\b|\bin\s+what\s+(city|country|state|town)\b", re.I)),
    ("place", re.compile(r"\bwhat\s+(city|country|state|town|nation|region)\b", re.I)),
    ("person", re.compile(r"^\W*(?:and\s+|so\s+|btw,?\s+)?(who|whom|whose)\b|\bwho\b", re.I)),
    # "Which politician …", "What player …": a person, though worded like a pick.
    ("person", re.compile(rf"\b(?:which|what)\s+(?:\w+\s+)?(?:{_PERSON_NOUNS})\b", re.I)),
    ("reason", re.compile(r"^\W*(?:and\s+|so\s+)?(why|how\s+come)\b", re.I)),
    (
        "choice",
        re.compile(
            r"\bwhich\s+[a-z]+|\bwhat\s+(?!(?:is|was|are|were|do|did|does|has|have|had|can|could|will|would|"
            r"should|might|must|made|makes|caused|causes|happen\w*|\w+ed)\b)[a-z]+",
            re.I,
        ),
    ),
    (
        "yes_no",
        re.compile(
            r"^\W*(?:and\s+|so\s+|but\s+)?(is|was|are|were|do|does|did|has|have|had|can|could|will|"
            r"would|should|may|might)\b",
            re.I,
        ),
    ),
)
_WHO_SAID = re.compile(
    r"\b(who|which\s+(?:person|official|politician|leader|lawmaker|senator|expert|candidate|player|"
    r"coach|executive|spokesman|spokeswoman|member|one))\b.*\b(said|say|says|told|tell|stated|claimed|argued|warned|"
    r"called|described|believes?|thinks?|wrote|source of the following statement|according|"
    r"reported|announced|quoted)\b",
    re.I,
)
_FOLLOW_UP = re.compile(
    r"^\W*(and|so|but|also|btw)\b"
    r"|\b(he|she|they|him|her|his|hers|them|their|it|its|that|this|those|the man|the woman)\b",
    re.I,
)
_WHAT_ELSE = re.compile(r"\b(else|more|other|another|too|also)\b", re.I)
_QUOTED = re.compile(r"[“\"]([^”\"]{8,})[”\"]")


@dataclass(frozen=True, slots=True)
class Question:
    """A question's analysis."""

    text: str
    #: person, date, place, number, choice, yes_no, reason or other.
    kind: str
    who_said: bool
    #: Three words or fewer: "When?", "With whom?" need the conversation.
    elliptical: bool
    #: "What else did he say?": skip what the conversation already cited.
    what_else: bool
    #: Text the question quotes (a who-said template quotes the statement).
    quoted: str | None

    @property
    def wants_short(self) -> bool:
        """Questions whose answer is a name, date, number, place or pick."""
        return self.kind in {"person", "date", "place", "number", "choice"}


def analyse(question: str) -> Question:
    """Classify ``question``."""
    kind = "other"
    for name, pattern in _LEADS:
        if pattern.search(question):
            kind = name
            break
    quoted = _QUOTED.search(question)
    return Question(
        text=question,
        kind=kind,
        who_said=bool(_WHO_SAID.search(question)),
        elliptical=len(question.split()) <= 3,
        what_else=bool(_WHAT_ELSE.search(question)),
        quoted=quoted.group(1) if quoted else None,
    )


def is_follow_up(question: str) -> bool:
    """Leans on earlier turns: a pronoun, a leading conjunction or very few words."""
    return len(question.split()) <= 3 or bool(_FOLLOW_UP.search(question))
