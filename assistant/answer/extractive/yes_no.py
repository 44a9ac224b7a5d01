"""Answer a yes/no question "Yes" or "No" from the sentence that answers it.

No model: the verdict is "No" when the sentence negates what the question
asks (a negation cue such as "not", "never", "no longer", "unable", "only …
yet to", near the question's own words) and "Yes" otherwise; a question
that is itself negated ("Didn't he …?") flips it. The sentence is still
shown beneath, so a reader can check the verdict.
"""

from __future__ import annotations

import functools
import re

from assistant.analysis.text import terms

_NEGATION = re.compile(
    r"\b(?:not|no|never|none|nobody|nothing|neither|nor|without|unable|cannot|can't|won't|"
    r"no longer|yet to|refused|refuses|denied|denies|failed|fails|lack\w*|least|little|"
    r"losing|lost|unclear|unknown)\b|n[’']t\b",
    re.I,
)
_NEGATED_QUESTION = re.compile(r"^\W*\w+n[’']t\b|\bnot\b", re.I)
#: A negation cue counts when a question word is within this many characters of it.
NEAR = 60


def verdict(question: str, sentence: str) -> str:
    """ "Yes" or "No" for ``question``, judged from ``sentence``."""
    negated = negates(question, sentence)
    if _NEGATED_QUESTION.search(question):
        negated = not negated
    return "No" if negated else "Yes"


def negates(question: str, sentence: str) -> bool:
    """Whether ``sentence`` has a negation cue near one of ``question``'s words."""
    asked = set(terms(question))
    for cue in _NEGATION.finditer(sentence):
        window = sentence[max(0, cue.start() - NEAR) : cue.end() + NEAR]
        if asked & set(terms(window)) or not asked:
            return True
    return False


#: Verbs and words of opposite sense that news statements turn on ("keep buying" / "stop buying").
_OPPOSITES = (
    ("keep", "stop"), ("keep", "quit"), ("pass", "fail"), ("rise", "fall"), ("raise", "cut"),
    ("increase", "decrease"), ("increase", "cut"), ("open", "close"), ("win", "lose"), ("accept", "reject"),
    ("approve", "reject"), ("support", "oppose"), ("hire", "lay"), ("add", "cut"), ("expand", "shrink"),
    ("start", "end"), ("include", "exclude"), ("safe", "unsafe"), ("gain", "lose"), ("allow", "ban"),
    ("early", "late"),
)


def polarity_differs(claim: str, sentence: str) -> bool:
    """Whether one of ``claim`` and ``sentence`` negates what the other says: "Who said fares would
    go up?" and "We will not raise fares", "… failed its inspection" and "… passed it", "… stop
    buying it" and "… keep buying it"."""
    if bool(_NEGATION.search(claim)) != negates(claim, sentence):
        return True
    said, told = set(terms(claim)), set(terms(sentence))
    for a, b in _opposite_stems():
        if (a in said and b in told and b not in said) or (b in said and a in told and a not in said):
            return True
    return False


@functools.cache
def _opposite_stems() -> tuple[tuple[str, str], ...]:
    return tuple((terms(a)[0], terms(b)[0]) for a, b in _OPPOSITES)


_ARTICLE = r"(?:by\s+|a\s+|an\s+|the\s+)?"
_ALTERNATIVE = re.compile(rf"\b{_ARTICLE}(\w[\w-]*)\s+or\s+{_ARTICLE}(\w[\w-]*)\W*$", re.I)


def alternative(question: str, sentence: str) -> str | None:
    """For "… by judge or jury?": the option the sentence names (only one of them), else None."""
    match = _ALTERNATIVE.search(question)
    if not match or match.group(2).lower() == "not":
        return None
    found = [o for o in match.groups() if re.search(rf"\b{re.escape(o)}", sentence, re.I)]
    return found[0] if len(found) == 1 else None
