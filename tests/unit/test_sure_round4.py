"""Issue 21, round 4 (found on trust set 3's tune half, pinned on articles written here): a yes/no
verdict or a "why" answer is only sure when its sentence speaks to the question; a title before a
name stops at the name and its honorific; a live blog's summary leads with each end entry's news."""

from __future__ import annotations

import pytest

from assistant.analysis.questions import analyse
from assistant.analysis.spans import typed_answer
from assistant.answer.base import AnswerRequest, Draft
from assistant.answer.extractive.answerer import ExtractiveAnswerer
from assistant.answer.extractive.summary import summarise
from assistant.settings import AnswerSettings
from assistant.types import Hit
from index.models import Article
from index.sentences import split_sentences

REGATTA = (
    "Rowers from Tamsin Bay win the autumn regatta.\n\n"
    "Stroke Delia Fenwick pulled the Tamsin Bay eight past the harbour wall two lengths ahead of Corlow.\n\n"
    "Fenwick rowed the final with a sprained wrist, the club's doctor said.\n\n"
    "Corlow coach Ivo Brandt cast the only protest against the result.\n\n"
    "Brandt said the protest was lodged because a marker buoy had drifted into Corlow's lane.\n"
)


def _article() -> Article:
    return Article(id="r1", text=REGATTA, sentences=split_sentences(REGATTA))


def _draft(article: Article, question: str, first: int, settings: AnswerSettings | None = None) -> Draft:
    """The extractive answer to ``question`` when sentence ``first`` ranks best and the other body
    sentences follow in order; at threshold 0 (the default here) only the checks of how an answer is
    known to answer can make it unsure."""
    order = [first, *(i for i in range(1, len(article.sentences)) if i != first)]
    hits = tuple(
        Hit(article.id, article.sentences[i].id, score=2.0 - 0.3 * n, lexical=1 - 0.2 * n, dense=0.6,
            coverage=0.9)
        for n, i in enumerate(order)
    )
    request = AnswerRequest(question, question, hits, {article.id: article}, analysis=analyse(question))
    return ExtractiveAnswerer(settings or AnswerSettings(mode_threshold=0.0)).answer(request)


def _answer(question: str, first: int) -> tuple[str, str]:
    """The mode and first cited sentence of the answer to ``question`` about the regatta."""
    article = _article()
    draft = _draft(article, question, first)
    return draft.mode, article.sentence(draft.cited[0][1]).text


def test_a_yes_or_no_is_sure_only_from_a_sentence_that_speaks_of_what_is_asked() -> None:
    mode, cited = _answer("Was Fenwick injured?", 1)  # her win: nothing about an injury
    assert mode == "evidence", cited
    mode, cited = _answer("Did Fenwick row with an injury?", 2)  # "rowed … sprained": another form
    assert cited.startswith("Fenwick rowed the final") and mode == "answer"


def test_who_said_is_sure_only_when_the_statement_holds_what_the_question_says_was_said() -> None:
    mode, cited = _answer("Who said the buoy had drifted into Corlow's lane?", 4)
    assert cited.startswith("Brandt said the protest") and mode == "answer"
    # Brandt spoke, but not of a rematch: the speaker of the closest statement is no answer.
    mode, cited = _answer("Who said the regatta should be rowed again next spring?", 4)
    assert mode == "evidence", cited


def test_who_said_is_not_sure_when_the_statement_says_the_opposite() -> None:
    mode, _ = _answer("Who said the protest was lodged because a marker buoy had drifted?", 4)
    assert mode == "answer"
    mode, cited = _answer("Who said a marker buoy had not drifted into the lane?", 4)
    assert cited.startswith("Brandt said the protest") and mode == "evidence"


@pytest.mark.parametrize(
    ("claim", "sentence", "differs"),
    [
        ("Who said she would stop buying the cheese?", "Gask said she would keep buying the cheese.", True),
        ("Who said the plant passed its inspection?", "An inspector said the plant failed it.", True),
        ("Who said the board would reject the plan?", "Lund said the board would approve it.", True),
        ("Who said she would keep buying the cheese?", "Gask said she would keep buying the cheese.", False),
        ("Who said nobody lost a job?", "\u201cNobody lost a job,\u201d Oduya said.", False),
    ],
)
def test_opposite_words_and_negations_make_a_statement_differ_from_the_claim(
    claim: str, sentence: str, differs: bool
) -> None:
    from assistant.answer.extractive.yes_no import polarity_differs

    assert polarity_differs(claim, sentence) is differs


