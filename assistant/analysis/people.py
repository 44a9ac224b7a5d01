"""People, not strings: one person per article whatever the mention, and one across articles by name.

In an article (:class:`ArticlePeople`), "John Kirby", "Kirby", "Mr. Kirby", "he" (resolved by
:mod:`assistant.analysis.quotes`) and "the spokesman" after he was described as one are one person:
a name joins the person with its surname whose first name, if both give one, is the same; a
description ("the spokesman") joins the latest person whose description has its last word.

Across articles (:mod:`assistant.analysis.library_people`) people are merged by name, with the
description as evidence; the words here split a mention into name and description.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from assistant.analysis.lexicon import SPEECH_VERBS
from assistant.analysis.text import STOPWORDS, terms
from index.models import Article

#: Words before a name that say who the person is, not what they are called.
TITLE_WORDS = frozenset(
    """president vice sen. sen senator rep. rep representative gov. gov governor secretary mr. mr mrs. mrs
    ms. ms dr. dr gen. gen general judge justice chairman chairwoman chair chief mayor minister prime
    director commissioner ambassador attorney speaker leader majority minority press state foreign
    defense house white u.s. us former candidate nominee democratic republican gop commander lt. col.
    adm. sgt. capt. officer spokesman spokeswoman spokesperson professor prof. rev. pope king queen
    prince ceo executive deputy assistant lawmaker council councilman councilwoman coach manager
    analyst economist homeland security national federal senior campaign committee union county city
    presidential democrat republican sheriff police detective inspector lawyer adviser advisor aide
    pastor father sister brother uncle aunt mother wife husband son daughter""".split()
)
_HONORIFIC = re.compile(r"^(?:Mr|Mrs|Ms|Miss|Dr|Sir|Dame|Sens?|Reps?|Gov|Gen|Prof|Rev)\.?$")
#: Not a name's word: a contraction ("It's", "I've") or a word that ends a sentence ("Figures.").
_CONTRACTION = re.compile(r"^(?:it|that|there|here|what|he|she|i|we|they|you)[’'](?:s|ve|re|m|ll|d)$", re.I)
_NOT_NAME = re.compile(r"^(?:\w+[’'](?:s|ve|re|ll|d|m)|\w{3,}\.)$")
#: The rest of a listing of names: "Sen. Roger Wicker, … and Rep. Mike Rogers".
_LISTED = re.compile(r"(?:and\s+)?(?:[A-Z][\w.’'-]*\s*){2,4}(?:,|$|\s+and\b)")
_PARTY_TAG = re.compile(r"\s*\([A-Z]-[A-Z]{2}\)")
_NAME_WORD = re.compile(r"^[A-Z][\w’'.-]*$")
_LINKS = frozenset({"de", "da", "van", "von", "bin", "al", "la", "del"})


@dataclass(slots=True)
class PersonDraft:
    """A person of one article while it is read: the fullest name and the first description."""

    name: str
    description: str | None
    #: Whether the article names them (else ``name`` is a description: "a senior official").
    named: bool
    last_seen: int
    mentions: list[str] = field(default_factory=list)


def split_mention(mention: str) -> tuple[str | None, str | None]:
    """A mention as (name, description): "John Kirby, the NSC's coordinator" → ("John Kirby", "the
    NSC's coordinator"); "Ukrainian military commander Oleksandr Syrskyi" → ("Oleksandr Syrskyi",
    "Ukrainian military commander"); "Obama's former campaign strategist" → (None, itself)."""
    mention = re.sub(r"^(?i:by)\s+", "", mention.replace("\xa0", " ").strip())
    head, _, role = _PARTY_TAG.sub("", mention).partition(", ")
    if role and re.search(r"\band\b", role) and _LISTED.match(role):
        # "Sen. Jim Risch (R-ID), Sen. Roger Wicker (R-MS), … and Rep. Mike Rogers": a group, unnamed as one.
        return None, _PARTY_TAG.sub("", mention)
    words = head.split()
    start = len(words)
    while start > 0 and (_NAME_WORD.match(words[start - 1]) or words[start - 1] in _LINKS):
        start -= 1
    run = words[start:]
    # "Russian President Vladimir Putin", "Senate Majority Leader Mitch McConnell": the words up to
    # the last title word describe; a capitalised word before a title word too ("Joan" alone is a name).
    # A run of title words alone is a name ("White House", "Justice Department").
    while len(run) > 1 and not all(_title(w) for w in run[1:]) and (
        _title(run[0]) or (len(run) > 2 and _title(run[1]))
    ):
        start, run = start + 1, run[1:]
    if run and run[0].lower() in {"the", "a", "an"}:
        run = run[1:]
    before = " ".join(words[:start]).strip()
    if before.lower() in {"the", "a", "an"}:
        before = ""
    if run and _CONTRACTION.match(run[0]):
        return None, None  # "It's worth noting …": no speaker
    if not run or any(w.endswith(("’s", "'s")) for w in run):
        return None, mention.strip()
    while run and _NOT_NAME.match(run[0]) and not _HONORIFIC.match(run[0]):
        start, run = start + 1, run[1:]  # "Figures. Trump": the name starts after the sentence's end
    if not [w for w in run if not _HONORIFIC.match(w)] or any(_NOT_NAME.match(w) for w in run):
        return None, None
    description = ", ".join(d for d in (before, role.strip()) if d) or None
    return " ".join(run), description


def _title(word: str) -> bool:
    return word.lower() in TITLE_WORDS or bool(_HONORIFIC.match(word))


def name_words(name: str) -> list[str]:
    """A name's words without honorifics: "Mr. Kirby" → ["Kirby"]."""
    return [w for w in name.split() if not _HONORIFIC.match(w) and w not in _LINKS]


