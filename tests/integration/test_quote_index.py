"""The quote index end to end on a real Chroma store: built at add time, kept with the article row
(removed with it), built by ``check --repair`` for articles stored before it, and served by
``Assistant.quotes``/``people`` and ``article-assistant quotes --json``."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tests.unit.test_quote_extraction import KIRBY, SMITHS


@pytest.fixture()
def assistant(tmp_path, embedder):  # type: ignore[no-untyped-def]
    from assistant.api import Assistant
    from assistant.settings import Settings

    return Assistant(Settings(data_dir=tmp_path / "data"), embedder=embedder)


def test_quotes_are_stored_with_the_article_and_leave_with_it(assistant) -> None:  # type: ignore[no-untyped-def]
    kirby = assistant.add_text(KIRBY).article
    from index.ingest import read_text

    ids = [r.article.id for r in assistant.add_many(read_text(t, source=k) for k, t in SMITHS.items())]
    stored = assistant.store.quotes()
    assert set(stored) == {kirby.id, *ids} and all(v is not None for v in stored.values())
    said = assistant.quotes(person="Kirby")
    assert [q.mention for q in said] == [
        "John Kirby, the National Security Council's spokesman for strategic communications",
        "Kirby", "he", "The spokesman"]
    assert {q.person_id for q in said} == {"john-kirby"}
    assert said[0].cited == ((kirby.id, "s3"), (kirby.id, "s4"))
    people = assistant.people(article=kirby.id)
    assert [p.name for p in people] == ["John Kirby", "Mary Wareham", "White House"]
    assert len(assistant.quotes(person="Smith")) == 4
    assert len({q.person_id for q in assistant.quotes(person="Smith")}) == 3
    assistant.remove(kirby.id)
    assert assistant.quotes(person="Kirby") == []
    assert kirby.id not in assistant.store.quotes()


def test_check_repair_indexes_articles_stored_before_the_index(assistant) -> None:  # type: ignore[no-untyped-def]
    from index.build import add_article
    from index.ingest import read_text

    # Stored as before the index existed: no extractor given to the write path.
    old = add_article(read_text(KIRBY), assistant.store, assistant.embedder).article
    assert assistant.store.quotes() == {old.id: None}
    found = assistant.check()
    assert found.consistent and found.unquoted == (old.id,)
    assert assistant.quotes() == [] and assistant.quote_index().unindexed == (old.id,)
    assistant.check(repair=True)
    assert assistant.check().unquoted == ()
    assert [q.speaker for q in assistant.quotes(article=old.id)][:2] == ["White House", "John Kirby"]


def test_the_quotes_command_prints_json(tmp_path, embedder, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from assistant.cli import cli

    data = tmp_path / "data"
    monkeypatch.setenv("ARTICLE_ASSISTANT_DATA_DIR", str(data))
    for name, text in SMITHS.items():
        (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8")
    runner = CliRunner()
    added = runner.invoke(cli, ["add", *(str(tmp_path / f"{n}.txt") for n in SMITHS)])
    assert added.exit_code == 0, added.output
    result = runner.invoke(cli, ["quotes", "--person", "Adam Smith", "--json"])
    assert result.exit_code == 0, result.output
    data_out = json.loads(result.output)
    assert [p["name"] for p in data_out["people"]] == ["Adam Smith"]
    assert [q["mention"] for q in data_out["quotes"]] == [
        "Adam Smith, the chief executive of Acme Corp", "Smith"]
    text = runner.invoke(cli, ["quotes", "--person", "Smith"])
    assert "a local teacher" in text.output and "John Smith" in text.output


def test_what_has_x_said_is_answered_from_the_index_across_the_library(assistant) -> None:  # type: ignore[no-untyped-def]
    from index.ingest import read_text

    kirby = assistant.add_text(KIRBY).article
    assistant.add_many(read_text(t, source=k) for k, t in SMITHS.items())
    answer = assistant.ask("What has Kirby said about the dud rate?")
    assert answer.mode == "answer" and answer.confidence == 1.0
    assert answer.text.startswith("Kirby said the shells had a lower dud rate")
    assert [(c.article_id, c.sentence_id) for c in answer.citations][0] == (kirby.id, "s5")
    said = assistant.ask("What did Adam Smith say?")
    assert {c.text for c in said.citations} == {
        "“Our earnings beat every forecast this quarter,” said Adam Smith, the chief executive of Acme Corp.",
        "“Sales doubled in Europe,” Smith, the Acme chief executive, said on Tuesday."}
    assert said.mode == "answer"
    # Three Smiths are quoted: what "Smith" said is shown as the closest statements, never as sure.
    smith = assistant.ask("What did Smith say?")
    assert smith.mode == "evidence" and smith.confidence < 1.0
    assert len({c.article_id for c in smith.citations}) > 1
    first = assistant.ask("What did John Kirby say?")
    assert [c.sentence_id for c in first.citations] == ["s3", "s4", "s6", "s7", "s5"]
    more = assistant.ask("What else did he say?", history=[("What did John Kirby say?", first)])
    assert [c.sentence_id for c in more.citations] == ["s8"]  # "The spokesman added that …"


def test_the_people_panel_lists_the_open_articles_people_and_their_quotes(assistant) -> None:  # type: ignore[no-untyped-def]
    from assistant.web.app import build_app
    from assistant.web.people import choices, quotes_html
    from assistant.web.render import ALL

    kirby = assistant.add_text(KIRBY).article
    assistant.add_text(SMITHS["senator"])
    build_app(assistant)  # the panel is part of the page
    in_article = choices(assistant, {"scope": kirby.id, "chats": {}, "pending": None})
    assert [value for _, value in in_article] == ["john-kirby", "mary-wareham", "white-house"]
    assert in_article[0][0].startswith("John Kirby (4) — the National Security Council")
    everyone = [value for _, value in choices(assistant, {"scope": ALL, "chats": {}, "pending": None})]
    assert "john-smith" in everyone
    shown = quotes_html(assistant, "john-kirby", {"scope": kirby.id, "chats": {}, "pending": None})
    assert shown.count('<blockquote class="people-quote"') == 4
    # Another article quoting him: the library counts both, the open article only its own.
    again = assistant.add_text('"We will keep the pressure on," John Kirby, the National Security '
                               "Council coordinator, told reporters on Friday in Washington.").article
    def labels(scope: str) -> dict[str, str]:
        return {v: label for label, v in choices(assistant, {"scope": scope, "chats": {}, "pending": None})}

    assert labels(kirby.id)["john-kirby"].startswith("John Kirby (4)")
    assert labels(again.id)["john-kirby"].startswith("John Kirby (1)")
    assert labels(ALL)["john-kirby"].startswith("John Kirby (5)")
    assert "Kirby said the shells" in shown and "via “he”" in shown and "<script" not in shown
