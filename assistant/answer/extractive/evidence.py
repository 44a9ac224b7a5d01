"""Does the evidence cover the question? Features and a calibrated abstention decision.

The hard checks of :mod:`assistant.answer.extractive.abstain` catch what is
plainly missing (a name the article lacks, no date for "when"). An on-topic
question about a detail the article never states ("Who is the captain of the
Costa Concordia?", "How many pitches did Harvey throw?") passes them: its
names are there, its words meet somewhere. What gives it away is that the
answer offered is about something else:

- ``typed_uncited``: the question asks for a typed span (person, place, date,
  money, age …) and no cited sentence holds one new to the question;
- ``noun_uncited`` / ``verb_uncited``: a typed question whose focus (what it
  asks about: "captain" in "Who was the captain of …?", "pitches" in "How many
  pitches …?"; when its noun only names the answer's type, "Which city …", its
  main verb: "founded", "arrested") the cited sentences do not use, as that
  part of speech ("the Mets managed" is no manager); ``focus_uncited`` is the
  same for any question (shown in the diagnostics, not weighed); ``focus_absent``: a
  noun focus that no article of the scope uses at all (the article never speaks of a
  "deputy"), any question type, also shown, not weighed: refitted on half a it got a
  weight of -0.02 (focus_uncited already holds it), and as a rule of its own it would
  abstain on 15 answerable questions (crowd questions paraphrase: "occupation",
  "children") for 6 more unanswerable ones;
- ``noun_absent``, ``verb_absent``, ``name_uncited``, ``relation_absent``
  (:mod:`assistant.answer.extractive.unmet`): a word or name of the question the scope
  or the cited sentences never use; shown, not weighed (round 3 of issue 21);
- ``confidence``: the answer's calibrated confidence; ``follow_up``: the question
  leans on earlier turns (few words of its own: the conversation carries it).

Measured on half a (evals.abstention): the share of the question's words the
article never uses, their coverage by the cited sentences, the coverage of its
names and the two-sentence window coverage did not separate the project's
on-topic unanswerable questions from the dev questions (unanswerable ones
reuse the article's words more than the crowd-written answerable ones do).

Separately, :func:`speaker_other` abstains outright on "What did X say about …?" /
"How did X respond to …?" when no cited sentence names X or is X's quotation.

:func:`unanswerable` combines them in a logistic whose weights and threshold
are fields of :class:`~assistant.settings.AbstainSettings` (fitted on half a of
the dev articles plus the project's half-a unanswerable questions).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping, Sequence

from assistant.analysis.attribution import find_speaker
from assistant.analysis.focus import focus, focus_word, mentions
from assistant.analysis.lexicon import NAME_WORDS
from assistant.analysis.questions import Question
from assistant.analysis.short_answer import extract
from assistant.analysis.spans import LABELS, has_typed_span
from assistant.answer.extractive.abstain import vocabulary
from assistant.answer.extractive.unmet import unmet_features
from index.models import Article


def evidence_features(
    question: Question,
    query: str,
    articles: Mapping[str, Article],
    cited: Sequence[tuple[str, str]],
    confidence: float,
    follow_up: bool = False,
    searched: Sequence[str] = (),
) -> dict[str, float]:
    """The features :func:`unanswerable` weighs, for an answer citing ``cited`` (empty: none cited).

    ``searched``: the articles retrieval found. Over a library the focus noun is looked for in
    those only: reading every article on each ask took 0.86 s of a 0.92 s ask at 330 articles,
    and a noun present in an article the word search did not find is rare.
    """
    if not cited:
        return {}
    texts = [articles[a].sentence(s).text for a, s in cited]
    asked_for = focus(question.text) or focus(query)
    # "Who is X's coach?" asks for whoever coaches X: a role noun is met by its verb ("has coached
    # X"); a thing is not ("the final score" by "scored 20 points", on the _tune set).
    role = asked_for is not None and question.kind == "person"
    word = focus_word(question.text, asked_for) if role and asked_for is not None else None
    focus_uncited = asked_for is not None and not any(mentions(t, asked_for, word) for t in texts)
    typed = _typed(question)
    noun = asked_for is not None and asked_for[1] == "NOUN"
    absent = (
        asked_for is not None
        and noun
        and focus_uncited
        and not any(asked_for[0] in vocabulary(a.text) for a in _pool(articles, searched))
    )
    scope = [vocabulary(a.text) for a in _pool(articles, searched)]
    unmet = unmet_features(question, texts, scope)
    typed_uncited = typed and not any(_holds_type(question, t) for t in texts)
    return {
        **unmet,
        # Nothing of the type asked for cited, and the relation asked about nowhere in the scope
        # ("Where is Mandiant based?"): on the tuning sets 2 answerable questions against 14 not.
        "relation_absent": float(typed_uncited and bool(unmet["verb_absent"])),
        "typed_uncited": float(typed_uncited),
        "noun_uncited": float(typed and noun and focus_uncited),
        "verb_uncited": float(typed and not noun and focus_uncited),
        "focus_uncited": float(focus_uncited),
        "focus_absent": float(absent),
        "confidence": confidence,
        "follow_up": float(follow_up),
    }


def _pool(articles: Mapping[str, Article], searched: Sequence[str]) -> Iterator[Article]:
    """The articles to look for a word in: the one in scope, or over a library those searched."""
    if len(articles) <= 1 or not searched:
        yield from articles.values()
        return
    for article_id in dict.fromkeys(searched):
        if article_id in articles:
            yield articles[article_id]


#: "What did Angela Merkel say about …?", "How did Donald Trump respond to …?": who is asked to speak.
_SAYER = re.compile(
    r"^\W*(?i:what|how)\s+(?i:did|does|has|had)\s+(?P<x>[A-Z][\w’'.-]*(?:\s+[A-Z][\w’'.-]*)*)\s+"
    r"(?i:say|said|tell|told|write|wrote|respond|responded|react|reacted|reply|replied|answer)\b"
)


def speaker_other(
    question: Question, articles: Mapping[str, Article], cited: Sequence[tuple[str, str]]
) -> str | None:
    """For "What did X say about …?": X, when no cited sentence is X's: none names X, and the speaker
    found for them is someone else (or none is found); else None."""
    asked = _SAYER.match(question.text)
    if asked is None or not cited:
        return None
    x = NAME_WORDS.findall(asked.group("x"))
    for article_id, sentence_id in cited:
        article = articles[article_id]
        sentence = article.sentence(sentence_id)
        found = find_speaker(article, sentence)
        # X speaks, or the sentence names X (reported speech: "Omar Haddad, who argued that …").
        if _same_person(x, NAME_WORDS.findall(found[0] if found else "")) or _same_person(
            x, NAME_WORDS.findall(sentence.text)
        ):
            return None
    return asked.group("x")


def _same_person(a: list[str], b: list[str]) -> bool:
    """The same surname, and the same first name when both give one ("Bill Clinton" is not "Hillary
    Clinton"; "Mr. Trump" is "Donald Trump")."""
    a, b = [w for w in a if w not in _TITLES], [w for w in b if w not in _TITLES]
    if not a or not b or a[-1] not in b:
        return False
    return len(a) == 1 or len(b) == 1 or a[0] in b


_TITLES = frozenset("Mr Mrs Ms Miss Dr Sen Rep Gov President Secretary Chancellor Senator".split())


def unanswerable(values: Mapping[str, float], weights: Mapping[str, float]) -> float:
    """The probability (logistic of the weighted features) that the article does not answer."""
    if not values or not weights:
        return 0.0
    z = weights.get("bias", 0.0) + sum(weights.get(k, 0.0) * v for k, v in values.items())
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def _typed(question: Question) -> bool:
    """Asks for a typed span (a who-said speaker comes from attribution instead)."""
    return (question.answer_type in LABELS or question.answer_type == "age") and not question.who_said


def _holds_type(question: Question, text: str) -> bool:
    """``text`` holds a span of the type asked for that the question does not already name."""
    if question.answer_type == "age":
        return extract(question, text) is not None
    return has_typed_span(question, text) is not False
