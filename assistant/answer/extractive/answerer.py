"""Answerers: turn retrieved sentences into an answer that cites them.

:class:`Answerer` is the protocol; :class:`ExtractiveAnswerer` is the offline
default. It never writes words of its own beyond fixed phrases: the answer
is a speaker or sentence taken from the article, and every citation is a
retrieved sentence ID (resolved against the store in :mod:`assistant.cite`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Protocol

from assistant.abstain import abstain_reason
from assistant.attribution import find_speaker
from assistant.confidence import LOW_SUPPORT, features, probability
from assistant.models import Turn
from assistant.questions import Question, analyse, is_follow_up
from assistant.rerank import RerankWeights, rerank
from assistant.retrieve import Hit
from assistant.short_answer import extract
from assistant.text import terms
from assistant.yes_no import alternative, verdict
from index.models import Article, Sentence

log = logging.getLogger(__name__)

ABSTAIN_TEXT = "The article doesn't say."
#: (article_id, sentence_id)
Ref = tuple[str, str]


@dataclass(frozen=True, slots=True)
class AnswerRequest:
    """What an answerer gets: the question, its standalone form and the evidence."""

    question: str
    #: The question rewritten to stand alone (pronouns resolved from history).
    query: str
    hits: tuple[Hit, ...]
    articles: Mapping[str, Article]
    history: tuple[Turn, ...] = ()


@dataclass(frozen=True, slots=True)
class Draft:
    """An answer before its citations are resolved against the store."""

    text: str
    #: (article_id, sentence_id) pairs, in the order to show them.
    cited: tuple[tuple[str, str], ...]
    abstained: bool
    confidence: float
    short_answer: str | None = None
    low_support: frozenset[tuple[str, str]] = field(default_factory=frozenset)
    #: Every candidate sentence, best first (for hit@k and for showing alternatives).
    ranked: tuple[tuple[str, str], ...] = ()
    #: What the confidence was computed from (name, value): for calibration and debugging.
    features: tuple[tuple[str, float], ...] = ()


class Answerer(Protocol):
    """Makes a :class:`Draft` from an :class:`AnswerRequest`."""

    @property
    def name(self) -> str:
        """Shown in reports and recorded with eval results."""
        ...

    def answer(self, request: AnswerRequest) -> Draft:
        """Answer the request, citing only sentences among its hits or articles."""
        ...


@dataclass(frozen=True, slots=True)
class ExtractiveAnswerer:
    """Offline answerer: cites the best sentence(s); names speakers for who-said questions."""

    name: str = "extractive"
    #: How many retrieved sentences to rerank (the chain asks the retriever for this many).
    candidates: int = 40
    weights: RerankWeights = field(default_factory=RerankWeights)
    #: For who-said questions, how far below the best a quoted sentence may score and still win.
    quote_margin: float = 0.5

    def answer(self, request: AnswerRequest) -> Draft:
        question = analyse(request.question)
        fresh = _fresh_hits(request, question)
        hits = rerank(fresh, question, request.articles, request.history, self.weights, request.query)
        ranked = tuple((h.article_id, h.sentence_id) for h in hits)
        follow_up = bool(request.history) and is_follow_up(request.question)
        reason = abstain_reason(question, request.query, hits, request.articles, follow_up)
        if reason:
            log.debug("abstained on %r: %s", request.question, reason)
            values = tuple(features(hits, None, question, follow_up, False).items())
            return Draft(ABSTAIN_TEXT, (), abstained=True, confidence=0.0, ranked=ranked, features=values)
        if question.what_else and request.history and request.history[-1].short_answer:
            hits = _same_speaker_first(request, hits, request.history[-1].short_answer)
        if question.who_said or (question.what_else and request.history):
            draft = self._who_said(request, question, hits, ranked)
            if draft:
                return _calibrated(draft, hits, question, follow_up)
        return _calibrated(self._sentence(request, question, hits, ranked), hits, question, follow_up)

    def _sentence(
        self, request: AnswerRequest, question: Question, hits: list[Hit], ranked: tuple[Ref, ...]
    ) -> Draft:
        """Cite the best sentence, led by the short answer when one is asked for and found."""
        top = hits[0]
        article = request.articles[top.article_id]
        sentence = article.sentence(top.sentence_id)
        short = extract(question, sentence.text) if question.wants_short else None
        cited = [sentence]
        pronoun_led = question.kind == "person" and _PRONOUN_SUBJECT.match(sentence.text)
        if pronoun_led and not (short and _next_to_question(short, sentence.text, question)):
            # "She had portrayed him as …": the person asked for is named in the sentence before
            # (unless the sentence's own name sits by the question's words: "his partner Thomas Drouet").
            named = _antecedent(article, sentence, question)
            if named:
                short, cited = named[0], [named[1], sentence]
        if question.kind == "yes_no":
            short = alternative(request.question, sentence.text) or verdict(request.question, sentence.text)
        text = " ".join(s.text for s in cited)
        return Draft(
            # The short answer leads on a line of its own, so readers (and the
            # eval's EM/F1) can take it apart from the supporting sentence.
            text=f"{short}\n{text}" if short else text,
            cited=tuple((article.id, s.id) for s in cited),
            abstained=False,
            confidence=0.0,
            short_answer=short,
            ranked=ranked,
        )

    def _who_said(
        self, request: AnswerRequest, question: Question, hits: list[Hit], ranked: tuple[Ref, ...]
    ) -> Draft | None:
        """Name the speaker of the best-matching quoted sentence among the top hits."""
        # A quotation scoring close to the best beats a sentence that merely reports.
        # A question that quotes the statement has found it: no other quotation may win.
        margin = 0.0 if question.quoted else self.quote_margin
        close = [h for h in hits[:5] if h.score >= hits[0].score - margin]
        chosen = _first_attributed(request, sorted(close, key=lambda h: not _is_quoted(request, h)))
        if (
            chosen is None
            and question.who_said
            and not question.quoted
            and not _has_quote_marks(request, hits[0])
        ):
            # Nothing quoted or attributed near the top (a headline, say, won on keywords):
            # "who said" wants a quotation, so take the best attributed one further down.
            chosen = _first_attributed(request, [h for h in hits[:5] if _has_quote_marks(request, h)])
        if chosen is None:
            return None
        hit, (speaker, named_in) = chosen
        article = request.articles[hit.article_id]
        cited = _in_order(article, [article.sentence(hit.sentence_id), named_in])
        return Draft(
            text=f"{speaker}.",
            cited=tuple((article.id, s.id) for s in cited),
            abstained=False,
            confidence=0.0,
            short_answer=speaker,
            ranked=ranked,
        )


def _first_attributed(request: AnswerRequest, hits: list[Hit]) -> tuple[Hit, tuple[str, Sentence]] | None:
    """The first hit whose speaker can be found, with the speaker and where they are named."""
    for hit in hits:
        article = request.articles[hit.article_id]
        found = find_speaker(article, article.sentence(hit.sentence_id))
        if found:
            return hit, found
    return None


def _fresh_hits(request: AnswerRequest, question: Question) -> list[Hit]:
    """For "what else" follow-ups, skip sentences the conversation already cited."""
    hits = list(request.hits)
    if request.history and question.what_else:
        seen = {(c.article_id, c.sentence_id) for t in request.history for c in t.citations}
        hits = [h for h in hits if (h.article_id, h.sentence_id) not in seen] or hits
    return hits


def _same_speaker_first(request: AnswerRequest, hits: list[Hit], speaker: str) -> list[Hit]:
    """For "What else did he say?": the previous answer's speaker's other sentences first."""
    names = {w for w in re.findall(r"[A-Z][\w’'-]+", speaker)}

    def theirs(hit: Hit) -> bool:
        article = request.articles[hit.article_id]
        found = find_speaker(article, article.sentence(hit.sentence_id))
        return bool(found and names & set(re.findall(r"[A-Z][\w’'-]+", found[0])))

    return sorted(hits, key=lambda h: not theirs(h))


_PRONOUN_SUBJECT = re.compile(r"^\W*(?:(?:But|And|So|Then|Later),?\s+)?(?:he|she|they)\b", re.I)


def _next_to_question(name: str, text: str, question: Question, reach: int = 3) -> bool:
    """Whether one of the question's terms is within ``reach`` words of ``name`` in ``text``."""
    tokens = text.split()
    first, size = name.split()[0], len(name.split())
    asked = set(terms(question.text))
    for i, token in enumerate(tokens):
        if token.startswith(first):
            window = tokens[max(0, i - reach) : i] + tokens[i + size : i + size + reach]
            if asked & set(terms(" ".join(window))):
                return True
    return False


