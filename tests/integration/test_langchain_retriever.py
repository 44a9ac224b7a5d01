"""ArticleRetriever, ArticleEmbeddings and the Chroma view as a LangChain user meets them.

Real embedded Chroma, the real bundled model.
"""

from __future__ import annotations

import pytest

from assistant.integrations.langchain import ArticleEmbeddings, ArticleRetriever
from index.errors import ArticleNotFoundError, ConfigError, InputError
from tests.support import KIRBY_QUESTION

KIRBY = "They’re using them effectively"
METADATA_KEYS = {
    "article_id", "sentence_id", "start", "end", "source", "title",
    "rank", "score", "lexical", "dense", "coverage",
}
#: A second article, pasted: about something else entirely.
BEES = (
    "Beekeepers in Vermont reported a record honey harvest this autumn. "
    "The state apiarist, Maria Lopez, said the mild spring let colonies grow early. "
    "Clover and goldenrod bloomed for weeks longer than usual, according to the report. "
    "Lopez said hives lost fewer bees over the winter than in any year since 2010. "
    "Prices at farmers markets fell slightly as supply rose."
)


@pytest.fixture
def seeded(assistant, seed_path):  # type: ignore[no-untyped-def]
    """(assistant, the seed article) on a fresh embedded store."""
    return assistant, assistant.add(seed_path).article


def test_documents_are_sentences_with_ids_and_metadata(seeded, seed_path):
    assistant, article = seeded
    docs = assistant.as_retriever(k=5).invoke(KIRBY_QUESTION)
    assert len(docs) == 5
    assert any(KIRBY in d.page_content for d in docs)
    assert [d.metadata["rank"] for d in docs] == [1, 2, 3, 4, 5]
    scores = [d.metadata["score"] for d in docs]
    assert scores == sorted(scores, reverse=True)
    for d in docs:
        meta = d.metadata
        assert set(meta) == METADATA_KEYS
        assert d.id == f"{meta['article_id']}:{meta['sentence_id']}"
        assert article.text[meta["start"] : meta["end"]] == d.page_content
        assert meta["source"] == str(seed_path)  # no URL: the file it was added from
        assert meta["title"] == article.label
        assert 0.0 <= meta["lexical"] <= 1.0 and 0.0 <= meta["coverage"] <= 1.0
        assert -1.0 <= meta["dense"] <= 1.0
    assert len({d.id for d in docs}) == 5


def test_k_per_call_and_bad_k(seeded):
    assistant, _ = seeded
    retriever = assistant.as_retriever()
    assert retriever.k == assistant.settings.retrieval.top_k == 8
    assert len(retriever.invoke(KIRBY_QUESTION)) == 8
    assert len(retriever.invoke(KIRBY_QUESTION, k=1)) == 1
    assert len(retriever.invoke(KIRBY_QUESTION, k=7)) == 7
    assert retriever.invoke(KIRBY_QUESTION, k=0) == []
    for bad in (-1, "3", 2.5, True):
        with pytest.raises(InputError, match="k is the number of documents"):
            retriever.invoke(KIRBY_QUESTION, k=bad)
    with pytest.raises(InputError, match="only k per call, not top_k"):
        retriever.invoke(KIRBY_QUESTION, top_k=2)


async def test_ainvoke_honours_k(seeded):
    assistant, _ = seeded
    docs = await assistant.as_retriever().ainvoke(KIRBY_QUESTION, k=2)
    assert len(docs) == 2
    assert any(KIRBY in d.page_content for d in docs) or docs[0].metadata["rank"] == 1


def test_built_from_plain_kwargs_sees_articles_added_later(settings, embedder, seed_path):
    from assistant.api import Assistant

    writer = Assistant(settings, embedder=embedder)
    writer.add(seed_path)
    retriever = ArticleRetriever(data_dir=settings.data_dir, k=3)
    assert retriever.assistant.settings.data_dir == settings.data_dir
    question = "Who reported a record honey harvest?"
    assert all("honey" not in d.page_content for d in retriever.invoke(question))
    bees = writer.add_text(BEES, title="Honey harvest", source="pasted text").article

    docs = retriever.invoke(question)
    assert docs[0].metadata["article_id"] == bees.id
    assert "record honey harvest" in docs[0].page_content
    assert docs[0].metadata["source"] == "pasted text"
    assert docs[0].metadata["title"] == "Honey harvest"


