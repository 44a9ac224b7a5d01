"""The article store: Chroma holds passage vectors and the articles themselves.

One code path serves the embedded default (``PersistentClient`` in a data
dir) and a Chroma server (``HttpClient``). Two collections:

* ``aa_passages``: one row per passage, its vector, ``article_id`` and the
  passage's sentence IDs joined by spaces (Chroma metadata is flat scalars);
* ``aa_articles``: one row per article, its text as the document, its metadata, sentence table
  and quotes (JSON) as metadata. This row is the single source of truth for an article, and
  it is written last, so an article is either fully stored or absent.

Both collections record the embedder's name and dimension and the passage
window; opening the store with different ones raises
:class:`~index.errors.StoreMismatchError`.

The articles collection's metadata also holds a ``generation`` stamp, a new
random token after every add and remove, so that a process can tell cheaply
(one metadata read) whether another process changed the library.

Every add and remove is recorded in the write journal (:mod:`index.journal`,
a third collection) while it runs; opening the store only reads, and the
leftovers of a writer that died are cleaned up by the next writer, or on
open when the disk has room (see :meth:`ChromaStore.recover`). Chroma's and
the OS's failures reach callers as :class:`~index.errors.StoreError`
subclasses (:mod:`index.faults`). Writes: :mod:`index.writes`; quotes: :mod:`index.quotes`.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from index.clients import (  # re-exported: they were defined here
    DEFAULT_DATABASE,
    DEFAULT_PREFIX,
    DEFAULT_TENANT,
    close_client,
    fresh_embedded_client,
    make_client,
    peek_generation,
    place_of,
    recorded_embedder,
    release_client,
)
from index.errors import ArticleNotFoundError, StoreMismatchError
from index.journal import Journal
from index.models import Article, ArticleSummary, Sentence, page_at
from index.names import check_prefix, collection_names
from index.quotes import QuoteRows
from index.writes import Writes

log = logging.getLogger(__name__)

__all__ = ["ARTICLES", "DEFAULT_DATABASE", "DEFAULT_PREFIX", "DEFAULT_TENANT", "PASSAGES", "ChromaStore",
           "PassageHit", "StoreFingerprint", "fresh_embedded_client", "make_client", "peek_generation",
           "recorded_embedder"]

PASSAGES, ARTICLES = collection_names(DEFAULT_PREFIX)
SCHEMA_VERSION = 1


@dataclass(frozen=True, slots=True)
class StoreFingerprint:
    """The settings that shape stored vectors; a store only opens with its own."""

    embedder: str
    dimension: int
    passage_window: int

    def as_metadata(self) -> dict[str, Any]:
        return {
            "embedder": self.embedder,
            "dimension": self.dimension,
            "passage_window": self.passage_window,
            "schema": SCHEMA_VERSION,
        }


@dataclass(frozen=True, slots=True)
class PassageHit:
    """A passage returned by a vector query, with its cosine similarity."""

    article_id: str
    sentence_ids: tuple[str, ...]
    similarity: float


@dataclass(frozen=True, slots=True)
class _Handle:
    """A client and its collections, replaced whole when the embedded store is reopened: a thread
    that read the old handle keeps using it, consistently, and it is freed when the last one is done."""

    client: Any
    passages: Any
    articles: Any
    journal: Journal


class ChromaStore(Writes, QuoteRows):
    """Articles and their passage vectors in two Chroma collections (and the write journal)."""

    def __init__(
        self,
        client: Any,
        fingerprint: StoreFingerprint,
        reopen: Callable[[], Any] | None = None,
        prefix: str = DEFAULT_PREFIX,
        server: bool = False,
    ) -> None:
        check_prefix(prefix)
        self.fingerprint = fingerprint
        self.names = (prefix + "passages", prefix + "articles", prefix + "journal")
        self._server = server
        self.place = place_of(client, server)
        self._given = client  # its maker's to close; the clients of reopens are this store's
        #: Builds a fresh embedded client: an embedded client never sees vectors that
        #: another process wrote after it opened (Chroma answers "Error finding id").
        self._reopen = reopen
        self._reopen_lock = threading.Lock()
        self._recovery_failed = False
        with self._faults("nothing was changed"):
            self._h = self._connect(client)
            self._seen: str | None = (self._articles.metadata or {}).get("generation")
        self._recover_on_open()

    def _connect(self, client: Any) -> _Handle:
        wanted = self.fingerprint.as_metadata()
        return _Handle(
            client,
            self._open(client, self.names[0], wanted),
            self._open(client, self.names[1], wanted),
            Journal(client, self.names[2]),
        )

    @property
    def _client(self) -> Any:
        return self._h.client

    @property
    def _passages(self) -> Any:
        return self._h.passages

    @property
    def _articles(self) -> Any:
        return self._h.articles

    @property
    def _journal(self) -> Journal:
        return self._h.journal

    @property
    def client(self) -> Any:
        """The Chroma client in use (read-only; replaced when the embedded store is reopened)."""
        return self._client

    @property
    def passages_collection_name(self) -> str:
        """Name of the passages collection (one row per embedded passage)."""
        return str(self._passages.name)

    def generation(self) -> str | None:
        """A token that changes whenever any process adds or removes an article.

        When another process changed the embedded store, the client is reopened
        first, so that what follows reads that process's writes. The new client is
        swapped in whole; threads still searching through the old one finish on it.
        """
        with self._faults("nothing was read"):
            metadata = self._client.get_collection(self.names[1]).metadata or {}
        value = metadata.get("generation")
        token = None if value is None else str(value)
        if token != self._seen:
            with self._reopen_lock:  # one reopen per change, not one per thread that saw it
                if token != self._seen:
                    if self._reopen is not None:
                        log.info("the store changed in another process; reopening it")
                        with self._faults("nothing was read"):
                            old, self._h = self._h, self._connect(self._reopen())
                        release_client(old.client)  # freed now, or when the last reader lets go
                    self._seen = token
        return token

    def close(self) -> None:
        """Stop the client of this store's last reopen (the client it was given is its maker's to close)."""
        if self._h.client is not self._given:
            close_client(self._h.client)

    def _bump_generation(self) -> None:
        """A new generation stamp: readers in every process see that the library changed."""
        metadata = {**(self._articles.metadata or {}), **self.fingerprint.as_metadata()}
        metadata["generation"] = self._seen = uuid.uuid4().hex
        # The first release's one-slot journal: kept empty, so that release never acts on it.
        metadata["pending"] = ""
        self._articles.modify(metadata=metadata)

    def _open(self, client: Any, name: str, wanted: dict[str, Any]) -> Any:
        from chromadb.errors import NotFoundError

        try:  # a read: opening an existing store must work on a full disk
            collection = client.get_collection(name, embedding_function=None)
        except NotFoundError:
            collection = client.get_or_create_collection(
                name,
                configuration={"hnsw": {"space": "cosine"}},
                metadata=wanted,
                embedding_function=None,
            )
        found = {k: (collection.metadata or {}).get(k) for k in wanted}
        if found != wanted:
            raise StoreMismatchError(
                f"This store was built with embedder {found['embedder']!r} "
                f"(dimension {found['dimension']}, passage window {found['passage_window']}), "
                f"but it was opened with {wanted['embedder']!r} (dimension "
                f"{wanted['dimension']}, passage window {wanted['passage_window']}). "
                "Open it with the settings it was built with, or "
                + (
                    "build a new library on this server under another name: set "
                    "ARTICLE_ASSISTANT_STORE__COLLECTION_PREFIX (or ARTICLE_ASSISTANT_STORE__DATABASE) "
                    "to a new value."
                    if self._server
                    else "choose another data dir (--data-dir) to build a new store."
                )
            )
        return collection

    # -- articles ---------------------------------------------------------

    def has_article(self, article_id: str) -> bool:
        """True when an article with this ID is stored."""
        return bool(self._articles.get(ids=[article_id], include=[])["ids"])

    def get_article(self, article_id: str) -> Article:
        """Return the stored article; :class:`ArticleNotFoundError` when absent."""
        got = self._articles.get(ids=[article_id], include=["documents", "metadatas"])
        if not got["ids"]:
            raise ArticleNotFoundError(article_id)
        return _article_from_row(got["ids"][0], got["documents"][0], got["metadatas"][0])

    def list_articles(self) -> list[Article]:
        """Every stored article, oldest first."""
        got = self._articles.get(include=["documents", "metadatas"])
        rows = sorted(
            zip(got["ids"], got["documents"], got["metadatas"], strict=True),
            key=lambda row: (row[2].get("added_at", ""), row[0]),
        )
        return [_article_from_row(*row) for row in rows]

    def count_passages(self) -> int:
        """How many passage vectors are stored (all articles)."""
        return int(self._passages.count())

    # -- vectors ----------------------------------------------------------

    def article_vectors(
        self, article_id: str, sentence_ids: Sequence[str] | None = None
    ) -> tuple[list[tuple[str, ...]], np.ndarray]:
        """All passage vectors of one article, with each passage's sentence IDs.

        ``sentence_ids``, the article's sentences when the caller has them, makes this a lookup
        by passage ID (a passage is named by its first sentence, and every sentence starts one)
        instead of a scan by metadata, which is an order of magnitude slower in a large store.
        """
        if sentence_ids is not None:
            got = self._passages.get(
                ids=[f"{article_id}:{sid}" for sid in sentence_ids], include=["embeddings", "metadatas"]
            )
        else:
            got = self._passages.get(where={"article_id": article_id}, include=["embeddings", "metadatas"])
        ids = [tuple(m["sentence_ids"].split()) for m in got["metadatas"]]
        vectors = np.asarray(got["embeddings"], dtype=np.float32).reshape(
            len(ids), self.fingerprint.dimension
        )
        return ids, vectors

    # -- bulk writes and light reads (for large libraries) -----------------

    def summaries(self) -> list[ArticleSummary]:
        """Every stored article's ID, sentence count and metadata, oldest first; no texts are read."""
        got = self._articles.get(include=["metadatas"])
        rows = sorted(
            zip(got["ids"], got["metadatas"], strict=True),
            key=lambda row: (row[1].get("added_at", ""), row[0]),
        )
        # Rows stored before "lead" was kept need their text once for an untitled article's label.
        unlabelled = [i for i, meta in rows if not meta.get("title") and not meta.get("lead")]
        leads = {i: a.label for i, a in self.get_articles(unlabelled).items()} if unlabelled else {}
        return [
            _summary_from_row(article_id, meta | ({"lead": leads[article_id]} if article_id in leads else {}))
            for article_id, meta in rows
        ]

    def get_articles(self, article_ids: Sequence[str]) -> dict[str, Article]:
        """The stored articles among ``article_ids``, by ID, in one read (absent ones left out)."""
        if not article_ids:
            return {}
        got = self._articles.get(ids=list(article_ids), include=["documents", "metadatas"])
        return {
            i: _article_from_row(i, d, m)
            for i, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        }

    def stored_ids(self, article_ids: Sequence[str]) -> set[str]:
        """Which of ``article_ids`` are stored, in one read."""
        if not article_ids:
            return set()
        return set(self._articles.get(ids=list(article_ids), include=[])["ids"])

    def count_articles(self) -> int:
        """How many articles are stored."""
        return int(self._articles.count())

    def articles_vectors(
        self, article_ids: Sequence[str], batch: int = 200
    ) -> dict[str, tuple[list[tuple[str, ...]], np.ndarray]]:
        """:meth:`article_vectors` of many articles, a few filtered reads in all."""
        out: dict[str, tuple[list[tuple[str, ...]], np.ndarray]] = {}
        groups: dict[str, list[tuple[str, ...]]] = {i: [] for i in article_ids}
        rows: dict[str, list[Any]] = {i: [] for i in article_ids}
        for first in range(0, len(article_ids), batch):
            chunk = list(article_ids[first : first + batch])
            got = self._passages.get(
                where={"article_id": {"$in": chunk}}, include=["embeddings", "metadatas"]
            )
            for meta, vector in zip(got["metadatas"], got["embeddings"], strict=True):
                groups[meta["article_id"]].append(tuple(meta["sentence_ids"].split()))
                rows[meta["article_id"]].append(vector)
        dimension = self.fingerprint.dimension
        for i in article_ids:
            out[i] = (groups[i], np.asarray(rows[i], dtype=np.float32).reshape(len(groups[i]), dimension))
        return out

    def nearest_passages(self, vector: np.ndarray, k: int, stored: int) -> list[tuple[str, float]]:
        """The ``k`` passage IDs nearest to ``vector`` with their cosine similarity; ``stored`` is
        how many passages the caller knows of (no count is read). Reads no metadata: a passage ID is
        ``article_id:first_sentence_id``."""
        n = min(k, stored)
        if n <= 0:
            return []
        got = self._passages.query(query_embeddings=[vector.tolist()], n_results=n, include=["distances"])
        return [(i, _similarity(d)) for i, d in zip(got["ids"][0], got["distances"][0], strict=True)]

    def query(self, vector: np.ndarray, k: int) -> list[PassageHit]:
        """The ``k`` passages nearest to ``vector`` across all articles."""
        n = min(k, self.count_passages())
        if n == 0:
            return []
        got = self._passages.query(
            query_embeddings=[vector.tolist()], n_results=n, include=["metadatas", "distances"]
        )
        return [
            PassageHit(m["article_id"], tuple(m["sentence_ids"].split()), _similarity(d))
            for m, d in zip(got["metadatas"][0], got["distances"][0], strict=True)
        ]


