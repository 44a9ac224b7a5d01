"""What a question asks for: its kind, the answer type it expects, whether it follows up.

Light heuristics over the question's first words; no tagger. The kinds drive
short-answer extraction (:mod:`assistant.short_answer`), the answer-type check
that abstains when the evidence holds no date for a "when" question, and the
reranking of candidate sentences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.analysis.text import STOPWORDS, words

_PERSON_NOUNS = (
    r"person|people|man|woman|politician|official|leader|lawmaker|senator|player|coach|actor|actress|"
    r"singer|rapper|president|executive|spokesman|spokeswoman|candidate|judge|author|writer|director|"
    r"reporter|journalist|lawyer|doctor|member|fighter|boxer|pitcher|officer|activist|expert"
)
# Kinds: person, date, place, number, choice (which/what + noun), yes_no, reason, other.
_LEADS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # "Who estimated how much it would cost?": a person, whatever "how much" comes after.
    ("person", re.compile(r"^\W*(?:and\s+|so\s+|btw,?\s+)?(who|whom)\s+(?!is\b|was\b|are\b|were\b)", re.I)),
    ("number", re.compile(r"\bhow\s+(many|much|old|long|far|tall|big|often)\b", re.I)),
    # "Since when has he coached her?", "Until when …?": a date all the same.
    (
        "date",
        re.compile(
            r"^\W*(?:and\s+|so\s+|btw,?\s+)?(?:(?:since|until|till|by|from)\s+)?"
            r"(when|what\s+(year|day|month|date|time))\b",
            re.I,
        ),
    ),
    ("date", re.compile(r"\b(in|on)\s+what\s+(year|day|month|date)\b|\bwhat\s+(year|month)\b", re.I)),
    ("place", re.compile(r"^\W*(?:and\s+|so\s+)?where\b|\bin\s+what\s+(city|country|state|town)\b", re.I)),
    ("place", re.compile(r"\bwhat\s+(city|country|state|town|nation|region)\b", re.I)),
    ("person", re.compile(r"^\W*(?:and\s+|so\s+|btw,?\s+)?(who|whom|whose)\b|\bwho\b", re.I)),
    # "Which politician …", "What player …": a person, though worded like a pick.
    ("person", re.compile(rf"\b(?:which|what)\s+(?:\w+\s+)?(?:{_PERSON_NOUNS})s?\b", re.I)),
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
#: A request for a summary, by its form: "What is this article about?", "Summarize (the story about X)",
#: "What happened?", "main points", "key facts", "Give me a summary", "tl;dr".
_DOC = (
    r"(?:this|the|that|these|it)"
    r"(?:\s+(?:article|story|piece|text|report|post|news|articles|stories|blog|live\s+blog))?"
)
_SUMMARY = re.compile(
    r"^\W*(?:(?:so|ok|okay|and|please|now|hey)\W+)*(?:(?:can|could|would)\s+you\s+(?:please\s+)?)?(?:"
    rf"what(?:'s|’s|\s+is|\s+was|\s+are)\s+{_DOC}(?:\s+(?:all|mainly|really))?\s+about\b"
    r"|summar(?:i[sz]e|y)\b|sum\s+(?:it|this|that)\s+up\b|tl;?\s?dr\b|brief\s+me\b|recap\b"
    r"|(?:give|show|tell|write)\s+(?:me|us)?\s*(?:a|an|the)\s+(?:short\s+|brief\s+|quick\s+)?"
    r"(?:summary|overview|gist|rundown|recap|highlights|takeaways?)\b"
    r"|(?:a\s+|an\s+|the\s+)?(?:short\s+|brief\s+|quick\s+)?(?:overview|gist|rundown|highlights)\b"
    # Asked with nothing after: "What happened?", "What does the article say?", "What's the story?"
    r"|(?:what\s+happened|what(?:'s|’s|\s+is)\s+(?:going\s+on|new|the\s+latest|the\s+(?:story|news))|"
    rf"what\s+(?:does|did)\s+{_DOC}\s+say)"
    r"\s*(?:here|in\s+(?:this|the)\s+(?:article|story))?\s*[?.!]*\s*$"
    r"|(?:what\s+(?:are|were)\s+)?(?:the\s+)?(?:main|key)\s+(?:points|facts|takeaways|ideas|events|findings)\b"
    r"|in\s+(?:short|brief)\s*[?.!]*\s*$)",
    re.I,
)
#: The words of a summary request that name no topic ("Summarize the story about the strike": "strike").
SUMMARY_FORM_WORDS = frozenset(
    "what whats is was are were this the that these it article articles story stories piece text report post "
    "news about all mainly really summary summarize summarise summarized sum up tl dr tldr give show tell "
    "write me us a an short brief quick overview gist rundown recap happened here in main key points facts "
    "takeaways ideas events findings so ok okay and please now hey can could would you of on my your blog "
    "live brief highlights takeaway going new latest say does did".split()
)
_WHAT_ELSE = re.compile(r"\b(else|more|other|another|too|also)\b", re.I)
_QUOTED = re.compile(r"[“\"]([^”\"]{8,})[”\"]")


@dataclass(frozen=True, slots=True)
class Question:
    """A question's analysis."""

    text: str
    #: person, date, place, number, choice, yes_no, reason, summary or other.
    kind: str
    who_said: bool
    #: Three words or fewer: "When?", "With whom?" need the conversation.
    elliptical: bool
    #: "What else did he say?": skip what the conversation already cited.
    what_else: bool
    #: Text the question quotes (a who-said template quotes the statement).
    quoted: str | None
    #: The answer type expected: person, organisation, place, date, number, money, percentage,
    #: duration, description ("Who is X?"), quote ("What did X say?"), yes_no, reason or other.
    answer_type: str = "other"
    #: For a description: the name asked about ("Who is John Kirby?" → "John Kirby").
    subject: str | None = None

    @property
    def wants_short(self) -> bool:
        """Questions whose answer is a name, date, number, place or pick."""
        return self.kind in {"person", "date", "place", "number", "choice"}