def _antecedent(article: Article, sentence: Sentence, question: Question) -> tuple[str, Sentence] | None:
    """The name a pronoun-led sentence refers to: the short answer of the sentence before."""
    index = article.sentences.index(sentence)
    if index == 0:
        return None
    before = article.sentences[index - 1]
    name = extract(question, before.text)
    return (name, before) if name else None


def _is_quoted(request: AnswerRequest, hit: Hit) -> bool:
    sentence = request.articles[hit.article_id].sentence(hit.sentence_id)
    return bool(sentence.quote_close) or _has_quote_marks(request, hit)


def _has_quote_marks(request: AnswerRequest, hit: Hit) -> bool:
    sentence = request.articles[hit.article_id].sentence(hit.sentence_id)
    return any(q in sentence.text for q in '“”"')


def _in_order(article: Article, sentences: list[Sentence]) -> list[Sentence]:
    unique = {s.id: s for s in sentences}
    return sorted(unique.values(), key=lambda s: article.sentences.index(s))


def _calibrated(draft: Draft, hits: list[Hit], question: Question, follow_up: bool) -> Draft:
    """``draft`` with its calibrated confidence; weak answers flag their citations."""
    first = draft.cited[0] if draft.cited else None
    values = features(hits, first, question, follow_up, bool(draft.short_answer))
    confidence = probability(values)
    weak = frozenset(draft.cited) if confidence < LOW_SUPPORT else frozenset()
    return replace(
        draft, confidence=confidence, low_support=draft.low_support | weak, features=tuple(values.items())
    )
