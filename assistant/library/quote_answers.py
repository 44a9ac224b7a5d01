"""Questions the quote index answers itself: "What has X said (about Y)?" and "What else did X say?".

Asked across the library (or of one article), such a question is answered from the index
(:mod:`assistant.library.quotes`) rather than from retrieval: X's statements, about Y when
asked (best match first), citing each quote's sentences and the sentence that attributes it.
"What else did he say?" (rewritten to name him) gives X's statements that earlier turns did not
cite. Only a question that names a person the index knows is taken; anything else (and a
person the index does not know) goes to the answerer as before, so other questions, "Who
said …?" among them, are answered exactly as without the index.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from assistant.analysis.conversation import conversation_positions
from assistant.analysis.people import shared_surname
from assistant.analysis.text import terms, words
from assistant.answer.base import AnswerRequest, Draft
from assistant.library.quotes import AttributedQuote, QuoteIndex
from assistant.types import Diagnostics

_NAME = r"[A-Z][\w’'.-]*(?:\s+(?:de|van|von|al|bin|da|del)?\s*[A-Z][\w’'.-]*)*"
_SAID = r"(?:say|said|tell|told|write|wrote|claim|claimed|argue|argued|state|stated)"
_WHAT_SAID = re.compile(
    rf"^\W*(?i:and\s+|so\s+)?(?i:what)\s+(?i:has|have|did|does|do|had)\s+(?P<x>{_NAME})\s+{_SAID}"
    rf"(?:\s+(?i:about|on|of|regarding|concerning)\s+(?P<y>[^?]+?))?\s*\??\s*$"
)
_WHAT_ELSE = re.compile(
    rf"^\W*(?i:and\s+|so\s+)?(?i:what)\s+(?i:else|more|other\s+\w+)\s+(?i:has|have|did|does|do|had)\s+"
    rf"(?P<x>{_NAME})\s+{_SAID}(?:\s+(?i:about|on|of|regarding)\s+(?P<y>[^?]+?))?\s*\??\s*$"
)


def asked(query: str) -> tuple[str, str | None, bool] | None:
    """(person, topic or None, whether "else" was asked) of a what-did-X-say question, else None."""
    for pattern, more in ((_WHAT_ELSE, True), (_WHAT_SAID, False)):
        match = pattern.match(query.strip())
        if match:
            return match.group("x"), match.group("y"), more
    return None


def quote_answer(
    request: AnswerRequest, index: QuoteIndex, article: str | None, shown: int = 3
) -> Draft | None:
    """The answer from the index to a what-did-X-say question about a person it knows, else None;
    it cites ``shown`` statements at most (``answer.quotes_shown``)."""
    found = None
    for text in dict.fromkeys((request.query, request.question)):
        found = asked(text)
        if found:
            break
    if found is None:
        return None
    person, topic, more = found
    people = index.matching(person)
    if not people:
        return None
    referent = None
    if topic and not terms(_about(request.question) or topic):
        # "What did he say about her?": the user named no topic a statement would repeat; his
        # quotes about her say "she" as often as her name, so either marks one as about her.
        referent, topic = _referent(request.question, topic), None
    quotes = [q for q in index.find(person=person, article=article, topic=topic)
              if q.article_id in request.articles]
    if referent:
        quotes = [q for q in quotes if referent & set(words(q.text))] or quotes
    if not quotes:
        return None
    cited = {(c.article_id, c.sentence_id) for turn in request.history for c in turn.citations}
    # Turns given as text only: what their answers quoted was shown too, and the sentences they
    # were answered from.
    said = [t.answer for t in request.history if not t.citations]
    seen = cited | _located(request)
    if more:
        quotes = [rest for q in quotes if (rest := _unshown(q, request, seen, said)) is not None]
    elif not topic:
        # The reader has what earlier turns showed ("Who is her coach?" cited the sentence naming
        # him): the rest of what the person said comes first.
        quotes = sorted(quotes, key=lambda q: all((q.article_id, s) in seen for s in q.sentence_ids))
    why = Diagnostics(query=request.query, ranked=tuple(h.ref for h in request.hits))
    if not quotes:
        reason = f"everything {person} is quoted as saying was shown already"
        return Draft.abstention(Diagnostics(query=request.query, ranked=why.ranked, abstain_reason=reason))
    chosen = quotes[:shown] if topic else _chosen(quotes, shown)  # a topic's best match first
    # "What did Voss say?" with two Vosses quoted, or a surname joined to a namesake by a guess: the
    # statements shown may be someone else's, so they are shown as the closest, not as the answer.
    speakers = {q.person_id for q in quotes}
    unsure = len(speakers) > 1 or any(p.unsure for p in people if p.id in speakers)
    if not unsure and len(person.split()) == 1:
        # Another Whitford the index has no statement of still makes "Whitford" ambiguous.
        shown_in = [request.articles[a] for a in dict.fromkeys(q.article_id for q in chosen)]
        unsure = shared_surname(person, shown_in)
    return Draft(
        text=" ".join(q.text for q in chosen),
        cited=tuple(dict.fromkeys(ref for q in chosen for ref in _topic_first(q, request, topic)
                                  if ref not in cited)),
        abstained=False,
        # What is cited is the person's, by the index's attribution (unless the name is ambiguous).
        confidence=0.5 if unsure else 1.0,
        # No short answer: the question names the person; the conversation's focus stays as asked.
        diagnostics=Diagnostics(query=request.query, ranked=why.ranked,
                                features=(("quotes.index", float(len(chosen))),)),
        mode="evidence" if unsure else "answer",
    )


#: The topic of "What did X say about T?" as the user wrote it.
_ABOUT = re.compile(r"\b(?:about|on|of|regarding|concerning)\s+(?P<topic>[^?]+)", re.I)


def _about(question: str) -> str | None:
    about = _ABOUT.search(question)
    return about.group("topic") if about else None


_PRONOUNS = {
    "she": {"she", "her", "hers", "herself"}, "he": {"he", "him", "his", "himself"},
    "they": {"they", "them", "their", "theirs", "themselves"},
}


def _referent(question: str, name: str) -> set[str]:
    """The words that refer to the person "about her" meant: her name's words and her pronouns."""
    said = set(words(_about(question) or ""))
    forms = {w for group in _PRONOUNS.values() if said & group for w in group}
    return forms | set(words(name))


