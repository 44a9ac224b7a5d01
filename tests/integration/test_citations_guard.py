"""Citations are never invented: unknown IDs from an answerer are dropped, never shown."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.answer.base import ABSTAIN_TEXT, AnswerRequest, Draft


@dataclass
class ScriptedAnswerer:
    """An answerer that cites whatever it is told to, like a model that invents IDs."""

    cited: tuple[tuple[str, str], ...]
    name: str = "scripted"

    def answer(self, request: AnswerRequest) -> Draft:
        return Draft("Scripted answer.", self.cited, abstained=False, confidence=0.9)


def _assistant(settings, embedder, cited):
    from assistant.api import Assistant

    return Assistant(settings, embedder=embedder, answerer=ScriptedAnswerer(cited))


def test_invented_ids_are_dropped(settings, embedder, seed_path):
    article = _assistant(settings, embedder, ()).add(str(seed_path)).article
    assistant = _assistant(
        settings, embedder, ((article.id, "s999"), ("nope", "s1"), (article.id, "s5"), (article.id, "s5"))
    )
    answer = assistant.ask("Who said it?", article=article.id)
    assert [c.sentence_id for c in answer.citations] == ["s5"]
    assert answer.citations[0].text == article.text[answer.citations[0].start : answer.citations[0].end]
    assert answer.text == "Scripted answer."
    assert set(answer.timings) == {"retrieve", "rerank", "answer", "total"}
    assert answer.diagnostics.invented_citations == 2


def test_an_answer_with_only_invented_citations_is_not_shown(settings, embedder, seed_path):
    article = _assistant(settings, embedder, ()).add(str(seed_path)).article
    assistant = _assistant(settings, embedder, ((article.id, "s999"),))
    answer = assistant.ask("Who said it?", article=article.id)
    assert answer.abstained
    assert answer.citations == ()
    assert answer.text == ABSTAIN_TEXT
