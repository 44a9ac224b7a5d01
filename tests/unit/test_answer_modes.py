"""Answer modes, summary questions and summaries, without the store (articles written here)."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.analysis.questions import analyse, summary_topic
from assistant.answer.base import ABSTAIN_TEXT, LIBRARY_ABSTAIN_TEXT, AnswerRequest, abstain_text
from assistant.answer.extractive.answerer import ExtractiveAnswerer
from assistant.answer.extractive.summary import summarise
from assistant.library.centrality import sentence_centrality
from assistant.settings import AnswerSettings
from assistant.types import Answer, Citation, Hit
from assistant.web.render import answer_markdown, render_chat
from index.models import Article
from index.sentences import split_sentences

STRIKE = (
    "Teachers in Dunmore end 12-day strike after pay deal\n\n"
    "Teachers in the Dunmore school district returned to work on Monday after a 12-day strike, "
    "the longest in the state in a decade.\n\n"
    "The union and the school board agreed to a 9 percent raise over three years, according to "
    "Marcus Bell, the union's president.\n\n"
    "“Our members held the line, and it paid off,” Bell told reporters outside Lincoln High School.\n\n"
    "Superintendent Carla Diaz said classes lost during the strike would be made up in June.\n\n"
    "About 14,000 students missed school during the walkout.\n\n"
    "Parents had organised free day care in church halls while the schools were closed.\n"
)


def _article(text: str = STRIKE, article_id: str = "d1") -> Article:
    return Article(id=article_id, text=text, sentences=split_sentences(text))


@pytest.mark.parametrize(
    "question",
    [
        "What is this article about?",
        "Summarize the article",
        "Summarise it",
        "What happened?",
        "What are the main points?",
        "Key facts?",
        "Give me a summary",
        "tl;dr",
        "Can you summarize the story about the teachers' strike?",
        "What does the article say?",
        "What's the story?",
        "Give me the highlights",
        "What is going on?",
        "In short?",
    ],
)
def test_a_summary_is_recognised_by_its_form(question: str) -> None:
    assert analyse(question).kind == "summary"
    assert not analyse(question).wants_short


@pytest.mark.parametrize(
    "question",
    [
        "What happened to her?",
        "What happened in 2019?",
        "What was the meeting about?",
        "Who summarized it?",
        "What does the article say about the raise?",
        "What is the story's main claim about pay?",
    ],
)
def test_questions_about_a_detail_are_not_summaries(question: str) -> None:
    assert analyse(question).kind != "summary"


def test_a_summary_request_names_its_topic_or_none() -> None:
    assert summary_topic("Summarize the story about the teachers' strike") == "teachers strike"
    assert summary_topic("What is this article about?") == ""


def test_answer_mode_follows_abstained_unless_given_and_is_in_the_json() -> None:
    cite = Citation("d1", "s2", 0, 5, "Hello")
    assert Answer("x", (cite,), abstained=False).mode == "answer"
    assert Answer(ABSTAIN_TEXT, (), abstained=True, mode="answer").mode == "abstain"
    evidence = Answer("x", (cite,), abstained=False, mode="evidence")
    assert evidence.to_dict()["mode"] == "evidence"
    with pytest.raises(ValueError, match="mode"):
        Answer("x", (cite,), abstained=False, mode="maybe")  # type: ignore[arg-type]


def test_abstaining_over_several_articles_says_none_of_them_say() -> None:
    assert abstain_text(1) == ABSTAIN_TEXT == "The article doesn't say."
    assert abstain_text(3) == LIBRARY_ABSTAIN_TEXT == "None of your articles say."


def test_centrality_is_the_cosine_to_the_articles_centroid() -> None:
    members = [("s1",), ("s2",), ("s2", "s3")]
    matrix = np.array([[1.0, 0.0], [1.0, 0.1], [0.0, 1.0]], dtype=np.float32)
    found = sentence_centrality(members, matrix)
    assert set(found) == {"s1", "s2", "s3"}
    assert found["s1"] > found["s3"]  # two of three passages point its way
    # A sentence in two passages takes the mean of their cosines.
    assert found["s2"] == pytest.approx((_cos([1, 0.1], matrix) + _cos([0, 1], matrix)) / 2)


def _cos(v: list[float], matrix: np.ndarray) -> float:
    unit = matrix / np.linalg.norm(matrix, axis=1, keepdims=True)
    centroid = unit.mean(axis=0)
    a = np.array(v) / np.linalg.norm(v)
    return float(a @ centroid / np.linalg.norm(centroid))


def test_a_summary_is_the_lead_and_the_most_central_sentences_in_article_order() -> None:
    article = _article()
    ids = [s.id for s in article.sentences]
    # The title line (no closing punctuation) is not the lead; the last two sentences are most central.
    centrality = {i: 0.1 for i in ids} | {ids[-1]: 0.9, ids[-3]: 0.8}
    draft = summarise(_request("What is this article about?", {"d1": article}, {"d1": centrality}))
    assert draft.mode == "answer" and not draft.abstained
    assert draft.cited == (("d1", ids[1]), ("d1", ids[-3]), ("d1", ids[-1]))
    assert draft.text.startswith("Teachers in the Dunmore school district returned")


LIVE_BLOG = """Live updates: wildfire near Port Emery
Staff reports | Last updated June 2, 2025, 10:40 p.m.

10:40 p.m. — That's all from us tonight, and we'll be back with updates at 7 a.m.
The fire has burned about 3,200 acres and is 15 percent contained, the county fire service said.

9:15 p.m. — Evacuation orders now cover about 800 homes on the west side of Port Emery.

7:30 p.m. — Fire crews from three counties have joined the fight along Ridge Road.

