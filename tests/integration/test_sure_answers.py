"""Never sure and wrong, end to end on articles written here (issue 21, round 3): a short answer is
read off the sentence, not a headline run into it; a name that is only part of a source gives the
whole source; summaries cite the lead, not a credit line or a caption; summary requests are known
by their words."""

from __future__ import annotations

from pathlib import Path

import pytest

ARTICLES = Path(__file__).resolve().parent.parent / "data" / "articles"
NAMES = ("storm-recap.txt", "library-opening.txt", "ferry-credits.txt", "ferry-caption.md")


@pytest.fixture(scope="module")
def library(tmp_path_factory, embedder):  # type: ignore[no-untyped-def]
    from assistant.api import Assistant
    from assistant.settings import Settings

    assistant = Assistant(Settings(data_dir=tmp_path_factory.mktemp("sure")), embedder=embedder)
    return assistant, {name: assistant.add(ARTICLES / name).article.id for name in NAMES}


@pytest.mark.parametrize("question", ["Who beat the Harbor Hawks?", "Who ended the losing streak?"])
def test_the_short_answer_is_never_a_word_of_the_headline_run_into_the_lead(library, question: str) -> None:  # type: ignore[no-untyped-def]
    assistant, ids = library
    answer = assistant.ask(question, article=ids["storm-recap.txt"])
    # "STORM 88, HARBOR HAWKS 81 Porter Bay rallied … to beat the Harbor Hawks, ending a … streak":
    # the subject of the clause, not a team of the score line nor a player of the next sentence.
    assert answer.mode != "answer" or answer.short_answer == "Porter Bay"
    assert answer.short_answer in (None, "Porter Bay")
    assert answer.citations[0].text.startswith("STORM 88, HARBOR HAWKS 81 Porter Bay rallied")


def test_a_name_inside_the_source_gives_the_whole_source(library) -> None:  # type: ignore[no-untyped-def]
    assistant, ids = library
    question = (
        "According to the article, who is the source of the following statement: "
        "“Ridership fell by a third during the last strike in 2019”?"
    )
    answer = assistant.ask(question, article=ids["ferry-credits.txt"])
    assert answer.short_answer == "a Coastal Courier review of authority records"


@pytest.mark.parametrize(
    ("name", "question", "lead"),
    [
        # A "Published … | Updated …" line and a byline without "By" are no lead; nor is a photo caption.
        ("ferry-credits.txt", "What is this article about?", "Deckhands and engineers"),
        ("ferry-caption.md", "Summarize the article.", "Deckhands and engineers"),
        # Requests known by their words, not one fixed form.
        ("library-opening.txt", "Tell me what this story is about.", "BELLMONT — Bellmont County opened"),
        ("library-opening.txt", "What are the highlights?", "BELLMONT — Bellmont County opened"),
    ],
)
def test_summaries_cite_the_lead(library, name: str, question: str, lead: str) -> None:  # type: ignore[no-untyped-def]
    assistant, ids = library
    answer = assistant.ask(question, article=ids[name])
    assert answer.mode == "answer" and not answer.abstained
    assert answer.citations[0].text.startswith(lead)
    assert not any("Commuters wait" in c.text or "Updated" in c.text for c in answer.citations)
