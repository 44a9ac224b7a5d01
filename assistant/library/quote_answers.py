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
    if not index.matching(person):
        return None
    quotes = [q for q in index.find(person=person, article=article, topic=topic)
              if q.article_id in request.articles]
    if not quotes:
        return None
    cited = {(c.article_id, c.sentence_id) for turn in request.history for c in turn.citations}
    # Turns given as text only: what their answers quoted was shown too.
    said = [t.answer for t in request.history if not t.citations]
    if more:
        quotes = [rest for q in quotes if (rest := _unshown(q, request, cited, said)) is not None]
    why = Diagnostics(query=request.query, ranked=tuple(h.ref for h in request.hits))
    if not quotes:
        reason = f"everything {person} is quoted as saying was shown already"
        return Draft.abstention(Diagnostics(query=request.query, ranked=why.ranked, abstain_reason=reason))
    chosen = quotes[:shown] if topic else _chosen(quotes, shown)  # a topic's best match first
    return Draft(
        text=" ".join(q.text for q in chosen),
        cited=tuple(dict.fromkeys(ref for q in chosen for ref in q.cited if ref not in cited)),
        abstained=False,
        confidence=1.0,  # what is cited is the person's, by the index's attribution
        # No short answer: the question names the person; the conversation's focus stays as asked.
        diagnostics=Diagnostics(query=request.query, ranked=why.ranked,
                                features=(("quotes.index", float(len(chosen))),)),
        mode="answer",
    )


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
    return dataclasses.replace(quote, sentence_ids=left, text=" ".join(texts[s] for s in left))


def _chosen(quotes: Sequence[AttributedQuote], shown: int) -> list[AttributedQuote]:
    """The first quotes, their own words (direct) before reported speech, in the order given."""
    direct = [q for q in quotes if q.kind == "direct"]
    return (direct + [q for q in quotes if q.kind != "direct"])[:shown]