def same_name(a: str, b: str) -> bool:
    """The same surname, and the same first name when both give one."""
    x, y = name_words(a), name_words(b)
    if not x or not y or x[-1].lower() != y[-1].lower():
        return False
    return len(x) == 1 or len(y) == 1 or x[0].lower() == y[0].lower()


def namesakes(surname: str, texts: Iterable[str]) -> set[str]:
    """The first names ``texts`` write before ``surname`` ("Hannah Voss", "Tessa Voss" → hannah,
    tessa); titles and sentence words ("Mayor Voss", "On Tuesday Voss said") are no first names."""
    before = re.compile(rf"\b([A-Z][\w’'-]+)\s+{re.escape(surname)}\b")
    return {
        m.group(1).lower()
        for text in texts
        for m in before.finditer(text)
        if not _title(m.group(1)) and m.group(1).lower() not in _NOT_FIRST
    }


def shared_surname(surname: str, articles: Iterable[Article]) -> bool:
    """Whether ``articles`` name two people by ``surname`` (Angela and Mark Whitford): "Whitford"
    alone could be either."""
    return len(namesakes(surname, (s.text for a in articles for s in a.sentences))) > 1


def bare_surnames(question: str) -> list[tuple[str, bool]]:
    """The names a question gives as one capitalised word, each with whether it is possessive
    ("What did Voss say?" → [("Voss", False)]; "Who is Voss's lawyer?" → [("Voss", True)])."""
    words = question.split()
    found = []
    for i, raw in enumerate(words[1:], start=1):
        word = raw.strip("?,.!;:")
        possessive = bool(re.search(r"[’']s?$", word))
        word = re.sub(r"[’']s?$", "", word)
        if not _NAME_WORD.match(word) or _title(word) or word.lower() in _NOT_FIRST:
            continue
        near = (words[i - 1] if i > 1 else "", words[i + 1] if i + 1 < len(words) else "")
        if not any(n[:1].isupper() and not _title(n.strip("?,.")) for n in near):
            found.append((word, possessive))
    return found


def description_terms(description: str | None) -> set[str]:
    """The content words of a description that can tell two people apart."""
    return set(terms(description or "")) - _VAGUE