def test_scoped_to_one_article(seeded):
    assistant, seed = seeded
    bees = assistant.add_text(BEES).article
    scoped = ArticleRetriever(assistant=assistant, article=bees.id, k=3)
    docs = scoped.invoke(KIRBY_QUESTION)
    assert len(docs) == 3
    assert {d.metadata["article_id"] for d in docs} == {bees.id}
    assert assistant.as_retriever(seed.id, k=3).invoke("honey")[0].metadata["article_id"] == seed.id
    with pytest.raises(ArticleNotFoundError):
        assistant.as_retriever("deadbeef")
    with pytest.raises(ArticleNotFoundError):
        ArticleRetriever(assistant=assistant, article="deadbeef").invoke(KIRBY_QUESTION)


def test_settings_by_dotted_name_and_conflicts(seeded, settings, tmp_path):
    overrides = {"retrieval.top_k": 2, "retrieval.fusion": "rrf"}
    retriever = ArticleRetriever(data_dir=settings.data_dir, **overrides)
    assert retriever.k == 2
    assert retriever.assistant.settings.retrieval.fusion == "rrf"
    assert len(retriever.invoke(KIRBY_QUESTION)) == 2
    # A base Settings, the data dir given beside it wins.
    based = ArticleRetriever(settings=settings.with_(**{"retrieval.top_k": 3}), data_dir=tmp_path / "other")
    assert (based.k, based.assistant.settings.data_dir) == (3, tmp_path / "other")

    with pytest.raises(ConfigError, match="one of data_dir and chroma_url"):
        ArticleRetriever(data_dir=tmp_path, chroma_url="http://127.0.0.1:1")
    with pytest.raises(ConfigError, match="retrieval.top_k"):
        ArticleRetriever(data_dir=tmp_path, **{"retrieval.top_k": 0})
    with pytest.raises(ConfigError, match="Unknown setting"):
        ArticleRetriever(data_dir=tmp_path, colour="blue")
    assistant, _ = seeded
    with pytest.raises(ConfigError, match="either an assistant or store settings"):
        ArticleRetriever(assistant=assistant, data_dir=tmp_path)
    with pytest.raises(InputError, match="k is the number"):
        ArticleRetriever(data_dir=tmp_path, k=-2)


def test_embeddings_match_the_store_vectors(seeded, embedder):
    import numpy as np

    assistant, article = seeded
    embeddings = ArticleEmbeddings(assistant.embedder)
    query = embeddings.embed_query(KIRBY_QUESTION)
    assert isinstance(query, list) and len(query) == embedder.dimension and isinstance(query[0], float)
    rows = embeddings.embed_documents([s.text for s in article.sentences[:3]])
    assert len(rows) == 3 and all(len(r) == embedder.dimension for r in rows)
    _, stored = assistant.store.article_vectors(article.id)
    # passage_window 1: a passage is its sentence, so these are the stored vectors.
    assert any(np.allclose(rows[0], v, atol=1e-5) for v in stored)
    with pytest.raises(InputError):
        embeddings.embed_documents("one string")
    with pytest.raises(InputError):
        embeddings.embed_query(None)  # type: ignore[arg-type]


def test_embeddings_from_settings(settings):
    embeddings = ArticleEmbeddings.from_settings(settings)
    assert len(embeddings.embed_query("hello")) == 384
    with pytest.raises(ConfigError):
        ArticleEmbeddings.from_settings(settings, **{"embedder.batch_size": 0})


def test_vectorstore_similarity_search_finds_the_kirby_passage(seeded):
    from langchain_chroma import Chroma

    assistant, article = seeded
    vectorstore = assistant.vectorstore()
    assert isinstance(vectorstore, Chroma)
    kirby = next(s for s in article.sentences if KIRBY in s.text)
    # Dense similarity alone ranks the quote 10th for this question (it says "them", not
    # "cluster munitions"); the hybrid ArticleRetriever (BM25 + dense) ranks it 4th.
    found = vectorstore.similarity_search(KIRBY_QUESTION, k=12)
    hits = [d for d in found if kirby.id in d.metadata["sentence_ids"].split()]
    assert hits, [d.page_content for d in found]
    assert hits[0].metadata["article_id"] == article.id
    assert KIRBY in hits[0].page_content
    assert any(KIRBY in d.page_content for d in assistant.as_retriever(k=4).invoke(KIRBY_QUESTION))
    # The same index as the store's own dense query, in the same order.
    ours = assistant.store.query(assistant.embedder.embed([KIRBY_QUESTION])[0], 12)
    assert [d.metadata["sentence_ids"] for d in found] == [" ".join(h.sentence_ids) for h in ours]
    # Its own text finds it first, at cosine distance about 0.
    (best, distance), *_ = vectorstore.similarity_search_with_score(kirby.text, k=2)
    assert best.metadata["sentence_ids"].split() == [kirby.id]
    assert distance < 0.01
    # On the Assistant's own client: nothing was created beside the project's collections.
    names = {c.name for c in assistant.store.client.list_collections()}
    assert names == {"aa_passages", "aa_articles", "aa_journal"}
