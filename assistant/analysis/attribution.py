"""Who said it: find the speaker named in an attribution sentence.

News attributions take a few shapes: ``…,” said John Kirby, the NSC's
coordinator…``, ``…,” Syrskyi said.``, ``…, according to CNN.``, ``said
Ukrainian military commander Oleksandr Syrskyi, defending…``. The functions
here return the speaker as written in the sentence, never invented text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.analysis.lexicon import SPEAKER_NAME, SPEAKER_NAME_WORD, SPEECH_VERBS
from index.models import Article, Sentence

_VERBS = SPEECH_VERBS
_NAME_WORD = SPEAKER_NAME_WORD
_NAME = SPEAKER_NAME
_PRONOUNS = {
    "He",
    "She",
    "They",
    "It",
    "We",
    "I",
    "You",
    "This",
    "That",
    "There",
    "But",
    "The",
    "A",
    "An",
    "In",
    "On",
    "And",
}
# Words that end a speaker description: what follows is the statement, not the speaker.
_NOT_SPEAKER = frozenset(
    "that if it he she they we this would will was is to in on of for and but as when "
    "there his her their its".split()
)

#: "Ruiz called the vote “the most important thing …”": "called" attributes speech only when a
#: quotation follows it closely ("a drug called CB-114", "called the police" do not).
_CALLED_REACH = 60
# "…,” said John Kirby, the NSC's coordinator" / "said Ukrainian commander Oleksandr Syrskyi"
_VERB_THEN_SPEAKER = re.compile(
    rf"\b(?:{_VERBS})\s+(?P<speaker>[^,.;:“”\"()]{{1,80}}?(?<=[A-Za-z)]))"
    rf"(?=\s*(?:[,.;:“”\"]|\s+(?:according|in|on|at|who|when|after|before|during|defending)\b|$))"
    rf"(?P<role>,\s+(?:the|a|an|his|her|their)\s[^,.;“”\"]*)?"
)
# "Syrskyi said" / "Russian President Vladimir Putin previously said" / "Michael Mulgrew,
# president of the union, which represents teachers, said"
_SPEAKER_THEN_VERB = re.compile(
    rf"(?P<speaker>{_NAME})(?:,[^,]{{1,80}},(?:[^,]{{1,80}},)?)?(?:\s+\w+ly)?,?\s+(?:{_VERBS})\b"
)
_SPEAKER_THEN_CALLED = re.compile(
    rf"(?P<speaker>{_NAME})(?:,[^,]{{1,80}},(?:[^,]{{1,80}},)?)?(?:\s+\w+ly)?,?\s+called\b"
)
# "Obama's former campaign strategist said": a role described through a name.
_ROLE_THEN_VERB = re.compile(rf"(?P<speaker>{_NAME_WORD}[’']s(?:\s+[a-z][\w-]*){{1,4}})\s+(?:{_VERBS})\b")
# The sentence's subject speaks later on: "Dean, a former DNC chairman, poked at …, tweeting, “…”",
# "Following a meeting, the Security Council issued a statement calling …",
# "Mr. Schultz supported Democrats …, and said he did not …".
_SUBJECT_THEN_PARTICIPLE = re.compile(
    rf"^(?:[^“”\"]{{0,80}}?,\s+)?(?P<speaker>(?:the\s+)?{_NAME})(?:,[^,]{{1,90}},)?\s[^“”\"]*"
    rf"\b(?:saying|tweeting|writing|adding|telling|arguing|noting|warning|declaring|insisting|calling|"
    rf"and\s+(?:{_VERBS}))\b"
)
# Capitalised sentence openers that are not names ("Following a meeting, …").
_OPENERS = frozenset(
    "Following According After Before During Despite Speaking Asked Meanwhile However Still Later "
    "Earlier Yesterday Today Last Next Since While Although When If".split()
)
# "A spokeswoman for Meridian Hospital, … said": a name inside the subject's phrase is not who spoke.
_PART_OF_PHRASE = re.compile(r"\b(?:for|of|at|from|with|to|in|on|by|and)\s+(?:the\s+)?$")
_ACCORDING_TO = re.compile(rf"\baccording to\s+(?P<speaker>(?:the\s+)?{_NAME})")
_WRITTEN_BY = re.compile(rf"\b(?:written|signed|sent)\s+by\s+(?P<speaker>{_NAME}(?:,\s+(?:and\s+)?{_NAME})*)")


def speaker_in(sentence: str) -> str | None:
    """The speaker an attribution sentence names (with a role if given), or None.

    Of all attribution shapes found outside quotation marks, the earliest
    wins: a trailing "…, Reuters reported" names the outlet, not the speaker.
    """
    outside = _outside_quotes(sentence)
    found: list[tuple[int, str]] = []
    patterns = (
        _VERB_THEN_SPEAKER,
        _SPEAKER_THEN_VERB,
        _ROLE_THEN_VERB,
        _WRITTEN_BY,
        _ACCORDING_TO,
        _SUBJECT_THEN_PARTICIPLE,
        _SPEAKER_THEN_CALLED,
    )
    for pattern in patterns:
        for match in pattern.finditer(outside):
            if pattern is _SPEAKER_THEN_CALLED and not _quote_follows(sentence, match.end()):
                continue
            if pattern in (_SPEAKER_THEN_VERB, _SPEAKER_THEN_CALLED) and _PART_OF_PHRASE.search(
                outside[: match.start("speaker")]
            ):
                continue
            listing = pattern in (_WRITTEN_BY, _ROLE_THEN_VERB)
            speaker = _valid_speaker(match.group("speaker"), listing=listing)
            if speaker is None:
                continue
            role = match.groupdict().get("role")
            if role:
                speaker += role.rstrip()
            found.append((match.start("speaker"), speaker))
            break
    return min(found)[1] if found else None


def _valid_speaker(text: str, listing: bool = False) -> str | None:
    """Accept a description that ends in a capitalised name and reads as a speaker."""
    words = text.split()
    if not words or words[0] in _PRONOUNS or words[0] in _OPENERS:
        return None
    if listing:
        return text.strip()
    # "of"/"the" end a description ("president of the union") but not a name ("Friends of the Earth").
    described = not re.fullmatch(_NAME, text.strip()) and any(w.lower() in _NOT_SPEAKER for w in words)
    if len(words) > 10 or described:
        return None
    if not re.match(r"[A-Z(]", words[-1]) or not any(w[0].isupper() for w in words):
        return None
    return text.strip()


def is_pronoun_attribution(sentence: str) -> bool:
    """True for ``…,” he said.``: the speaker is named elsewhere."""
    outside = _outside_quotes(sentence)
    return bool(re.search(rf"\b(he|she|they)\s+(?:{_VERBS})\b|\b(?:{_VERBS})\s+(he|she)\b", outside, re.I))


def attribution_sentences(article: Article, sentence: Sentence) -> list[Sentence]:
    """Where a sentence's speaker may be named, nearest first.

    The sentence itself; the rest of its quotation up to the sentence that
    closes it, then back to where it opened (a speaker named mid-quote, as in
    ``…with Trump," Sanders said, suggesting…``); then its neighbours.
    """
    sentences = article.sentences
    index = sentences.index(sentence)
    close = sentence.quote_close or (sentence.id if _closes_quote(sentences, index) else None)
    chain = [sentence]
    if close:
        members = [i for i, s in enumerate(sentences) if s.quote_close == close or s.id == close]
        chain += [sentences[i] for i in members if i > index]
        chain += [sentences[i] for i in reversed(members) if i < index]
    for j in (index + 1, index - 1):
        if 0 <= j < len(sentences):
            neighbour = sentences[j]
            if neighbour.paragraph == sentence.paragraph and neighbour not in chain:
                chain.append(neighbour)
    return chain


def _closes_quote(sentences: Sequence[Sentence], index: int) -> bool:
    return index > 0 and sentences[index - 1].quote_close == sentences[index].id


def find_speaker(article: Article, sentence: Sentence) -> tuple[str, Sentence] | None:
    """The speaker of ``sentence`` and the sentence naming them, looking around it."""
    for candidate in attribution_sentences(article, sentence):
        speaker = speaker_in(candidate.text)
        if speaker:
            return speaker, candidate
    quoted = sentence.text.lstrip()[:1] in '“"'
    if quoted or is_pronoun_attribution(sentence.text) or sentence.quote_close:
        # News convention: a quote paragraph with no attribution continues the last speaker.
        return _last_named_speaker(article, sentence)
    return None


def _last_named_speaker(article: Article, sentence: Sentence) -> tuple[str, Sentence] | None:
    """Resolve "he said" to the last speaker named before it."""
    index = article.index_of(sentence.id)
    earlier: Sequence[Sentence] = article.sentences[max(0, index - 6) : index]
    for candidate in reversed(earlier):
        speaker = speaker_in(candidate.text) or _subject_name(candidate.text)
        if speaker:
            return speaker, candidate
    return None


# "The board's president, Lorraine Albright, is not related to him. She said …": "she" is the person
# the sentence before is about, even though that sentence quotes nobody.
_NAMED_SUBJECT = re.compile(
    rf"^(?:(?:The|A|An|Her|His|Their)\s[^,“”\"]{{1,60}},\s+)?(?P<speaker>{_NAME})(?:,[^,“”\"]{{1,90}},)?,?"
    rf"(?:\s+\w+ly)?\s+(?:is|was|has|had|will|would|could|can|did|does|took|made|gave|won|led|ran|lost|"
    rf"left|met|spoke|became|came|went|got|held|kept|\w+ed)\b"
)


def _subject_name(sentence: str) -> str | None:
    """The named person a sentence opens on as its subject, if any."""
    match = _NAMED_SUBJECT.match(sentence.lstrip())
    return _valid_speaker(match.group("speaker")) if match else None


def _quote_follows(sentence: str, at: int) -> bool:
    """Whether a quotation opens within :data:`_CALLED_REACH` characters after ``at``."""
    return any(q in sentence[at : at + _CALLED_REACH] for q in '“"')


def _outside_quotes(sentence: str) -> str:
    """The sentence with quoted words blanked (same length), so they are not read as verbs."""
    out = []
    inside = False
    for ch in sentence:
        if ch == "“":
            inside = True
            out.append(" ")
        elif ch == "”":
            inside = False
            out.append(" ")
        elif ch == '"':
            # Straight quotes: direction from context (a sentence may start inside a quote).
            inside = _opens(sentence, len(out))
            out.append(" ")
        else:
            out.append(" " if inside and ch != " " else ch)
    return "".join(out)


def _opens(text: str, i: int) -> bool:
    """Whether the straight quote at ``i`` opens a quotation (else it closes one)."""
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    if before.isspace() or before in "([—–-":
        return not after.isspace()
    return False
