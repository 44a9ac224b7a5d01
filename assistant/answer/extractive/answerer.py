"""The offline extractive answerer: cites the best sentence(s), names speakers.

It never writes words of its own beyond fixed phrases: the answer is a
speaker or sentence taken from the article, and every citation is one of the
request's hits (resolved against the store in :mod:`assistant.cite`).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace

from assistant.analysis.attribution import find_speaker
from assistant.analysis.constituents import answer_phrase
from assistant.analysis.conversation import asked_to_speak
from assistant.analysis.lexicon import NAME_WORDS, QUOTE_MARKS
from assistant.analysis.questions import Question, analyse, is_follow_up
from assistant.analysis.short_answer import extract
from assistant.analysis.spans import LABELS, TypedAnswer, typed_answer
from assistant.analysis.text import body_text, is_heading, terms
from assistant.answer.base import AnswerRequest, Draft
from assistant.answer.extractive.abstain import abstain_reason
from assistant.answer.extractive.confidence import features, probability
from assistant.answer.extractive.evidence import evidence_features, speaker_other, unanswerable
from assistant.answer.extractive.follow_up import more_statements, speaker_first
from assistant.answer.extractive.modes import PHRASE_LEAD, second_article, settle
from assistant.answer.extractive.summary import summarise
from assistant.answer.extractive.yes_no import alternative, verdict
from assistant.settings import AnswerSettings
from assistant.types import Diagnostics, Hit
from index.models import Article, Sentence

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ExtractiveAnswerer:
    """Offline answerer: cites the best sentence(s); names speakers for who-said questions."""

    settings: AnswerSettings = field(default_factory=AnswerSettings)
    name: str = "extractive"

    def prepare(self) -> None:
        """Start loading spaCy, which typed answers need, while the question is being retrieved."""
        from assistant.analysis import nlp

        nlp.preload()

    def answer(self, request: AnswerRequest) -> Draft:
        question = request.analysis or analyse(request.question)
        if question.kind == "summary":
            return summarise(request)
        hits = _fresh_hits(request, question)
        ranked = tuple(h.ref for h in hits)
        follow_up = bool(request.history) and is_follow_up(request.question)
        limits = self.settings.abstain
        reason = abstain_reason(question, request.query, hits, request.articles, follow_up, limits)
        if reason:
            log.debug("abstained on %r: %s", request.question, reason)
            values = tuple(features(hits, None, question, follow_up, False).items())
            why = Diagnostics(query=request.query, ranked=ranked, features=values, abstain_reason=reason)
            return Draft.abstention(why)
        if question.what_else and request.history and request.history[-1].short_answer:
            hits = _same_speaker_first(request, hits, request.history[-1].short_answer)
        elif question.answer_type == "quote" and asked_to_speak(request.query):
            # "What did Kirby say about …?": Kirby's own words among the best hits first.
            hits = speaker_first(request, hits, asked_to_speak(request.query) or "")
        elif question.answer_type == "quote" and NAME_WORDS.search(request.query[1:]):
            # "What did Kirby say about …?": Kirby's own sentences among the best five first.
            names = " ".join(w for w in NAME_WORDS.findall(request.query)[1:])
            hits = _same_speaker_first(request, hits[:5], names) + hits[5:]
        # "What else did he say?": the rest of what that speaker said, not the name again.
        draft = more_statements(request, ranked) if question.what_else and request.history else None
        if draft is not None:
            return draft  # the speaker's own statements not shown yet (or none left): sure either way
        if draft is None and (question.who_said or (question.what_else and request.history)):
            draft = self._who_said(request, question, hits)
        typed = True
        if draft is None:
            draft, typed = self._sentence(request, question, hits)
        draft = self._calibrated(draft, hits, question, follow_up, typed, Diagnostics(request.query, ranked))
        draft = self._covered(draft, request, question, follow_up)
        draft = self._selective(draft, question, typed, request)
        draft = settle(draft, question, request, hits, typed, self.settings, follow_up)
        return second_article(draft, request, hits, self.settings.second_article_ratio)

    def _covered(self, draft: Draft, request: AnswerRequest, question: Question, follow_up: bool) -> Draft:
        """``draft``, or an abstention when the evidence likely does not answer (calibrated).

        The evidence features join the diagnostics either way (prefixed ``evidence.``).
        """
        limits = self.settings.abstain
        values = evidence_features(
            question, request.query, request.articles, draft.cited, draft.confidence, follow_up,
            searched=[h.article_id for h in request.hits],
        )
        p = unanswerable(values, limits.evidence_weights)
        shown = tuple((f"evidence.{k}", v) for k, v in values.items()) + (("evidence.p", p),)
        why = replace(draft.diagnostics, features=draft.diagnostics.features + shown)
        sayer = speaker_other(question, request.articles, draft.cited)
        if sayer:
            reason = f"no cited sentence is {sayer}'s"
        elif limits.evidence_weights and p >= limits.evidence_threshold:
            reason = f"the evidence does not cover the question (p={p:.2f})"
        elif limits.evidence_weights and _focus_unmet(values) and p >= limits.absent_focus_threshold:
            # What the question asks about is nowhere in the cited sentences (or the scope): less
            # doubt is enough ("What is the range of these munitions?" cited a sentence with no range).
            reason = f"the evidence does not cover the question, nor its focus noun (p={p:.2f})"
        else:
            return replace(draft, diagnostics=why)
        log.debug("abstained on %r: %s", request.question, reason)
        why = replace(why, abstain_reason=reason)
        return Draft.abstention(why)

    def _calibrated(
        self,
        draft: Draft,
        hits: list[Hit],
        question: Question,
        follow_up: bool,
        typed: bool,
        why: Diagnostics,
    ) -> Draft:
        """``draft`` with its calibrated confidence; weak answers flag their citations."""
        first = draft.cited[0] if draft.cited else None
        values = features(hits, first, question, follow_up, bool(draft.short_answer), typed)
        confidence = probability(values, self.settings.confidence.weights)
        weak = frozenset(draft.cited) if confidence < self.settings.confidence.low_support else frozenset()
        return replace(
            draft,
            confidence=confidence,
            low_support=draft.low_support | weak,
            diagnostics=replace(why, features=tuple(values.items())),
        )

    def _selective(self, draft: Draft, question: Question, typed: bool, request: AnswerRequest) -> Draft:
        """Lead with the short answer only when its type matches and confidence is high.

        A wrong first line is worse than none: otherwise the answer leads with the cited
        sentence itself. "Matches" means a span of the type asked for and the only one in
        its sentence (on half a of the dev articles, unique typed spans were right 86% of the
        time, those chosen among rivals 50%). Who-said speakers and yes/no verdicts keep
        their lead line (gating the typed names of who-said questions answered without
        attribution raised their lead precision but cut PolNeAR's first-line F1 from 0.75 to
        0.60 on half a). A "what" question with no entity type may lead with the phrase that
        fills its gap (:mod:`assistant.analysis.constituents`).
        """
        if not draft.short_answer and _WHAT.search(question.text) and question.answer_type in _UNTYPED:
            return self._phrase_lead(draft, question, request)
        if not draft.short_answer or question.who_said or question.kind == "yes_no":
            return draft
        if typed and draft.confidence >= self.settings.lead_threshold:
            return draft
        body = draft.text.split("\n", 1)[-1]
        return replace(draft, text=body, short_answer=None)

    def _phrase_lead(self, draft: Draft, question: Question, request: AnswerRequest) -> Draft:
        """A "what" question with no entity type: lead with the phrase of the cited sentence that fills
        its gap, when it hangs off the question's own predicate and confidence is high enough."""
        if draft.abstained or not draft.cited or question.who_said or question.kind in {"yes_no", "reason"}:
            return draft
        article_id, sentence_id = draft.cited[0]
        sentence = body_text(request.articles[article_id].sentence(sentence_id).text)
        phrase = answer_phrase(question.text, sentence)
        if phrase is None or not phrase.strong or draft.confidence < self.settings.lead_threshold:
            return draft
        why = replace(draft.diagnostics, features=draft.diagnostics.features + ((PHRASE_LEAD, 1.0),))
        return replace(draft, text=f"{phrase.text}\n{draft.text}", short_answer=phrase.text, diagnostics=why)

    def _sentence(self, request: AnswerRequest, question: Question, hits: list[Hit]) -> tuple[Draft, bool]:
        """Cite the best sentence, led by the short answer when one is asked for and found.

        Also says whether the short answer's type is the one asked for (a typed spaCy span).
        """
        top = hits[0]
        article = request.articles[top.article_id]
        sentence = article.sentence(top.sentence_id)
        cited = [sentence]
        typed = _typed(request, question, article, sentence)
        # Lead-worthy: the type asked for, and the only span of it in the sentence.
        matched = bool(typed and typed.matched and not typed.rivals)
        if typed:
            short: str | None = typed.text
            if typed.source:
                # The sentence that answers is cited first; the neighbour that holds the name after it.
                cited = [sentence, _neighbours(article, sentence)[typed.source - 1]]
        else:
            short = extract(question, body_text(sentence.text)) if question.wants_short else None
            # The age pattern ("Decker, 23,") is typed by construction; capitalised spans are not.
            matched = bool(short) and question.answer_type == "age"
        pronoun_led = question.kind == "person" and _PRONOUN_SUBJECT.match(sentence.text)
        if pronoun_led and not (short and _next_to_question(short, sentence.text, question)):
            # "She had portrayed him as …": the person asked for is named in the sentence before
            # (unless the sentence's own name sits by the question's words: "his partner Thomas Drouet").
            named = _antecedent(article, sentence, question)
            if named:
                short, cited, matched = named[0], [named[1], sentence], named[2]
        if question.kind == "yes_no":
            short = alternative(request.question, sentence.text) or verdict(request.question, sentence.text)
        text = " ".join(s.text for s in cited)
        draft = Draft(
            # The short answer leads on a line of its own, so readers (and the
            # eval's EM/F1) can take it apart from the supporting sentence.
            text=f"{short}\n{text}" if short else text,
            cited=tuple((article.id, s.id) for s in cited),
            abstained=False,
            confidence=0.0,
            short_answer=short,
        )
        return draft, matched

    def _who_said(self, request: AnswerRequest, question: Question, hits: list[Hit]) -> Draft | None:
        """Name the speaker of the best-matching quoted sentence among the top hits."""
        # A quotation scoring close to the best beats a sentence that merely reports.
        # A question that quotes the statement has found it: no other quotation may win.
        margin = 0.0 if question.quoted else self.settings.quote_margin
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
        # The statement first (it is what was asked about), then the sentence naming its speaker.
        cited = list({s.id: s for s in (article.sentence(hit.sentence_id), named_in)}.values())
        return Draft(
            text=f"{speaker}.",
            cited=tuple((article.id, s.id) for s in cited),
            abstained=False,
            confidence=0.0,
            short_answer=speaker,
        )


