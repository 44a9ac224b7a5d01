""" "What else did he say?": the speaker's statements the conversation has not cited yet.

The follow-up's rewrite names the speaker ("What else did John Kirby say?",
see :mod:`assistant.analysis.conversation`). Answering it with the speaker's
name again, or with whichever sentence retrieval liked best, is what readers
complained of; what they want is the rest of what that person said, in the
order the article gives it: their quotations (their own words), and their
reported speech only when no quotation is left. A sentence is the speaker's
when it attributes speech to them itself ("…,” Syrskyi said.") or is a
quotation whose speaker :func:`~assistant.analysis.attribution.find_speaker`
finds to be them (a quote paragraph with no attribution continues the last
speaker). :func:`speaker_first` puts X's statements (quoted or reported) first
for "What did X say about …?".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from assistant.analysis.attribution import find_speaker, speaker_in
from assistant.analysis.conversation import conversation_positions
from assistant.analysis.lexicon import NAME_WORDS, QUOTE_MARKS
from assistant.analysis.text import terms
from assistant.answer.base import ABSTAIN_TEXT, AnswerRequest, Draft
from assistant.types import Diagnostics, Hit, SentenceRef
from index.models import Article, Sentence

#: "What else did John Kirby say?", "What more has Syrskyi said?", "What other things did X say?"
_MORE_SAID = re.compile(
    r"^\W*(?i:and\s+|so\s+)?(?i:what)\s+(?i:else|more|other\s+\w+)\s+(?i:did|does|has|had|do)\s+"
    r"(?P<x>[A-Z][\w’'.-]*(?:\s+[A-Z][\w’'.-]*)*)\s+"
    r"(?i:say|said|tell|told|add|added|write|wrote|claim|claimed|argue|argued|state|stated)\b"
)
#: Sentences cited at most: a statement runs over a few, a whole interview should not be pasted.
MAX_SENTENCES = 3
_TITLES = frozenset("Mr Mrs Ms Miss Dr Sen Rep Gov President Secretary Senator General Gen".split())


def asked_speaker(query: str) -> str | None:
    """The person a "What else did X say?" query names, else None."""
    match = _MORE_SAID.match(query)
    return match.group("x") if match else None


def more_statements(request: AnswerRequest, ranked: Sequence[SentenceRef]) -> Draft | None:
    """The asked speaker's statements not shown in earlier turns, in article order: their quotations,
    else their reported speech (None: not such a question, or the speaker is nowhere quoted); an
    abstention when all of them were shown already. In answer mode, sure by construction: what is
    cited is the speaker's, so no confidence model or evidence padding applies."""
    speaker = asked_speaker(request.query)
    if speaker is None:
        return None
    seen = _shown(request)
    quoted: list[tuple[Article, Sentence]] = []
    reported: list[tuple[Article, Sentence]] = []
    for article in _conversation_articles(request):
        for sentence in article.sentences:
            kind = statement_kind(article, sentence, speaker)
            if kind:
                (quoted if kind == "quoted" else reported).append((article, sentence))
    if not quoted and not reported:
        return None
    # "What else did he say?" asks for his words: the quotations first, reported speech only after.
    fresh = [(a, s) for a, s in quoted if (a.id, s.id) not in seen]
    fresh = (fresh or [(a, s) for a, s in reported if (a.id, s.id) not in seen])[:MAX_SENTENCES]
    why = Diagnostics(query=request.query, ranked=tuple(ranked))
    if not fresh:
        why = replace(why, abstain_reason=f"everything {speaker} is quoted as saying was shown already")
        return Draft(ABSTAIN_TEXT, (), abstained=True, confidence=0.0, diagnostics=why)
    # Sure by construction, like a summary: the speaker's own attributed statements, not shown yet.
    why = replace(why, features=(("follow_up.statements", float(len(fresh))),))
    return Draft(
        text=" ".join(s.text for _, s in fresh),
        cited=tuple((a.id, s.id) for a, s in fresh),
        abstained=False,
        confidence=1.0,
        diagnostics=why,
        mode="answer",
    )


