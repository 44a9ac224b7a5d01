"""The ``baseline-langchain`` config: textbook LangChain RAG, for comparison.

``RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)`` →
``langchain_chroma.Chroma`` with the same bundled MiniLM embedder → the
top ``k`` chunks of the question's article (LangChain's retriever default,
k = 4). The answer is the top chunk; the citations are every sentence of
the article that overlaps a retrieved chunk, in chunk rank order. Sentences
come from the project's own splitter, so citation texts are real sentences
and both systems are scored on the same units. Like the textbook recipe
with no LLM to rewrite follow-ups, it retrieves on the question alone and
never abstains.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings

from evals.dataset import EvalRecord
from evals.predictions import PredictedCitation
from index.build import article_id, prepare
from index.embed.base import Embedder
from index.embed.sentence_transformers import SentenceTransformerEmbedder
from index.ingest import read_text
from index.models import Article, Sentence

CHUNK_SIZE = 1000
CHUNK_OVERLAP = 200
TOP_K = 4


def describe() -> dict[str, Any]:
    """The baseline's parameters, for reports."""
    return {
        "splitter": f"RecursiveCharacterTextSplitter({CHUNK_SIZE}, {CHUNK_OVERLAP})",
        "store": "langchain_chroma.Chroma (embedded)",
        "embedder": "bundled all-MiniLM-L6-v2",
        "k": TOP_K,
        "answer": "top chunk",
        "citations": "every sentence overlapping a retrieved chunk",
    }


class MiniLMEmbeddings(Embeddings):
    """A LangChain ``Embeddings`` over the project's :class:`Embedder`."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [[float(x) for x in row] for row in self.embedder.embed(texts)]

    def embed_query(self, text: str) -> list[float]:
        return [float(x) for x in self.embedder.embed([text])[0]]


class LangChainBaseline:
    """Ingest articles as 1,000-character chunks in Chroma; answer with the top chunk."""

    def __init__(self, data_dir: Path, embedder: Embedder | None = None) -> None:
        import chromadb
        from langchain_chroma import Chroma
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        self.embeddings = MiniLMEmbeddings(embedder or SentenceTransformerEmbedder())
        self._client = client = chromadb.PersistentClient(
            path=str(data_dir), settings=chromadb.config.Settings(anonymized_telemetry=False)
        )
        self.vectorstore = Chroma(
            collection_name="baseline_chunks", embedding_function=self.embeddings, client=client
        )
        self.splitter = RecursiveCharacterTextSplitter(
            chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP, add_start_index=True
        )
        self._articles: dict[str, Article] = {}

    def close(self) -> None:
        """Stop the Chroma client (its files can then be removed)."""
        from index.store import close_client

        close_client(self._client)

    def warm_up(self) -> None:
        """Load the embedding model, so its load time is not counted as ingest."""
        self.embeddings.embed_query("warm up")

    def ingest(self, record: EvalRecord) -> str:
        """Split and store the record's article; returns its key."""
        key = article_id(record.text)
        if key in self._articles:
            return key
        article, _ = prepare(read_text(record.text, title=record.title))
        chunks = self.splitter.create_documents([record.text], metadatas=[{"article": key}])
        for chunk in chunks:
            _check_chunk(chunk, record.text)
        self.vectorstore.add_documents(chunks, ids=[f"{key}-{i}" for i in range(len(chunks))])
        self._articles[key] = article
        return key

    def ask(self, record: EvalRecord, key: str | None) -> tuple[str, bool, list[PredictedCitation]]:
        """The top chunk as the answer and the sentences overlapping the retrieved chunks
        (``key`` None: chunks of every article, each citation naming its article)."""
        search: dict[str, Any] = {"k": TOP_K} if key is None else {"k": TOP_K, "filter": {"article": key}}
        chunks = self.vectorstore.as_retriever(search_kwargs=search).invoke(record.question)
        if not chunks:
            return "", True, []
        cited: list[PredictedCitation] = []
        seen: set[tuple[str, str]] = set()
        for chunk in chunks:
            article = str(chunk.metadata["article"])
            for s in cited_sentences(self._articles[article], [chunk]):
                if (article, s.id) not in seen:
                    seen.add((article, s.id))
                    cited.append(PredictedCitation(s.start, s.end, s.text, s.id, None if key else article))
        return chunks[0].page_content, False, cited


def cited_sentences(article: Article, chunks: list[Document]) -> list[Sentence]:
    """Sentences overlapping each chunk, chunk by chunk in rank order, without repeats."""
    out: list[Sentence] = []
    seen: set[str] = set()
    for chunk in chunks:
        start = int(chunk.metadata["start_index"])
        end = start + len(chunk.page_content)
        for s in article.sentences:
            if s.start < end and start < s.end and s.id not in seen:
                seen.add(s.id)
                out.append(s)
    return out


def _check_chunk(chunk: Document, text: str) -> None:
    start = chunk.metadata.get("start_index", -1)
    if start < 0 or text[start : start + len(chunk.page_content)] != chunk.page_content:
        raise RuntimeError(
            f"The text splitter located a chunk at {start}, which does not match the article text; "
            "the baseline cannot map chunks to sentences."
        )