def _typed(
    request: AnswerRequest, question: Question, article: Article, sentence: Sentence
) -> TypedAnswer | None:
    """The typed spaCy short answer in the cited sentence, else its neighbours."""
    if question.answer_type not in LABELS and question.answer_type != "description":
        return None
    subject = question.subject
    if question.answer_type == "description" and (not subject or subject.lower() in _PRONOUN_WORDS):
        subject = analyse(request.query).subject  # "Who is he?" → the rewrite names him
    around = () if question.who_said else tuple(body_text(s.text) for s in _neighbours(article, sentence))
    # A headline run into the sentence ("TITANS 42, JAGUARS 39 Tennessee ended …") names no answer.
    texts = (body_text(sentence.text), *around)
    return typed_answer(question, texts, subject)


def _neighbours(article: Article, sentence: Sentence) -> list[Sentence]:
    """The sentence before and the one after (those that exist, not headings)."""
    i = article.index_of(sentence.id)
    around = [article.sentences[j] for j in (i - 1, i + 1) if 0 <= j < len(article.sentences)]
    return [s for s in around if not is_heading(s.text) and s.id not in article.structural]


_PRONOUN_WORDS = frozenset({"he", "she", "they", "him", "her", "his", "their"})
#: "What …"/"Which …" questions whose answer type names no entity: a phrase of the sentence answers.
_WHAT = re.compile(r"\b(?:what|which)\b", re.I)
_UNTYPED = frozenset({"other", "choice"})


