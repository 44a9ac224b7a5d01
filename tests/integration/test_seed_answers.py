"""The offline answerer on the seed article, end to end: real Chroma in a tmp dir, real bundled model."""

from __future__ import annotations

import pytest

from assistant.answer.base import ABSTAIN_TEXT


@pytest.fixture(scope="module")
def seeded(tmp_path_factory, embedder, seed_path):  # type: ignore[no-untyped-def]
    from assistant.api import Assistant
    from assistant.settings import Settings

    assistant = Assistant(Settings(data_dir=tmp_path_factory.mktemp("seed-answers")), embedder=embedder)
    article = assistant.add(seed_path).article
    return assistant, article.id


def _cited(answer) -> list[str]:  # type: ignore[no-untyped-def]
    return [c.text for c in answer.citations]


def test_who_said_names_kirby_and_cites_quote_and_attribution(seeded) -> None:  # type: ignore[no-untyped-def]
    assistant, article = seeded
    answer = assistant.ask("Who said cluster munitions are effective?", article=article)
    assert not answer.abstained
    assert answer.text.startswith("John Kirby")
    assert answer.short_answer and "John Kirby" in answer.short_answer
    cited = _cited(answer)
    assert any("They’re using them effectively" in c for c in cited)
    assert any("said John Kirby" in c for c in cited)
    assert 0.0 < answer.confidence <= 1.0


def test_network_that_reported_kirby_is_cnn(seeded) -> None:  # type: ignore[no-untyped-def]
    assistant, article = seeded
    answer = assistant.ask("Which network reported Kirby's remarks?", article=article)
    assert not answer.abstained
    assert answer.short_answer == "CNN"
    assert answer.text.startswith("CNN")
    assert any("according to CNN" in c for c in _cited(answer))


def test_unexploded_munitions_act_like_landmines(seeded) -> None:  # type: ignore[no-untyped-def]
    assistant, article = seeded
    answer = assistant.ask("What happens when cluster munitions do not explode as intended?", article=article)
    assert not answer.abstained
    assert "landmines" in answer.text
    assert any("acting like landmines" in c for c in _cited(answer))


def test_follow_up_what_else_did_he_say(seeded) -> None:  # type: ignore[no-untyped-def]
    assistant, article = seeded
    first = assistant.ask("Who said cluster munitions are effective?", article=article)
    answer = assistant.ask(
        "What else did he say?",
        article=article,
        history=[("Who said cluster munitions are effective?", first)],
    )
    assert not answer.abstained
    cited = _cited(answer)
    assert any("using them appropriately" in c or "leave it at that" in c for c in cited)
    # Other Kirby sentences, not the one already given as the answer's quote.
    assert not any("They’re using them effectively" in c for c in cited)


@pytest.mark.parametrize(
    "question", ["What is the range of these munitions?", "Who is the US Secretary of Defense?"]
)
def test_abstains_when_the_article_does_not_say(seeded, question: str) -> None:  # type: ignore[no-untyped-def]
    assistant, article = seeded
    answer = assistant.ask(question, article=article)
    assert answer.abstained
    assert answer.text == ABSTAIN_TEXT
    assert answer.citations == ()
