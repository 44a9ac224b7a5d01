"""How a retrieved sentence becomes a LangChain Document: id, offsets and the source fallback."""

from __future__ import annotations

import pytest

from assistant.integrations.langchain import chain_input, document
from assistant.types import Hit
from index.errors import InputError
from index.models import Article, Sentence

TEXT = "First sentence here. Second one, with more words."


def _article(**meta: str | None) -> Article:
    sentences = (
        Sentence("s1", 0, 20, TEXT[0:20], 0),
        Sentence("s2", 21, len(TEXT), TEXT[21:], 0),
    )
    return Article(id="a1b2c3", text=TEXT, sentences=sentences, **meta)  # type: ignore[arg-type]


HIT = Hit("a1b2c3", "s2", score=0.9, lexical=1.0, dense=0.5, coverage=0.25)


@pytest.mark.parametrize(
    ("meta", "source", "title"),
    [
        ({"url": "https://example.com/story", "source": "https://example.com/story?x=1", "title": "T"},
         "https://example.com/story", "T"),
        ({"source": "/home/reader/story.txt"}, "/home/reader/story.txt", "First sentence here."),
        ({}, "article a1b2c3", "First sentence here."),
    ],
)
def test_source_is_the_url_else_the_source_else_the_article(meta, source, title):
    doc = document(3, HIT, _article(**meta))
    assert doc.id == "a1b2c3:s2"
    assert doc.page_content == "Second one, with more words."
    assert doc.metadata == {
        "article_id": "a1b2c3", "sentence_id": "s2", "start": 21, "end": len(TEXT),
        "source": source, "title": title, "rank": 3,
        "score": 0.9, "lexical": 1.0, "dense": 0.5, "coverage": 0.25,
    }


def test_chain_input_forms():
    assert chain_input("Who?") == ("Who?", None)
    assert chain_input({"question": "Who?"}) == ("Who?", None)
    assert chain_input({"question": "Who?", "history": [("a", "b")]}) == ("Who?", [("a", "b")])
    with pytest.raises(InputError, match="not query"):
        chain_input({"question": "Who?", "query": "Who?"})
    with pytest.raises(InputError, match="not list"):
        chain_input(["Who?"])
