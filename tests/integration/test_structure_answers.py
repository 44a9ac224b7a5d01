"""Structure is never evidence, end to end: txt, markdown and HTML articles written here."""

from __future__ import annotations

from pathlib import Path

import pytest

ARTICLES = Path(__file__).resolve().parent.parent / "data" / "articles"


@pytest.fixture(scope="module")
def library(tmp_path_factory, embedder):  # type: ignore[no-untyped-def]
    from assistant.api import Assistant
    from assistant.settings import Settings

    assistant = Assistant(Settings(data_dir=tmp_path_factory.mktemp("structure")), embedder=embedder)
    ids = {p.name: assistant.add(p).article.id for p in sorted(ARTICLES.iterdir())}
    return assistant, ids


def test_marks_survive_the_store_and_metadata_is_kept(library) -> None:  # type: ignore[no-untyped-def]
    assistant, ids = library
    article = assistant.get(ids["swim-coach.txt"])
    assert article.structural == {"s1", "s2"}
    assert (article.title, article.byline, article.date) == (
        "Santos Breaks National Record in 200-Meter Butterfly", "Dana Whitfield", "March 14, 2024"
    )


@pytest.mark.parametrize(
    ("name", "question", "evidence"),
    [
        # Each question shares its words with the headline; the body sentence states the fact.
        ("swim-coach.txt", "What national record did Santos break on Saturday?", "PORTO ALEGRE — Maria"),
        ("bridge-vote.md", "How much will the Elm Street bridge replacement cost?", "RIVERTON — The city"),
        ("nurses-strike.html", "How long did the walkout at St. Vincent Hospital last?", "Nurses at St."),
    ],
)
def test_the_body_sentence_is_cited_not_the_headline(  # type: ignore[no-untyped-def]
    library, name: str, question: str, evidence: str
) -> None:
    assistant, ids = library
    answer = assistant.ask(question, article=ids[name])
    assert not answer.abstained
    assert answer.citations[0].text.startswith(evidence)


@pytest.mark.parametrize(
    "question",
    [
        "Who wrote the article?",
        "What is the headline?",
        "Why is the bridge being replaced?",
        "How will the bridge be paid for?",
        "What does the photo show?",
    ],
)
def test_no_answer_cites_structure(library, question: str) -> None:  # type: ignore[no-untyped-def]
    assistant, ids = library
    articles = {i: assistant.get(i) for i in ids.values()}
    for article_id in (None, ids["bridge-vote.md"]):
        answer = assistant.ask(question, article=article_id)
        for c in answer.citations:
            assert c.sentence_id not in articles[c.article_id].structural, c.text


def test_an_article_stored_before_marking_has_none_marked(tmp_path, embedder) -> None:  # type: ignore[no-untyped-def]
    from assistant.api import Assistant
    from assistant.settings import Settings

    first = Assistant(Settings(data_dir=tmp_path / "data"), embedder=embedder)
    article = first.add(ARTICLES / "swim-coach.txt").article
    # An older store's row, through Chroma's own client: no "structural" in its metadata.
    rows = first.store.client.get_collection(first.store.names[1], embedding_function=None)
    meta = rows.get(ids=[article.id], include=["metadatas"])["metadatas"][0]
    rows.update(ids=[article.id], metadatas=[{**meta, "structural": None}])
    assert rows.get(ids=[article.id], include=["metadatas"])["metadatas"][0].get("structural") is None
    reopened = Assistant(Settings(data_dir=tmp_path / "data"), embedder=embedder).get(article.id)
    assert reopened.structural == frozenset()
    assert reopened.sentences == article.sentences  # the same IDs and offsets, marked or not