def analyse(question: str) -> Question:
    """Classify ``question``."""
    kind = "other"
    for name, pattern in (("summary", _SUMMARY), *_LEADS):
        if pattern.search(question):
            kind = name
            break
    if kind != "summary" and _asks_summary(question):
        kind = "summary"
    quoted = _QUOTED.search(question)
    answer_type, subject = _answer_type(question, kind)
    return Question(
        text=question,
        kind=kind,
        who_said=bool(_WHO_SAID.search(question)),
        elliptical=len(question.split()) <= 3,
        what_else=bool(_WHAT_ELSE.search(question)),
        quoted=quoted.group(1) if quoted else None,
        answer_type=answer_type,
        subject=subject,
    )


_NAME_SPAN = r"(?:[A-Z][\w’'.-]*)(?:\s+(?:of\s+|de\s+|the\s+)?[A-Z][\w’'.-]*)*"
# "Who is John Kirby?", "Who was Dayana Arlotti?", "Who is he?" (a follow-up).
_WHO_IS = re.compile(
    rf"^\W*(?i:and\s+|so\s+)?(?i:who\s+(?:is|was|are|were))\s+(?P<x>{_NAME_SPAN}|he|she|they|him|her)\s*\??\s*$"
)
# "What is Kirby's job?", "What was his role?", "What does Kirby do for a living?"
_ROLE = re.compile(
    rf"^\W*(?i:and\s+)?(?i:what\s+(?:is|was|are|were))\s+(?:(?P<x>{_NAME_SPAN})[’']s?|his|her|their)\s+"
    r"(?:job|title|role|position|occupation|profession|post|work)\b"
    rf"|^\W*(?i:what\s+(?:does|did))\s+(?P<y>{_NAME_SPAN}|he|she)\s+do\b"
    # "What was the profession of Moussa Mohammad?"
    rf"|^\W*(?i:what\s+(?:is|was)\s+the\s+(?:job|title|role|position|occupation|profession)\s+of)\s+"
    rf"(?P<z>{_NAME_SPAN})",
)
# "What was the judge's name?", "What is the name of his mother?": a person's name.
_PERSON_NAME = re.compile(
    rf"\bname\s+of\s+(?:the\s+|his\s+|her\s+|their\s+|(?:[\w-]+\s+){{0,2}}[\w-]+[’']s\s+)?(?:{_PERSON_NOUNS}|mother|father|wife|"
    r"husband|son|daughter|brother|sister|partner|friend|victim|suspect|owner|boss)\b"
    rf"|\b(?:{_PERSON_NOUNS}|mother|father|wife|husband|son|daughter|brother|sister|partner|victim|suspect|owner)"
    r"[’']s\s+(?:full\s+)?name\b",
    re.I,
)
#: "Month that Michael Brown was shot.": a date named by its unit.
_DATE_UNIT = re.compile(r"^\W*(?:the\s+|which\s+|what\s+)?(?:month|year|day|date)\b", re.I)
#: "What movies did he work on?": titles of works.
_WORKS = re.compile(
    r"\b(?:which|what)\s+(?:\w+\s+)?(?:movies?|films?|books?|songs?|albums?|shows?|plays?|novels?|operas?)\b",
    re.I,
)
_ORG_NOUNS = (
    r"network|company|firm|newspaper|paper|outlet|agency|organi[sz]ation|group|team|club|party|union|"
    r"university|college|school|channel|station|bank|department|committee|court|airline|magazine|"
    r"website|publication|charity|band|label|institution|service|platform|brand|league|manufacturer|"
    r"broadcaster|studio|body|authority|ministry|government|administration|force|army|police"
)
_PLACE_CHOICE = re.compile(
    r"\b(?:which|what)\s+(?:\w+\s+)?(?:city|cities|country|countries|state|states|town|nation|region|island|"
    r"county|province|neighbou?rhood|continent|village)\b",
    re.I,
)
_ORG = re.compile(rf"\b(?:which|what)\s+(?:\w+\s+)?(?:{_ORG_NOUNS})\b", re.I)
_PLACE_NOUNS = (
    "city cities country countries state states town nation region island county province neighborhood "
    "neighbourhood continent village place location"
)
#: Nouns that name an answer's type in "Which network …?", "What player …?", "Which city …?" (they say
#: what kind of thing is wanted, not what it is about).
TYPE_NOUNS = frozenset(
    f"{_PERSON_NOUNS}|{_ORG_NOUNS}".replace("organi[sz]ation", "organisation|organization").split("|")
    + _PLACE_NOUNS.split()
    + "men women persons players team teams year day month date".split()
)
_MONEY = re.compile(
    r"\bhow\s+much\b.*\b(?:cost|costs|pay|paid|pays|spend|spent|worth|money|price|raise[ds]?|donat\w*|"
    r"earn\w*|charge[ds]?|fine[ds]?|budget|salary|reward|owe[ds]?|dollars?)\b|\bhow\s+much\s+money\b",
    re.I,
)
_PERCENT = re.compile(
    r"\bwhat\s+(?:percentage|percent|share|proportion|fraction)\b|\bhow\s+much\s+of\b", re.I
)
_DURATION = re.compile(r"\bhow\s+long\b|\bfor\s+how\s+(?:many\s+)?(?:long|years|months|weeks|days)\b", re.I)
_SAY = re.compile(
    r"^\W*(?:and\s+)?what\s+(?:else\s+|exactly\s+)?(?:did|does|do|has|had)\s+.+\b(?:say|said|tell|told|write|wrote)\b",
    re.I,
)


