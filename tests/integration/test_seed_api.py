"""The seed article end to end through the Python API, on real Chroma and the real model."""

from __future__ import annotations

import pytest

from tests.support import KIRBY_QUESTION


def _kirby_checks(answer, article):
    assert "John Kirby" in answer.text
    assert not answer.abstained
    texts = [c.text for c in answer.citations]
    assert any("They’re using them effectively" in t for t in texts)
    assert any("said John Kirby" in t for t in texts)
    for c in answer.citations:
        assert c.article_id == article.id
        assert article.text[c.start : c.end] == c.text  # byte for byte


def test_kirby_question(assistant, seed_path):
    result = assistant.add(str(seed_path))
    assert result.created
    assert {d.text for d in result.dropped} == {"CLICK HERE TO GET THE DALLAS EXPRESS APP", "Author"}
    article = result.article
    assert all("CLICK HERE" not in s.text and s.text != "Author" for s in article.sentences)
    _kirby_checks(assistant.ask(KIRBY_QUESTION, article=article.id), article)
    # Across all articles too.
    _kirby_checks(assistant.ask(KIRBY_QUESTION), article)


def test_readding_is_a_no_op_and_ids_survive_a_restart(assistant, settings, embedder, seed_path):
    from assistant.api import Assistant

    first = assistant.add(str(seed_path)).article
    again = assistant.add(str(seed_path))
    assert not again.created
    assert again.article.id == first.id
    # The same text pasted (not from a file) is the same article.
    assert not assistant.add_text(seed_path.read_text(encoding="utf-8")).created
    assert len(assistant.articles()) == 1

    restarted = Assistant(settings, embedder=embedder)
    assert [a.id for a in restarted.articles()] == [first.id]
    assert restarted.get(first.id).sentences == first.sentences
    _kirby_checks(restarted.ask(KIRBY_QUESTION, article=first.id), first)


def test_server_mode_uses_the_same_code_path(clean_server, embedder, seed_path, tmp_path):
    from assistant.api import Assistant
    from assistant.settings import Settings

    server = Assistant(Settings(chroma_url=clean_server, data_dir=tmp_path / "unused"), embedder=embedder)
    article = server.add(str(seed_path)).article
    _kirby_checks(server.ask(KIRBY_QUESTION, article=article.id), article)
    assert not (tmp_path / "unused").exists(), "server mode must not open a local store"


def _snapshot(assistant):
    return [(a.id, a.text, a.sentences) for a in assistant.articles()], assistant.store.count_passages()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"   \n\n\t  ", "is empty"),
        (b"\x00\x01\x02binary\xff\xfe", "binary"),
        (b"CLICK HERE TO GET THE DALLAS EXPRESS APP\nAuthor\n", "only boilerplate"),
    ],
)
def test_bad_files_leave_the_store_unchanged(assistant, seed_path, tmp_path, content, message):
    from index.errors import InputError

    assistant.add(str(seed_path))
    before = _snapshot(assistant)
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    with pytest.raises(InputError, match=message):
        assistant.add(str(bad))
    assert _snapshot(assistant) == before


def test_missing_path_and_unknown_id_leave_the_store_unchanged(assistant, seed_path, tmp_path):
    from index.errors import ArticleNotFoundError, InputError

    assistant.add(str(seed_path))
    before = _snapshot(assistant)
    with pytest.raises(InputError, match="no such file"):
        assistant.add(str(tmp_path / "missing.txt"))
    for call in (assistant.get, assistant.remove):
        with pytest.raises(ArticleNotFoundError, match="No article with ID 'deadbeef'"):
            call("deadbeef")
    with pytest.raises(ArticleNotFoundError):
        assistant.ask(KIRBY_QUESTION, article="deadbeef")
    assert _snapshot(assistant) == before


def test_remove_deletes_vectors(assistant, seed_path):
    article = assistant.add(str(seed_path)).article
    assert assistant.store.count_passages() == len(article.sentences)
    assistant.remove(article.id)
    assert assistant.articles() == []
    assert assistant.store.count_passages() == 0


def test_retriever_is_a_langchain_retriever(assistant, seed_path):
    from langchain_core.retrievers import BaseRetriever

    article = assistant.add(str(seed_path)).article
    retriever = assistant.as_retriever(article.id, k=3)
    assert isinstance(retriever, BaseRetriever)
    docs = retriever.invoke("What happens when cluster munitions do not explode?")
    assert len(docs) == 3
    assert any("landmines" in d.page_content for d in docs)
    meta = docs[0].metadata
    assert article.text[meta["start"] : meta["end"]] == docs[0].page_content
