"""Answer or evidence: the extractive answerer says it is sure only when it can show why.

A drafted answer stays in *answer* mode when, for a question that asks for a
short answer (who, which, when, how many …), the short answer is shown to
answer it:

- it fills the question's gap in the cited sentence (:mod:`assistant.analysis.gap`):
  the subject or agent of the question's verb for "Who lobbied …?", its object
  for "Whom did police arrest?"; the speaker the sentence attributes a
  quotation to for "Who said …?"; the phrase under the question's predicate
  for an untyped "what" question;
- or, where the parse cannot place the gap ("When …?", "How many …?", "Who is
  X?"), it is the only span of the type asked for in its sentence;

and when the probability that the answer is right (its first citation is
evidence and its short answer matches) reaches ``answer.mode_threshold``. That
probability is a small logistic over the mode features (:func:`mode_features`:
the confidence, whether the parse shows the short answer filling the gap, whether
no short answer is offered, the evidence model's probability that the sentences do
not cover the question), whose weights ``answer.mode_weights`` default to the
table ``assistant/data/weights/mode.json`` fitted by ``python -m evals.mode`` on
the tuning halves only (the confidence alone is over-confident between 0.6 and
0.8 on held-out articles).

"What did X say about T?" asks for no short answer: its cited sentence answers
it when the sentence is X's own statement (quoted or reported, see
:func:`~assistant.answer.extractive.follow_up.statement_kind`) and holds most of
the words of T. That counts as a verified gap too.

A who-said answer is sure only when the statement it cites holds a third of what the
question says was said, with the same polarity (no negation or opposite word on one side
only: :func:`~assistant.answer.extractive.yes_no.polarity_differs`), and is not a question
someone asked. A yes/no verdict needs a sentence holding half the question's own words; a
"why" answer needs a sentence that gives a reason.

A typed short answer that fills no gap is replaced by the constituent that
does, when the question's role can be read off the parse. Otherwise the
answer turns into *evidence*: the best two or three sentences, each cited,
best first, with no short answer (shown as "Closest sentences").

Asked of the library, a question whose best evidence lies in two articles cites
both (:func:`second_article`): when the best hit of another article than the
answer's scores at least ``answer.second_article_ratio`` of the best hit's score,
its sentence is shown and cited too, after the answer's own, in either mode.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import replace

from assistant.analysis.conversation import asked_to_speak
from assistant.analysis.gap import fills_gap, gap_filler, source_phrase, speaks
from assistant.analysis.people import bare_surnames, shared_surname
from assistant.analysis.questions import Question
from assistant.analysis.text import body_text, is_heading, terms
from assistant.answer.base import AnswerRequest, Draft
from assistant.answer.extractive.abstain import has_form, without_names
from assistant.answer.extractive.confidence import probability
from assistant.answer.extractive.follow_up import statement_kind, topic_terms
from assistant.answer.extractive.yes_no import polarity_differs
from assistant.settings import AnswerSettings
from assistant.types import Hit, SentenceRef

#: Answer types whose gap a noun phrase fills ("Who lobbied …?" → "Several members of Congress").
_PHRASE_TYPES = frozenset({"person", "organisation", "choice"})
#: How a short answer is known to answer (see :func:`_verified`).
GAP = "gap"
TYPED = "typed"
#: The diagnostics feature the answerer sets on a phrase lead (:mod:`assistant.analysis.constituents`).
PHRASE_LEAD = "lead.phrase"
_REPORTED = re.compile(r"\b(?:report\w*|according|source)\b", re.I)
#: What a sentence giving a reason says: a cause, a purpose, or someone's account of it.
_REASON = re.compile(
    r"\b(?:because|since|as a result|due to|owing to|so that|in order to|reasons?|why|caus\w*|after|amid|"
    r"citing|said|says|saying|argu\w*|explain\w*|believ\w*|would|could|worr\w*|concern\w*|fear\w*|"
    r"meant|means)\b|:",
    re.I,
)
#: A sentence that reports a question rather than a claim.
_ASKED_NOT_SAID = re.compile(r"\basked\s+(?:whether|if)\b|\?[\"”’']?\s*$", re.I)
#: Least share of what a who-said question quotes or paraphrases that the cited statement must hold.
WHO_SAID_SHARE = 1 / 3
#: Most sentences an evidence answer shows.
EVIDENCE_SENTENCES = 3


def settle(
    draft: Draft,
    question: Question,
    request: AnswerRequest,
    hits: list[Hit],
    typed: bool,
    settings: AnswerSettings,
    follow_up: bool = False,
) -> Draft:
    """``draft`` in answer mode when it is sure (see the module), else in evidence mode."""
    if draft.abstained or not draft.cited:
        return draft
    draft, verified = _verified(draft, question, request, typed)
    value = {None: -1.0, False: 0.0, TYPED: 1.0, GAP: 2.0}[verified]
    values = mode_features(draft, verified, follow_up)
    p = probability(values, settings.mode_weights)
    shown = (("mode.verified", value), *((f"mode.{k}", v) for k, v in values.items()), ("mode.p", p))
    draft = replace(
        draft, diagnostics=replace(draft.diagnostics, features=draft.diagnostics.features + shown)
    )
    sure = verified is not False and p >= settings.mode_threshold
    if sure and not _ambiguous_person(question, draft, request):
        return replace(draft, mode="answer")
    return evidence(draft, request, hits)


def _ambiguous_person(question: Question, draft: Draft, request: AnswerRequest) -> bool:
    """Whether the question names someone by a surname the cited articles give two people ("What did
    Whitford say?" with Angela and Mark Whitford quoted): whichever is meant, the answer is a guess."""
    about_people = question.answer_type in {"description", "quote"}
    surnames = [name for name, possessive in bare_surnames(question.text) if about_people or possessive]
    if not surnames:
        return False
    cited = [request.articles[a] for a in dict.fromkeys(a for a, _ in draft.cited)]
    return any(shared_surname(name, cited) for name in surnames)


def mode_features(draft: Draft, verified: str | bool | None, follow_up: bool) -> dict[str, float]:
    """What the mode model weighs: the confidence (as log-odds), whether the parse shows the short
    answer filling the question's gap (not counted for a follow-up, whose gap is the conversation's),
    whether no short answer is offered (the sentence is the claim), and the calibrated probability
    that the evidence does not cover the question (the diagnostics' ``evidence.p``).

    Tried on the tuning halves and left out (evals/results/weights/mode.md): the typed check, the
    margin to the next sentence, the question's kind and answer type, the focus checks, whether the
    first sentence is cited; none ranked better across folds of articles."""
    known = dict(draft.diagnostics.features)
    c = min(max(draft.confidence, 0.0025), 0.9975)
    return {
        "confidence": math.log(c / (1 - c)),
        "gap": float(verified == GAP and not follow_up),
        "claim": float(verified is None),
        "unanswerable": known.get("evidence.p", 0.0),
    }


def second_article(draft: Draft, request: AnswerRequest, hits: list[Hit], ratio: float) -> Draft:
    """``draft`` citing also the best sentence of a second article when it scores close to the best
    hit (at least ``ratio`` of its score); as it is when every close hit is of the cited articles,
    or only one article was searched. The ratio found joins the diagnostics (``second.ratio``)."""
    cited_articles = {a for a, _ in draft.cited}
    if draft.abstained or len(cited_articles) != 1 or not hits:
        return draft
    best = max(h.score for h in hits)
    others = [h for h in hits if h.article_id not in cited_articles and not _heading(request, h)]
    if best <= 0 or not others:
        return draft
    other = max(others, key=lambda h: h.score)
    share = other.score / best
    why = replace(draft.diagnostics, features=draft.diagnostics.features + (("second.ratio", share),))
    draft = replace(draft, diagnostics=why)
    if share < ratio:
        return draft
    text = request.articles[other.article_id].sentence(other.sentence_id).text
    return replace(draft, text=f"{draft.text}\n{text}", cited=draft.cited + (other.ref,))


def _heading(request: AnswerRequest, hit: Hit) -> bool:
    return is_heading(request.articles[hit.article_id].sentence(hit.sentence_id).text)


def evidence(draft: Draft, request: AnswerRequest, hits: list[Hit]) -> Draft:
    """The closest sentences: the draft's first citation, then the best other hits, one per line."""
    refs: list[SentenceRef] = [draft.cited[0]]
    for hit in hits:
        if len(refs) >= EVIDENCE_SENTENCES:
            break
        text = request.articles[hit.article_id].sentence(hit.sentence_id).text
        if hit.ref not in refs and not is_heading(text):
            refs.append(hit.ref)
    lines = [request.articles[a].sentence(s).text for a, s in refs]
    return replace(
        draft,
        text="\n".join(lines),
        cited=tuple(refs),
        short_answer=None,
        mode="evidence",
    )


def _verified(
    draft: Draft, question: Question, request: AnswerRequest, typed: bool
) -> tuple[Draft, str | bool | None]:
    """The draft (its short answer possibly replaced by the gap's filler) and how its short answer is
    known to answer: :data:`GAP` (it fills the question's gap in the parse, or is the speaker the
    sentence attributes the statement to), :data:`TYPED` (the only span of the type asked for),
    False (neither), or None when no short answer is offered (the cited sentence is the claim)."""
    if question.kind == "yes_no":
        # A verdict read off the sentence: only confidence decides, once the sentence speaks of what is
        # asked ("Is she injured?" answered "Yes" from a sentence about her saves is a guess).
        return draft, (None if _speaks_of_asked(question, request, draft) else False)
    if question.who_said and draft.short_answer and not _states_claim(question, request, draft):
        return draft, False
    if not draft.short_answer:
        if question.kind == "reason" and not _REASON.search(_first_text(request, draft)):
            return draft, False  # "Why …?" and a sentence that gives no reason: no answer to lead with
        if question.answer_type == "description":
            return draft, False  # "Who is X?" and no role or description of X found: a sentence is no answer
        if question.answer_type == "quote" and _says_about(draft, request):
            return draft, GAP  # "What did X say about T?": X's own statement about T
        # No typed span answered "Who lobbied …?": the phrase filling the gap may ("fishing cooperatives").
        return _filled(draft, question, request, None)
    if dict(draft.diagnostics.features).get(PHRASE_LEAD):
        return draft, GAP  # the phrase hangs off the question's own predicate (constituents.py)
    # What the sentences say, without a headline run into them: a short answer read off a headline
    # ("JAGUARS" in "TITANS 42, JAGUARS 39 Tennessee ended …") is never sure.
    texts = [body_text(request.articles[a].sentence(s).text) for a, s in draft.cited]
    # The sentence that holds the short answer (a name may come from the sentence before a "he said").
    sentence = next((t for t in texts if draft.short_answer in t), None)
    if sentence is None:
        return draft, False
    fills = fills_gap(question.text, sentence, draft.short_answer)
    if fills is None and (question.who_said or _REPORTED.search(question.text)):
        # "Who is the source of …?", "Which network reported …?": whom the sentence attributes it to.
        said = speaks(sentence, draft.short_answer)
        whole = source_phrase(sentence, draft.short_answer) if said else None
        if whole:
            # The name is part of the source, not all of it ("a USA TODAY analysis … shows", "many
            # experts, including Mr. Goldberg, have pointed out"): the source is the whole phrase.
            _, _, body = draft.text.partition("\n")
            text = f"{whole}\n{body}" if body else f"{whole}."
            draft = replace(draft, text=text, short_answer=whole)
        return draft, GAP if said is None or said else False
    if fills is None and sentence is not texts[0]:
        # The name comes from a neighbour of the sentence that answers: what fills the gap in that
        # sentence ("Porter Bay … to beat the Hawks", not "Lina Okafor" from the next one), else unsure.
        return _filled(draft, question, request, False)
    if fills is None:
        return draft, TYPED if typed else False
    if fills:
        return draft, GAP
    return _filled(draft, question, request, False)


def _filled(
    draft: Draft, question: Question, request: AnswerRequest, otherwise: bool | None
) -> tuple[Draft, str | bool | None]:
    """The draft led by the phrase filling the question's gap in its first sentence, when the question
    asks for a noun phrase and the parse finds one new to it; else the draft and ``otherwise``."""
    if question.answer_type not in _PHRASE_TYPES:
        return draft, otherwise
    filler = gap_filler(question.text, body_text(_first_text(request, draft)))
    if filler is None or set(terms(filler)) <= set(terms(question.text)):
        return draft, otherwise
    # A who-said answer is the speaker alone ("Bell."); others lead with it above the sentence.
    body = draft.text.split("\n", 1)[-1]
    text = f"{filler}." if question.who_said else f"{filler}\n{body}"
    return replace(draft, text=text, short_answer=filler), GAP


def _first_text(request: AnswerRequest, draft: Draft) -> str:
    article_id, sentence_id = draft.cited[0]
    return request.articles[article_id].sentence(sentence_id).text


def _speaks_of_asked(question: Question, request: AnswerRequest, draft: Draft, share: float = 0.5,
                     frame: frozenset[str] = frozenset()) -> bool:
    """Whether the cited sentences hold at least ``share`` of the question's own words other than names
    and the ``frame`` stems (in any form: "injured" / "injury"); a question of names, pronouns and frame
    words only passes."""
    asked = set(terms(without_names(question.text))) - frame
    if not asked:
        return True
    cited = {t for a, s in draft.cited for t in terms(request.articles[a].sentence(s).text)}
    return sum(has_form(t, cited) for t in asked) >= share * len(asked)


def _states_claim(question: Question, request: AnswerRequest, draft: Draft) -> bool:
    """Whether the cited statement says what a who-said question claims was said. Not when it is about
    something else ("Who said a new owner could reopen it?"), says the opposite ("We will not raise
    fares" for "Who said fares would go up?"), or is a question someone asked ("Quarry asked whether
    the savings would pay for the boat")."""
    if not _speaks_of_asked(question, request, draft, WHO_SAID_SHARE, _who_said_frame()):
        return False
    statement = _first_text(request, draft)
    return not polarity_differs(question.text, statement) and not _ASKED_NOT_SAID.search(statement)


@functools.cache
def _who_said_frame() -> frozenset[str]:
    """Stems of the words that frame a who-said question rather than say what was said."""
    return frozenset(terms(
        "according article source following statement said say says told tell described warned claimed "
        "wrote argued called stated believes thinks"
    ))


def _says_about(draft: Draft, request: AnswerRequest) -> bool:
    """Whether the draft's first sentence is the statement of the person the query asks to speak
    ("What did Syrskyi say about fast results?") and holds at least half the words of its topic."""
    speaker = asked_to_speak(request.query)
    if not speaker:
        return False
    article_id, sentence_id = draft.cited[0]
    article = request.articles[article_id]
    sentence = article.sentence(sentence_id)
    if statement_kind(article, sentence, speaker) is None:
        return False
    topic = topic_terms(request.query, speaker)
    return len(topic & set(terms(sentence.text))) * 2 >= len(topic)