#: "What is the range of these munitions?", "What was the final score?": a measure wants a quantity.
_MEASURE = re.compile(
    r"^\W*(?:and\s+)?what\s+(?:is|was|are|were)\s+(?:the|its|his|her|their)\s+(?:\w+\s+)?"
    r"(?P<m>range|cost|price|fee|fine|salary|budget|size|weight|length|height|width|depth|population|speed|"
    r"capacity|distance|area|toll|score)\b",
    re.I,
)
_MONEY_MEASURES = frozenset({"cost", "price", "fee", "fine", "salary", "budget"})


def _answer_type(question: str, kind: str) -> tuple[str, str | None]:
    """The expected answer type of ``question`` and, for "Who is X?", X."""
    if kind == "summary":
        return "summary", None
    who_is = _WHO_IS.match(question) or _ROLE.match(question)
    if who_is:
        groups = who_is.groupdict()
        x = groups.get("x") or groups.get("y") or groups.get("z")
        return "description", x
    if _PERSON_NAME.search(question):
        return "person", None
    if _DATE_UNIT.search(question) and kind in {"other", "choice", "date"}:
        return "date", None
    if _WORKS.search(question) and kind in {"other", "choice"}:
        return "work", None
    if kind == "person":
        pass  # "Who estimated how much it costs?" asks for whoever did, not for the sum
    elif _PERCENT.search(question):
        return "percentage", None
    elif _MONEY.search(question):
        return "money", None
    elif _DURATION.search(question):
        return "duration", None
    measure = _MEASURE.search(question)
    if measure and kind == "other":
        return ("money" if measure.group("m").lower() in _MONEY_MEASURES else "number"), None
    if _ORG.search(question) and kind in {"choice", "other", "person"}:
        return "organisation", None
    if kind in {"other", "choice"} and _SAY.search(question):
        return "quote", None
    if kind == "number" and re.search(r"\bhow\s+old\b", question, re.I):
        return "age", None
    if kind == "choice":
        # "Which city …" is a place; "What kind of documentation …" is no named thing.
        return ("place" if _PLACE_CHOICE.search(question) else "other"), None
    if kind == "other" and _SAY.search(question):
        return "quote", None
    return kind, None


