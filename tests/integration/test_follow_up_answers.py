"""Follow-ups end to end (real Chroma in a tmp dir, the bundled model): the seed and a written article."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli import cli
from tests.support import KIRBY_QUESTION

SWIM = Path(__file__).resolve().parent.parent / "data" / "articles" / "swim-coach.txt"


@pytest.fixture(scope="module")
def library(tmp_path_factory, embedder, seed_path):  # type: ignore[no-untyped-def]
    from assistant.api import Assistant
    from assistant.settings import Settings

    assistant = Assistant(Settings(data_dir=tmp_path_factory.mktemp("follow-ups")), embedder=embedder)
    seed = assistant.add(seed_path).article.id
    swim = assistant.add(SWIM).article.id
    return assistant, seed, swim


def _talk(assistant, article: str, *questions: str) -> list:  # type: ignore[no-untyped-def]
    history: list = []
    for question in questions:
        history.append((question, assistant.ask(question, article=article, history=history)))
    return [answer for _, answer in history]


def _cited(answer) -> list[str]:  # type: ignore[no-untyped-def]
    return [c.text for c in answer.citations]


def test_what_else_after_syrskyi_gives_his_other_statements_not_rischs_letter(library) -> None:  # type: ignore[no-untyped-def]
    assistant, seed, _ = library
    _, more = _talk(assistant, seed, "What did Syrskyi say about fast results?", "What else did he say?")
    assert more.diagnostics.query == "What else did Syrskyi say?"
    cited = _cited(more)
    assert cited and all("Syrskyi" in c or "Russians didn’t use them" in c for c in cited)
    assert any("conscience would not allow us" in c for c in cited)
    assert not any("Risch" in c or "very fast results" in c for c in cited)


def test_what_else_after_kirby_gives_his_other_quotes_then_abstains(library) -> None:  # type: ignore[no-untyped-def]
    assistant, seed, _ = library
    again = "What else did he say?"
    first, more, again = _talk(assistant, seed, KIRBY_QUESTION, again, again)
    assert not more.abstained and not more.text.startswith("John Kirby")  # his words, not his name again
    assert _cited(more) == ["“They are using them appropriately."]
    assert not set(_cited(more)) & set(_cited(first))
    # Everything Kirby said has been shown: no other speaker's quote is passed off as his.
    assert again.abstained and again.citations == ()


def test_they_in_a_thread_is_the_topic_not_the_sentence_already_cited(library) -> None:  # type: ignore[no-untyped-def]
    assistant, seed, _ = library
    banned, danger = _talk(
        assistant, seed, "Why are cluster munitions banned?", "Why are they dangerous to civilians?"
    )
    assert danger.diagnostics.query == "Why are cluster munitions dangerous to civilians?"
    assert "threat to civilians" in _cited(danger)[0]
    assert _cited(banned)[0] != _cited(danger)[0]


def test_the_coach_stays_in_focus_and_she_is_the_swimmer(library) -> None:  # type: ignore[no-untyped-def]
    assistant, _, swim = library
    coach, about, more = _talk(
        assistant, swim, "Who is Maria Santos's coach?", "What did he say about her?", "What else did he say?"
    )
    assert coach.short_answer == "Luis Ortega"
    assert about.diagnostics.query == "What did Luis Ortega say about Maria Santos?"
    assert "Ortega" in about.citations[0].text or about.citations[0].text.startswith("“Maria")
    assert more.diagnostics.query == "What else did Luis Ortega say?"
    shown = set(_cited(coach)) | set(_cited(about))
    assert _cited(more) and not set(_cited(more)) & shown
    assert not any("qualify for the final" in c for c in _cited(more))  # that is Santos speaking


def test_about_her_after_a_transcript_turn_gives_his_quotes_about_her_not_the_sentence_shown(library) -> None:  # type: ignore[no-untyped-def]
    assistant, _, swim = library
    # History as text only (the eval's and the API's plain form): the sentence that answered it
    # ("Her coach, Luis Ortega, said the record …") is what the reader has already.
    coach = [{"question": "Who is Maria Santos's coach?", "answer": "Luis Ortega"}]
    about = assistant.ask("What did he say about her?", article=swim, history=coach)
    assert about.diagnostics.query == "What did Luis Ortega say about Maria Santos?"
    assert about.mode == "answer" and _cited(about)[0].startswith("“Maria has been swimming")
    assert not any("Santos, who trains" in c for c in _cited(about))  # her own words are not his
    more = assistant.ask("What else did he say?", article=swim, history=coach)
    assert more.diagnostics.query == "What else did Luis Ortega say?"
    assert _cited(more) and not any("had been coming for months" in c for c in _cited(more))


def test_a_topic_in_the_second_sentence_of_a_quote_is_cited_first(library) -> None:  # type: ignore[no-untyped-def]
    assistant, _, swim = library
    plan = assistant.ask("What did Ortega say about the plan?", article=swim)
    assert _cited(plan)[0] == "“The plan is working, so we keep it.”"


def test_a_new_name_in_the_question_wins_over_history(library) -> None:  # type: ignore[no-untyped-def]
    assistant, _, swim = library
    _, other = _talk(assistant, swim, "Who is Maria Santos's coach?", "Whose record did Carla Dias hold?")
    assert "Ortega" not in other.diagnostics.query


def test_the_cli_chat_shows_how_a_follow_up_was_understood(tmp_path, seed_path) -> None:  # type: ignore[no-untyped-def]
    runner = CliRunner()
    data = ["--data-dir", str(tmp_path)]
    assert runner.invoke(cli, [*data, "add", str(seed_path)]).exit_code == 0
    result = runner.invoke(cli, [*data, "chat"], input=f"{KIRBY_QUESTION}\nWhat else did he say?\n\n")
    assert result.exit_code == 0, result.output
    assert "(understood as: What else did John Kirby say?)" in result.output
    assert result.output.count("(understood as:") == 1  # not for the question that stood alone