_VAGUE = frozenset(terms("former current new also one who known longtime"))
#: Capitalised words before a surname that are no first name ("On Tuesday Kirby said").
_NOT_FIRST = STOPWORDS | frozenset(
    "monday tuesday wednesday thursday friday saturday sunday january february march april may june july "
    "august september october november december but and so yet still".split()
)
_LEADING = re.compile(r"^(?:the|a|an|his|her|their|its|our)\s+", re.I)


class ArticlePeople:
    """The people of one article, built mention by mention in article order."""

    def __init__(self, text: str = "") -> None:
        self._text = text
        self._people: list[PersonDraft] = []

    def person(self, index: int) -> PersonDraft:
        """The person numbered ``index``."""
        return self._people[index]

    def __len__(self) -> int:
        return len(self._people)

    def named(self, mention: str, sentence: str, position: int) -> int | None:
        """The person a named mention stands for (a new one for a new name); None: not a name."""
        name, description = split_mention(mention)
        if name is None:
            return self.described(description, None, position) if description else None
        for i in sorted(range(len(self._people)), key=lambda j: -self._people[j].last_seen):
            draft = self._people[i]
            if draft.named and same_name(draft.name, name):
                if len(name_words(name)) > len(name_words(draft.name)):
                    draft.name = name
                draft.description = draft.description or description or _title_before(sentence, name) \
                    or self._appositive(draft.name)
                return self._seen(i, mention, position)
        full = self._full_name(name)
        description = description or _title_before(sentence, name) or self._appositive(full)
        self._people.append(PersonDraft(full, description, True, position))
        return self._seen(len(self._people) - 1, mention, position)

    def described(self, mention: str, recent: int | None, position: int) -> int:
        """The person a description stands for: the latest one it describes, else a new unnamed one."""
        head = mention.split()[-1].lower()
        for i in sorted(range(len(self._people)), key=lambda j: -self._people[j].last_seen):
            draft = self._people[i]
            if re.search(rf"\b{re.escape(head)}\b", (draft.description or "").lower()):
                return self._seen(i, mention, position)
        self._people.append(PersonDraft(mention, mention, False, position))
        return self._seen(len(self._people) - 1, mention, position)

    def _seen(self, index: int, mention: str, position: int) -> int:
        self._people[index].last_seen = position
        self._people[index].mentions.append(mention)
        return index

    def _full_name(self, name: str) -> str:
        """A surname alone as the article names the person in full elsewhere ("Kirby" → "John Kirby")."""
        words = name_words(name)
        if len(words) != 1 or not self._text:
            return name
        pattern = rf"\b((?:[A-Z][\w’'.-]+\s+){{1,2}}){re.escape(words[0])}\b"
        for match in re.finditer(pattern, self._text):
            first = [w for w in match.group(1).split() if not _title(w) and w.lower() not in _NOT_FIRST]
            if first:
                return " ".join([*first, words[0]])
        return name

    def _appositive(self, name: str) -> str | None:
        """What the article calls the person where it names them: "John Kirby, the NSC's coordinator, …"."""
        if not self._text:
            return None
        found = re.search(rf"\b{re.escape(name)},\s+((?:the|a|an)\s[^,.;“”\"]{{3,100}})", self._text)
        if found:
            return found.group(1).strip()
        # "Her coach, Luis Ortega, said": the description before the name.
        before = rf"((?i:the|a|an|his|her|their)\s[^,.;“”\"]{{3,80}}),\s+{re.escape(name)},"
        found = re.search(before, self._text)
        return found.group(1).strip() if found else None


_SPEECH = re.compile(rf"^(?:{SPEECH_VERBS})$", re.I)


def _title_before(sentence: str, name: str) -> str | None:
    """The words just before the name that say who it is: "Hospital chief executive Mark Delaney"."""
    at = sentence.find(name)
    if at <= 0:
        return None
    words = sentence[:at].split()
    kept: list[str] = []
    for word in reversed(words[-5:]):
        if word[-1] in ",;:.“”\"" or word.lower() in STOPWORDS or _SPEECH.match(word):
            break
        kept.insert(0, word)
    found = " ".join(kept)
    return found if kept and any(w.islower() or _title(w) for w in kept) else None
