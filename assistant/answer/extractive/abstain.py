"""Decide when the article doesn't say: checks that need no model.

Retrieval scores alone do not separate unanswerable questions (an on-topic
question about a missing fact retrieves close-looking sentences). These
checks look for what the answer would need instead:

- a name the question asks about is not in the article at all ("Tim Cook");
- (off by default) the question's words that the article does use never meet:
  no two adjacent sentences hold most of them;
- a "when" or "how many" question whose best sentences hold no date or number, or
  whose two best hold none but those the question names; a "how much did it cost",
  "what percentage" or "how many" question whose best sentences hold no MONEY, PERCENT
  or CARDINAL span (spaCy) new to the question;
- the best sentence shares almost nothing with the question, in words or meaning.

Follow-ups in a conversation ("When?", "What was his job?") lean on earlier
turns, so only the type check applies to them.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache

from assistant.analysis.focus import QUESTION_TERMS
from assistant.analysis.nlp import parse
from assistant.analysis.questions import Question
from assistant.analysis.short_answer import extract, has_answer_type
from assistant.analysis.spans import has_typed_span
from assistant.analysis.text import terms
from assistant.settings import AbstainSettings
from assistant.types import Hit
from index.models import Article

_CAPITALISED = re.compile(r"(?<=[\w,;:] )[A-Z][\w’'-]*[a-z][\w’'-]*")


def abstain_reason(
    question: Question,
    query: str,
    hits: Sequence[Hit],
    articles: Mapping[str, Article],
    follow_up: bool,
    limits: AbstainSettings,
) -> str | None:
    """Why the article cannot answer ``question`` (a short reason), or None."""
    if not hits:
        return "nothing retrieved"
    top3 = [articles[h.article_id].sentence(h.sentence_id).text for h in hits[:3]]
    if question.kind in {"date", "number"} and not any(has_answer_type(question, t) for t in top3):
        return f"no {question.kind} in the best sentences"
    # A who-said speaker comes from attribution, not from a PERSON span ("the spokesman said").
    checked = question.answer_type in limits.typed_check and not question.who_said
    if checked and not any(
        has_typed_span(question, t) is not False for t in top3[: limits.typed_reach]
    ):
        # "How much did the munitions cost?": no MONEY span (spaCy) that the question does not name.
        return f"no {question.answer_type} span in the best sentences"
    if follow_up:
        return None
    reach = top3[: limits.new_answer_reach]
    if question.kind in {"date", "number"} and not any(extract(question, t) for t in reach):
        # "How many cluster munitions has the US sent?": a number is near, but only ones the
        # question already names ("2 of the 39 ...") or none in the two best sentences.
        return f"no new {question.kind} in the best two sentences"
    if count_unstated(question.text, top3):
        # "How many teachers work at Eastgate?" against "Teachers at Eastgate will be offered …":
        # the best sentences speak of teachers but never count them.
        return "the best sentences never count what the question counts"
    scope = [articles[a] for a in dict.fromkeys(h.article_id for h in hits[:5])]
    if all(_missing_name(question.text, a) for a in scope):
        return "a name in the question is not in the article"
    # Off by default (0): a share is never below it, and computing it costs a library ask ~4 ms.
    least = limits.min_window_coverage
    if least > 0 and window_coverage(question, query, scope) < least:
        return "the question's words never occur together"
    top = hits[0]
    if top.coverage < limits.min_coverage and top.dense < limits.min_dense:
        return "the best sentence is unrelated"
    return None


_HOW_MANY = re.compile(r"\bhow\s+many\b", re.I)
#: A count: digits or number words ("1,200", "two", "dozens", "no"), as the word before a noun.
_COUNT = re.compile(
    r"^(?:\d[\d,.]*|no|none|both|several|one|two|three|four|five|six|seven|eight|nine|ten|eleven|"
    r"twelve|twenty|thirty|forty|fifty|hundred|hundreds|thousand|thousands|dozen|dozens|million|millions)$",
    re.I,
)
#: Words a count may stand before its noun by ("1,200 homes", "about 400 more full-time teachers").
_COUNT_REACH = 4


def count_unstated(question: str, sentences: Sequence[str]) -> bool:
    """"How many N …?" where the sentences use N but no count stands before it (within a few words,
    hyphens split: "a 19-day walkout"). False when the question counts no noun ("How many
    perished?") or no sentence uses N (a paraphrase may hold the count: "father of four")."""
    if not _HOW_MANY.search(question):
        return False
    noun = _counted_noun(question)
    if noun is None:
        return False

    def same(word: str) -> bool:
        return word == noun or (len(noun) >= 4 and same_root(word, noun))

    if not any(same(w) for text in sentences for w in terms(text)):
        return False
    for text in sentences:
        tokens = re.findall(r"[\w’'.,]+", text.replace("-", " "))
        for i, token in enumerate(tokens):
            if _COUNT.match(token.strip(".,")) and any(same(w) for w in terms(" ".join(_phrase(tokens, i)))):
                return False
    return True


def _phrase(tokens: list[str], i: int) -> list[str]:
    """The few words after the count ``tokens[i]`` up to a comma or a conjunction: "two hospitals, and
    school buses" counts hospitals, not buses."""
    out = []
    for token in tokens[i + 1 : i + 1 + _COUNT_REACH]:
        if token.lower() in _BREAKS:
            break
        out.append(token.strip(".,"))
        if token.endswith((",", ".")):
            break
    return out


_BREAKS = frozenset({"and", "or", "but", "while", "as", "than"})


def _counted_noun(question: str) -> str | None:
    """The stem of the noun "many" counts in ``question`` (spaCy), else None."""
    doc = parse(question)
    if doc is None:
        return None
    many = next((t for t in doc if t.lower_ == "many" and t.i and doc[t.i - 1].lower_ == "how"), None)
    if many is None or many.head.pos_ not in {"NOUN", "PROPN"} or many.head is many:
        return None
    stem = terms(many.head.text)
    return stem[0] if stem else None


def _missing_name(question: str, article: Article) -> bool:
    """A capitalised word of the question (not its first) that the article lacks, even misspelt."""
    known = vocabulary(article.text)
    for word in _CAPITALISED.findall(question):
        stem = terms(word)
        if not stem or stem[0] in known or stem[0] in QUESTION_TERMS:
            continue
        if len(stem[0]) >= 2 and any(v.startswith(stem[0]) for v in known):
            continue  # a short form of a name the article writes in full ("Ed" for "Edward")
        if any(same_root(stem[0], v) for v in known):
            continue  # another form of the name: "Germany" for "German", "Canada" for "Canadian"
        # Misspelt names ("Gadhalfi") still count as present; compare like-sized words only.
        near = [v for v in known if v[:1] == stem[0][:1] and abs(len(v) - len(stem[0])) <= 2]
        if not difflib.get_close_matches(stem[0], near, n=1, cutoff=0.8):
            return True
    return False


def same_root(a: str, b: str) -> bool:
    """Two stems of one name's forms: a common prefix of all but at most one letter of the shorter,
    and of four letters at least ("germani"/"german", "canada"/"canadian", "china"/"chines")."""
    shorter = min(len(a), len(b))
    common = len(os.path.commonprefix([a, b]))
    return common >= max(4, shorter - 1)


def has_form(stem: str, known: set[str]) -> bool:
    """``stem`` or another form of it among ``known`` ("endors" / "endorsement", "injur" / "injuri")."""
    return stem in known or (len(stem) >= 4 and any(same_root(stem, k) for k in known if k[:3] == stem[:3]))


def without_names(query: str) -> str:
    """``query`` without its capitalised words after the first (names, mostly)."""
    return _CAPITALISED.sub(" ", query)


def window_coverage(question: Question, query: str, scope: Sequence[Article]) -> float:
    """Best share of the query's terms (those the articles use) that two adjacent sentences hold."""
    # "What did Kirby say about …?": a quotation runs over sentences and names its speaker in
    # only one of them, so the speaker's name need not meet the topic's words.
    asked = without_names(query) if question.answer_type == "quote" else query
    return max((_window_coverage(asked, a) for a in scope), default=1.0)


def _window_coverage(query: str, article: Article) -> float:
    """Best share of the query's terms found in the article that two adjacent sentences hold."""
    windows = _windows(article.text, tuple((s.start, s.end) for s in article.sentences))
    known = vocabulary(article.text)
    present = {t for t in terms(query) if t in known and t not in QUESTION_TERMS}
    if len(present) < 2:
        return 1.0
    return max((len(present & w) / len(present) for w in windows), default=1.0)


@lru_cache(maxsize=256)
def vocabulary(text: str) -> frozenset[str]:
    """The stemmed terms of ``text`` (cached: the same article is looked at by every question)."""
    return frozenset(terms(text))


@lru_cache(maxsize=256)
def _windows(text: str, spans: tuple[tuple[int, int], ...]) -> tuple[frozenset[str], ...]:
    sets = [frozenset(terms(text[s:e])) for s, e in spans]
    return tuple(a | b for a, b in zip(sets, [*sets[1:], frozenset()], strict=True))