def _first_attributed(request: AnswerRequest, hits: list[Hit]) -> tuple[Hit, tuple[str, Sentence]] | None:
    """The first hit whose speaker can be found, with the speaker and where they are named."""
    for hit in hits:
        article = request.articles[hit.article_id]
        found = find_speaker(article, article.sentence(hit.sentence_id))
        if found:
            return hit, found
    return None


def _fresh_hits(request: AnswerRequest, question: Question) -> list[Hit]:
    """The hits worth citing: no heading lines; for "what else", none the conversation cited."""
    hits = list(request.hits)
    # A markdown "# Heading" is the article's title, not evidence: cite it only if nothing else came.
    hits = [h for h in hits if not _heading_hit(request, h)] or hits
    if request.history and question.what_else:
        seen = {(c.article_id, c.sentence_id) for t in request.history for c in t.citations}
        hits = [h for h in hits if (h.article_id, h.sentence_id) not in seen] or hits
    return hits


def _heading_hit(request: AnswerRequest, hit: Hit) -> bool:
    return is_heading(request.articles[hit.article_id].sentence(hit.sentence_id).text)


def _same_speaker_first(request: AnswerRequest, hits: list[Hit], speaker: str) -> list[Hit]:
    """For "What else did he say?": the previous answer's speaker's other sentences first."""
    names = set(NAME_WORDS.findall(speaker))

    def theirs(hit: Hit) -> bool:
        article = request.articles[hit.article_id]
        found = find_speaker(article, article.sentence(hit.sentence_id))
        return bool(found and names & set(NAME_WORDS.findall(found[0])))

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


def _antecedent(
    article: Article, sentence: Sentence, question: Question
) -> tuple[str, Sentence, bool] | None:
    """The name a pronoun-led sentence refers to: the short answer of the sentence before.

    With whether it is typed (a PERSON span, not just a capitalised one).
    """
    index = article.index_of(sentence.id)
    if index == 0:
        return None
    before = article.sentences[index - 1]
    typed = typed_answer(question, (body_text(before.text),))
    if typed:
        return typed.text, before, typed.matched and not typed.rivals
    name = extract(question, body_text(before.text))
    return (name, before, False) if name else None


def _is_quoted(request: AnswerRequest, hit: Hit) -> bool:
    sentence = request.articles[hit.article_id].sentence(hit.sentence_id)
    return bool(sentence.quote_close) or _has_quote_marks(request, hit)


def _has_quote_marks(request: AnswerRequest, hit: Hit) -> bool:
    sentence = request.articles[hit.article_id].sentence(hit.sentence_id)
    return any(q in sentence.text for q in QUOTE_MARKS)


def _focus_unmet(values: dict[str, float]) -> bool:
    """The question's focus noun is in no cited sentence (a typed question) or nowhere in the scope."""
    return bool(values.get("focus_absent") or values.get("noun_uncited"))