def _located(request: AnswerRequest) -> set[tuple[str, str]]:
    """The sentences that earlier turns given as text only answered from (where their answers are)."""
    bare = [t for t in request.history if not t.citations]
    if not bare:
        return set()
    found: set[tuple[str, str]] = set()
    articles = dict.fromkeys(h.article_id for h in request.hits[:1])
    for article_id in articles:
        article = request.articles[article_id]
        for position in conversation_positions(article, bare):
            if position is not None:
                found.add((article.id, article.sentences[position].id))
    return found


def _topic_first(quote: AttributedQuote, request: AnswerRequest, topic: str | None) -> list[tuple[str, str]]:
    """What to cite for ``quote``: its sentences holding more of the topic's words first (a quotation
    runs over sentences and says "the east side" in only one of them), then its attribution."""
    refs = list(quote.cited)
    if not topic:
        return refs
    wanted = set(terms(topic))
    article = request.articles[quote.article_id]

    def overlap(ref: tuple[str, str]) -> int:
        return -len(wanted & set(terms(article.sentence(ref[1]).text))) if ref[1] in quote.sentence_ids else 0

    return sorted(refs, key=overlap)


def _unshown(
    quote: AttributedQuote, request: AnswerRequest, shown: set[tuple[str, str]], answers: Sequence[str]
) -> AttributedQuote | None:
    """The quote without the sentences earlier turns cited (or, for turns given as text only, whose
    answers hold them); None when none is left."""
    article = request.articles[quote.article_id]
    texts = {s: article.sentence(s).text for s in quote.sentence_ids}
    left = tuple(
        s for s in quote.sentence_ids
        if (quote.article_id, s) not in shown and not any(texts[s].strip() in a for a in answers)
    )
    if not left:
        return None
    rest = dataclasses.replace(quote.quote, sentence_ids=left, text=" ".join(texts[s] for s in left))
    return dataclasses.replace(quote, quote=rest)


def _chosen(quotes: Sequence[AttributedQuote], shown: int) -> list[AttributedQuote]:
    """The first quotes, their own words (direct) before reported speech, in the order given."""
    direct = [q for q in quotes if q.kind == "direct"]
    return (direct + [q for q in quotes if q.kind != "direct"])[:shown]