def _summary_from_row(article_id: str, meta: dict[str, Any]) -> ArticleSummary:
    count = meta.get("n_sentences")
    if count is None:
        count = len(json.loads(meta["sentences"]))
    return ArticleSummary(
        id=article_id,
        n_sentences=int(count),
        added_at=meta.get("added_at"),
        **{key: meta.get(key) for key in ("title", "byline", "date", "url", "source", "lead")},
    )


def _similarity(cosine_distance: float) -> float:
    """Chroma's cosine distance is 1 - cosine similarity."""
    return 1.0 - float(cosine_distance)


def _article_from_row(article_id: str, text: str, meta: dict[str, Any]) -> Article:
    # Articles of unpaged formats (and every article stored before pages were kept) have no pages.
    pages = tuple(json.loads(meta.get("pages") or "[]"))
    sentences = tuple(
        Sentence(sid, start, end, text[start:end], para, qc, page_at(pages, start))
        for sid, start, end, para, qc in json.loads(meta["sentences"])
    )
    return Article(
        id=article_id, text=text, sentences=sentences, added_at=meta.get("added_at"),
        **{key: meta.get(key) for key in ("title", "byline", "date", "url", "source")},
        dropped=tuple(tuple(span) for span in json.loads(meta.get("dropped", "[]"))),
        # Articles stored before structure was marked have none marked: their IDs never change.
        structural=frozenset(json.loads(meta.get("structural") or "[]")),
        pages=pages,
    )