5:05 p.m. — The county has opened a shelter at the Port Emery fairgrounds for people who left their homes.

3:10 p.m. — Welcome to our live coverage of the fire near Port Emery.
A brush fire that started near Ridge Road shortly after 1 p.m. is spreading east toward town.
"""


def test_a_live_blog_summary_is_the_top_and_bottom_entries_news_not_the_byline_or_sign_off() -> None:
    from index.build import prepare
    from index.ingest import read_text

    article, _ = prepare(read_text(LIVE_BLOG))
    texts = {s.id: s.text for s in article.sentences}
    # The credit-and-date line is structure: never the lead, never cited.
    assert any(texts[i].startswith("Staff reports") for i in article.structural)
    draft = summarise(_request("Summarize the live blog.", {article.id: article}, {article.id: {}}))
    cited = [texts[i] for _, i in draft.cited]
    assert cited[0].startswith("The fire has burned about 3,200 acres")  # how it stands now
    assert any(c.startswith("A brush fire that started near Ridge Road") for c in cited)  # how it began
    assert not any("we'll be back" in c or "Welcome to our" in c or "Staff reports" in c for c in cited)


def test_a_library_summary_gives_one_lead_per_chosen_article() -> None:
    other = _article("Port approves terminal expansion after two years of debate.\n", "p1")
    strike = _article()
    articles = {"d1": strike, "p1": other}
    draft = summarise(_request("What are the main points?", articles, {"p1": {}, "d1": {}}))
    assert draft.cited == (("p1", "s1"), ("d1", strike.sentences[1].id))
    assert draft.text.splitlines() == [other.sentences[0].text, strike.sentences[1].text]
    assert summarise(_request("tl;dr", articles, {})).abstained  # nothing chosen: nothing to say


def test_the_extractive_answerer_summarises_from_the_requests_centrality() -> None:
    article = _article()
    request = _request("Summarize the article", {"d1": article}, {"d1": {}}, hits=_hits(article))
    draft = ExtractiveAnswerer().answer(request)
    assert draft.mode == "answer"
    assert draft.cited[0] == ("d1", article.sentences[1].id)
    assert 2 <= len(draft.cited) <= 4


def test_an_unsure_answer_shows_the_closest_sentences_best_first_without_a_short_answer() -> None:
    article = _article()
    hits = _hits(article, order=[5, 2, 3, 4])
    sure = AnswerSettings(mode_threshold=0.0)
    unsure = AnswerSettings(mode_threshold=1.0)
    question = "How many students missed school?"
    answered = ExtractiveAnswerer(sure).answer(_request(question, {"d1": article}, hits=hits))
    assert answered.mode == "answer" and answered.short_answer == "About 14,000"
    shown = ExtractiveAnswerer(unsure).answer(_request(question, {"d1": article}, hits=hits))
    assert shown.mode == "evidence" and shown.short_answer is None
    refs = [h.ref for h in hits[:3]]
    assert list(shown.cited) == refs
    assert shown.text.splitlines() == [article.sentence(s).text for _, s in refs]


def test_the_web_chat_marks_an_evidence_answer_not_sure_with_its_sentences_as_chips() -> None:
    cites = (Citation("d1", "s2", 0, 5, "First close one."), Citation("d1", "s5", 9, 20, "Second close one."))
    text = "First close one.\nSecond close one."
    answer = Answer(text, cites, abstained=False, confidence=0.4, mode="evidence")
    turn = {"question": "Who paid?", "answer": answer.to_dict()}
    page = render_chat([turn], "scope", {"d1": "Strike"})
    assert "Not sure — closest sentences" in page and "bot evidence" in page
    # Each sentence as a clickable citation, not as the answer's text.
    assert page.count('<li class="citation"') == 2
    assert '<p class="answer-text">First close one.' not in page
    assert "Not sure — closest sentences" in answer_markdown(turn, {"d1": "Strike"}, {})
    sure = {"question": "Q", "answer": Answer("x", cites[:1], abstained=False).to_dict()}
    assert "Not sure" not in render_chat([sure], "scope", {})


def _hits(article: Article, order: list[int] | None = None) -> tuple[Hit, ...]:
    chosen = [article.sentences[i] for i in (order or range(1, len(article.sentences)))]
    return tuple(
        Hit(article.id, s.id, score=2.0 - 0.2 * n, lexical=1.0 - 0.1 * n, dense=0.6, coverage=0.9 - 0.1 * n)
        for n, s in enumerate(chosen)
    )


def _request(
    question: str,
    articles: dict[str, Article],
    centrality: dict[str, dict[str, float]] | None = None,
    hits: tuple[Hit, ...] = (),
) -> AnswerRequest:
    analysis = analyse(question)
    return AnswerRequest(question, question, hits, articles, analysis=analysis, centrality=centrality or {})


def test_a_chat_models_answer_is_in_answer_mode_or_abstains() -> None:
    from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
    from langchain_core.messages import AIMessage

    from assistant.answer.llm import LLMAnswerer
    from tests.llm_fakes import SEED_LIKE, article, request

    seed = article(SEED_LIKE)
    question = request("Who said they are effective?", seed)

    def model(reply: str) -> LLMAnswerer:
        chat = GenericFakeChatModel(messages=iter([AIMessage(content=reply)]))
        return LLMAnswerer(chat, fallback="abstain")

    cited = model("John Kirby said they are effective [s2].").answer(question)
    assert cited.mode == "answer" and not cited.abstained
    refused = model(ABSTAIN_TEXT).answer(question)
    assert refused.abstained  # the pipeline gives an abstained draft mode "abstain" (see below)
    shown = Answer(ABSTAIN_TEXT, (), abstained=refused.abstained, mode=refused.mode)
    assert shown.mode == "abstain"