#: Words that make a request a summary request when nothing else names a topic ("Tell me what this
#: story is about", "What are the highlights?", "The gist, please").
_SUMMARY_CUES = frozenset(
    "about happened summary summarize summarise overview gist rundown recap highlights highlight "
    "takeaway takeaways points nutshell tldr outline".split()
)
#: Words of a summary request besides :data:`SUMMARY_FORM_WORDS` ("the most important points").
_SUMMARY_EXTRA = frozenset(
    "point important most biggest big briefly nutshell version outline need know".split()
)
#: A person ("What did he say about it?") or "else" makes it a question about the conversation.
_NOT_SUMMARY = frozenset("he she him her his hers they them their theirs else".split())


def _asks_summary(question: str) -> bool:
    """A request made only of summary form words with a summary cue among them: whatever the word
    order, it names no topic and asks for the whole ("Tell me what this story is about")."""
    said = words(question)
    if not said or not _SUMMARY_CUES & set(said) or _NOT_SUMMARY & set(said):
        return False
    return all(w in SUMMARY_FORM_WORDS or w in STOPWORDS or w in _SUMMARY_EXTRA for w in said)


def summary_topic(question: str) -> str:
    """What a summary request is about, when it says ("Summarize the article about the strike" →
    "strike"); "" when it names no topic ("What is this article about?")."""
    return " ".join(w for w in words(question) if w not in SUMMARY_FORM_WORDS and w not in STOPWORDS)


def is_follow_up(question: str) -> bool:
    """Leans on earlier turns: a pronoun, a leading conjunction or very few words."""
    return len(question.split()) <= 3 or bool(_FOLLOW_UP.search(question))