def speaker_first(request: AnswerRequest, hits: Sequence[Hit], speaker: str, reach: int = 8) -> list[Hit]:
    """For "What did X say about …?": X's statements among the best ``reach`` hits first, in rank
    order (what they said about the topic may be reported speech: on the trust set's tune half,
    putting X's quotations first lost two of three such questions), those an earlier turn showed
    after the others (the reader has them: "What did he say about her?" after "Who is her
    coach?" wants more than the sentence that named him), then the rest as ranked. Ahead of that,
    X's statements holding more of the words of the topic the user wrote ("What did she say about
    the vote?") come first, shown or not: the turn that named X may have cited the very sentence."""
    theirs = [h for h in hits[:reach] if _statement(request, h, speaker)]
    shown = _shown(request) if request.history else set()
    # The topic in the user's own words: "about her" names no topic a statement would repeat
    # (it says "she"), "about the vote" does.
    topic = topic_terms(request.question, speaker)

    def order(hit: Hit) -> tuple[int, bool]:
        return -len(topic & set(terms(_text(request, hit)))), hit.ref in shown

    first = sorted(theirs, key=order)  # stable: rank order within each group
    return first + [h for h in hits if h not in first]


#: What "What did X say about T?" asks about: T.
_ABOUT = re.compile(r"\b(?:about|on|of|regarding)\s+(?P<topic>[^?]+)", re.I)


def topic_terms(query: str, speaker: str) -> set[str]:
    """The terms of T in "What did X say about T?" (empty when the query names no topic); after X
    when the query names X, else anywhere ("What did she say about the vote?")."""
    at = query.find(speaker)
    about = _ABOUT.search(query[at + len(speaker) :] if at >= 0 else query)
    return set(terms(about.group("topic"))) if about else set()


def _text(request: AnswerRequest, hit: Hit) -> str:
    return request.articles[hit.article_id].sentence(hit.sentence_id).text


def _statement(request: AnswerRequest, hit: Hit, speaker: str) -> bool:
    article = request.articles[hit.article_id]
    return statement_kind(article, article.sentence(hit.sentence_id), speaker) is not None


def _shown(request: AnswerRequest) -> set[SentenceRef]:
    """The sentences earlier turns cited; for turns given as text only, where their answers are."""
    seen = {(c.article_id, c.sentence_id) for turn in request.history for c in turn.citations}
    bare = [t for t in request.history if not t.citations]
    if bare:
        for article in _conversation_articles(request):
            for position in conversation_positions(article, bare):
                if position is not None:
                    seen.add((article.id, article.sentences[position].id))
    return seen


def _conversation_articles(request: AnswerRequest) -> list[Article]:
    """The articles the conversation cited, else the best hit's: where "else" is to be looked for."""
    cited = [c.article_id for turn in request.history for c in turn.citations]
    ids = [i for i in dict.fromkeys(cited) if i in request.articles]
    if not ids and request.hits:
        ids = [request.hits[0].article_id]
    return [request.articles[i] for i in ids]


def statement_kind(article: Article, sentence: Sentence, speaker: str) -> str | None:
    """'quoted' when the sentence is a quotation of ``speaker``'s, 'reported' when it reports their
    speech itself ("Ortega said the team would …"), else None."""
    if sentence.id in article.structural:
        return None
    quoted = bool(sentence.quote_close) or any(q in sentence.text for q in QUOTE_MARKS)
    own = speaker_in(sentence.text)
    if own is not None:
        if not same_person(speaker, own):
            return None
        return "quoted" if quoted else "reported"
    if not quoted:
        return None  # a reporting sentence next to a quotation is not the speaker's
    found = find_speaker(article, sentence)
    return "quoted" if found is not None and same_person(speaker, found[0]) else None


def same_person(a: str, b: str) -> bool:
    """The same surname, and the same first name when both give one ("Mr. Kirby" is "John Kirby")."""
    x = [w for w in NAME_WORDS.findall(a) if w not in _TITLES]
    y = [w for w in NAME_WORDS.findall(b) if w not in _TITLES]
    if not x or not y or x[-1] not in y:
        return False
    return len(x) == 1 or len(y) == 1 or x[0] in y