def test_a_reported_question_is_no_statement_to_be_sure_of() -> None:
    text = (
        "Ferry budget debated.\n\n"
        "Councilwoman Rhea Stroud asked whether the ferry savings would pay for the new pier.\n\n"
        "Mayor Olin Tack said the savings would pay for the new pier within four years.\n"
    )
    article = Article(id="f1", text=text, sentences=split_sentences(text))
    question = "Who said the ferry savings would pay for the new pier?"
    for first, mode in ((1, "evidence"), (2, "answer")):  # the question asked, the claim made
        draft = _draft(article, question, first)
        assert draft.mode == mode, (article.sentences[first].text, draft.text)


def test_a_question_that_opens_with_who_asks_for_a_person_whatever_follows() -> None:
    asked = analyse("Who estimated how much the repairs would cost the club?")
    assert (asked.kind, asked.answer_type) == ("person", "person")
    assert analyse("How much would the repairs cost the club?").answer_type == "money"


def test_why_is_sure_only_from_a_sentence_that_gives_a_reason() -> None:
    mode, cited = _answer("Why did Brandt protest?", 3)  # that he protested, not why
    assert cited.startswith("Corlow coach Ivo Brandt cast") and mode == "evidence"
    mode, cited = _answer("Why did Brandt protest?", 4)
    assert cited.startswith("Brandt said the protest was lodged because") and mode == "answer"


@pytest.mark.parametrize(
    ("question", "sentence", "role"),
    [
        ("Who is Wendell Oakes?", "County coroner Dr. Wendell Oakes said the school must close.",
         "County coroner"),
        ("Who is Oakes?", "County coroner Dr. Wendell Oakes said the school must close.", "County coroner"),
        ("Who is Priya Nandakumar?", "Ferry captain Priya Nandakumar brought the ship in at dawn.",
         "Ferry captain"),
    ],
)
def test_a_title_before_a_name_stops_at_the_name_and_its_honorific(question: str, sentence: str,
                                                                    role: str) -> None:
    found = typed_answer(analyse(question), (sentence,))
    assert found is not None and found.text == role


LIVE = """Live: floods close the Marrow Valley road
Last updated: May 3, 2026, 8:00 p.m.

8:00 p.m. — Where things stand
The Marrow Valley road is closed between Hob End and Pike Cross after the river rose over it.
About 40 homes were evacuated, and the county expects the road to reopen on Friday.
A shelter at the Hob End school has 30 cots and hot meals until midnight.

4:30 p.m. — County opens a shelter
The county said the Hob End school would take in people who left their homes.

3:15 p.m. — Buses rerouted
Buses to Pike Cross now run by the hill road, adding about 20 minutes to the trip.

2:00 p.m. — Water over the road
The river rose over the Marrow Valley road near Pike Cross early this afternoon.
"""


def test_a_live_blog_summary_leads_with_the_news_line_of_its_latest_and_first_entries() -> None:
    from index.build import prepare
    from index.ingest import read_text

    article, _ = prepare(read_text(LIVE))
    texts = {s.id: s.text for s in article.sentences}
    # The shelter line is the most central of the latest entry; its first line of news sums it up.
    centrality = {s.id: 0.5 for s in article.sentences}
    centrality |= {s.id: 0.9 for s in article.sentences if s.text.startswith("A shelter at")}
    request = AnswerRequest("Sum up the live blog", "Sum up the live blog", (), {article.id: article},
                            analysis=analyse("Sum up the live blog"), centrality={article.id: centrality})
    cited = [texts[i] for _, i in summarise(request).cited]
    assert cited[0].startswith("The Marrow Valley road is closed between")
    assert any(c.startswith("The river rose over the Marrow Valley road") for c in cited)


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("9:05 p.m. — Crews say the main is repaired", "heading"),
        ("14:05 - Roads closed", "heading"),
        # The entry's news run onto its time is a sentence, and evidence.
        ("9:40 p.m. — Water is back on for most of the town after the break.", None),
        ("7:30 p.m. — Fire crews from three counties have joined the fight.", None),
    ],
)
def test_a_live_blog_entrys_heading_is_structure_not_evidence(line: str, kind: str | None) -> None:
    from index.structure import line_kind

    assert line_kind(line) == kind


def test_who_said_cites_the_statement_asked_about_before_the_sentence_naming_its_speaker() -> None:
    text = (
        "Pier closed after inspection.\n\n"
        "Harbour master Ada Quill said the old pier at Gannet Cove was no longer safe to walk on.\n\n"
        "\u201cThe pilings are rotten down to the waterline,\u201d she told the council on Monday.\n"
    )
    article = Article(id="q1", text=text, sentences=split_sentences(text))
    quote = next(i for i, s in enumerate(article.sentences) if "pilings" in s.text)
    named = next(i for i, s in enumerate(article.sentences) if s.text.startswith("Harbour master"))
    draft = _draft(article, "Who said the pilings were rotten?", quote, AnswerSettings())
    assert draft.short_answer == "Ada Quill"
    assert [s for _, s in draft.cited][:2] == [article.sentences[quote].id, article.sentences[named].id]
