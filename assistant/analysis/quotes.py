"""Who said what in one article: every attributed statement, with its speaker resolved to a person.

Run at add time (handed to the write path as its :data:`~index.quotes.QuoteExtractor`) with the
question-time attribution logic (:mod:`assistant.analysis.attribution`), so both agree:

* a **direct** statement is a sentence mostly inside quotation marks, or part of a quotation
  running over several sentences (the splitter's ``quote_close``); its speaker is the one named
  where :func:`~assistant.analysis.attribution.attribution_sentences` looks (the sentence, the rest
  of its quotation, its neighbours), a pronoun ("…,” he said") or a description ("the spokesman
  said"); a quote paragraph with no attribution continues the last speaker (news convention);
* a **reported** statement is a sentence outside quotation marks whose own words attribute speech
  ("Kirby said the munitions …", "…, according to the Pentagon").

Mentions become people (:mod:`assistant.analysis.people`): "Kirby", "he" and "the spokesman" after
John Kirby was named are all John Kirby. Consecutive sentences of one person's one statement kind
in a paragraph (or one quotation) make one quote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.analysis.attribution import _outside_quotes, attribution_sentences, speaker_in
from assistant.analysis.lexicon import SPEAKER_NAME, SPEECH_VERBS
from assistant.analysis.people import ArticlePeople
from index.models import Article, Sentence
from index.quotes import Quote

#: A sentence is a direct quotation when at least this share of its characters is inside quotation
#: marks, or this many words are (a scare-quoted phrase, "called it “crazy”", is not a quotation).
QUOTED_SHARE = 0.4
QUOTED_WORDS = 4
#: How far back (sentences) a pronoun or an unattributed quote paragraph looks for its speaker.
REACH = 6

_PRONOUN = re.compile(
    rf"\b(?P<m>he|she)\s+(?:\w+ly\s+)?(?:{SPEECH_VERBS})\b"
    rf"|\b(?:{SPEECH_VERBS})\s+(?P<m2>he|she)\b",
    re.I,
)
# "He claimed vast wealth and said …", "He then defended the remark, saying, “…": a pronoun subject
# whose speech verb comes later in the sentence.
_PRONOUN_LATER = re.compile(
    rf"^(?P<m>He|She)\b[^“”\"]*?(?:\band\s+(?:{SPEECH_VERBS})\b|,\s+(?:saying|adding|writing|tweeting)\b)"
)
# "The Trump campaign has said …", "Donald Trump has long said that …": a speech verb after an auxiliary.
_HAS_SAID = re.compile(
    rf"^(?:[^,“”\"]{{0,60}},\s+)?(?P<m>(?:the\s+)?{SPEAKER_NAME})\s+(?:has|have|had|would|will)\s+"
    rf"(?:\w+ly\s+|long\s+|also\s+)?(?:{SPEECH_VERBS})\b"
)
_DESCRIBED = r"(?:the|a|an)\s+(?:[a-z][\w’'-]*\s+){0,4}?[a-z][\w’'-]*"
# "the spokesman said", "…,” a senior official told reporters" / "said the company's lawyer".
_NOMINAL = re.compile(
    rf"(?:^|[,;—–]\s*|[“”\"]\s*)(?P<m>{_DESCRIBED})\s+(?:\w+ly\s+)?(?:{SPEECH_VERBS})\b"
    rf"|\b(?:{SPEECH_VERBS})\s+(?P<m2>{_DESCRIBED})(?=\s*[,.;]|\s*$)",
    re.I,
)
#: Mention shapes tried after :func:`speaker_in`'s names, in order.
_PATTERNS = ((_HAS_SAID, "name"), (_PRONOUN, "pronoun"), (_PRONOUN_LATER, "pronoun"), (_NOMINAL, "nominal"))
# Verbs after which a sentence reports speech itself, outside quotation marks.
_REPORTING = re.compile(rf"\b(?:{SPEECH_VERBS})\b|\baccording to\b", re.I)


@dataclass(frozen=True, slots=True)
class _Statement:
    sentence: Sentence
    position: int
    kind: str
    person: int
    mention: str
    attribution: str


def extract_quotes(article: Article) -> tuple[Quote, ...]:
    """Every attributed statement of ``article``, in article order, each with its person."""
    people = ArticlePeople(article.text)
    statements: list[_Statement] = []
    last: _Statement | None = None
    for position, sentence in enumerate(article.sentences):
        if sentence.id in article.structural:
            continue
        direct = is_direct(article, position)
        cue = _cue(article, sentence, direct)
        if cue is None and not direct:
            continue
        if cue is not None:
            mention, kind, where = cue
            person = _resolve(people, article, mention, kind, where, last, position)
        elif last is not None and position - last.position <= REACH and _continues(article, last, position):
            # A quote paragraph with no attribution of its own continues the last speaker.
            person, mention, where = last.person, last.mention, article.sentence(last.attribution)
        else:
            person = None
        if person is None:
            continue
        last = _Statement(sentence, position, "direct" if direct else "reported", person, mention, where.id)
        statements.append(last)
    return _quotes(article, statements, people)


def is_direct(article: Article, position: int) -> bool:
    """The sentence is (mostly) a quotation, or inside one that runs over several sentences."""
    sentence = article.sentences[position]
    if sentence.quote_close or (position and article.sentences[position - 1].quote_close):
        return True
    text = _quotes_marked(sentence.text).strip()
    if not text:
        return False
    outside = _outside_quotes(text)
    inside = sum(1 for a, b in zip(text, outside, strict=True) if a != b and not a.isspace())
    quoted_words = len(text.split()) - len(outside.split())
    share = inside / max(1, sum(1 for c in text if not c.isspace()))
    return share >= QUOTED_SHARE or quoted_words >= QUOTED_WORDS


def _cue(article: Article, sentence: Sentence, direct: bool) -> tuple[str, str, Sentence] | None:
    """Where the statement's speaker is mentioned: (mention as written, name/pronoun/nominal, sentence).

    A reported statement's speaker is in its own words; a quotation's may be in its neighbours.
    """
    candidates = attribution_sentences(article, sentence) if direct else [sentence]
    for candidate in candidates:
        text = _quotes_marked(candidate.text)
        outside = _outside_quotes(text)
        if candidate is not sentence and not _REPORTING.search(outside):
            continue
        if not direct and not _REPORTING.search(outside):
            return None
        name = speaker_in(text)
        if name and name.lower().startswith("by") and name in text:
            # "As reported by The Dallas Express, Biden said …": the outlet reports; Biden speaks.
            name = speaker_in(text[text.index(name) + len(name) :].lstrip(" ,")) or name
        if name:
            return name, "name", candidate
        for pattern, kind in _PATTERNS:
            match = pattern.search(outside)
            if match:
                return (match.group("m") or match.groupdict().get("m2") or "").strip(), kind, candidate
    return None


def _quotes_marked(text: str) -> str:
    """``text`` with two apostrophes as quotation marks read as one ('' in some newspapers' text)."""
    return text.replace("''", '"')


def _resolve(
    people: ArticlePeople,
    article: Article,
    mention: str,
    kind: str,
    where: Sentence,
    last: _Statement | None,
    position: int,
) -> int | None:
    """The person a mention stands for (a new one for a new name), or None when unresolved."""
    if kind == "name":
        return people.named(mention, where.text, article.index_of(where.id))
    recent = last.person if last is not None and position - last.position <= REACH else None
    if kind == "pronoun":
        return recent if recent is not None else _last_named(people, article, position)
    return people.described(mention, recent, position)


def _last_named(people: ArticlePeople, article: Article, position: int) -> int | None:
    """A pronoun with no recent statement: the last speaker named in the sentences before it."""
    for earlier in reversed(article.sentences[max(0, position - REACH) : position]):
        name = speaker_in(earlier.text)
        if name:
            return people.named(name, earlier.text, article.index_of(earlier.id))
    return None


def _continues(article: Article, last: _Statement, position: int) -> bool:
    """The unattributed quotation at ``position`` follows the last statement closely (the next
    sentence, or the paragraph after it): news goes on quoting the same speaker."""
    sentence = article.sentences[position]
    return position - last.position == 1 or sentence.paragraph - last.sentence.paragraph <= 1


def _quotes(article: Article, statements: list[_Statement], people: ArticlePeople) -> tuple[Quote, ...]:
    """Consecutive statements of one person, one kind and one paragraph (or quotation) as one quote."""
    groups: list[list[_Statement]] = []
    for statement in statements:
        previous = groups[-1][-1] if groups else None
        if (
            previous is not None
            and previous.person == statement.person
            and previous.kind == statement.kind
            and statement.position - previous.position == 1
            and (previous.sentence.paragraph == statement.sentence.paragraph
                 or previous.sentence.quote_close is not None)
        ):
            groups[-1].append(statement)
        else:
            groups.append([statement])
    quotes = []
    for group in groups:
        person = people.person(group[0].person)
        named = next((s for s in group if s.attribution), group[0])
        quotes.append(
            Quote(
                article_id=article.id,
                sentence_ids=tuple(s.sentence.id for s in group),
                attribution_id=named.attribution,
                kind=group[0].kind,
                speaker=person.name,
                mention=named.mention,
                description=person.description,
                person=group[0].person,
                text=" ".join(s.sentence.text for s in group),
            )
        )
    return tuple(quotes)
