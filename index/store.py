"""The article store: Chroma holds passage vectors and the articles themselves.

One code path serves the embedded default (``PersistentClient`` in a data
dir) and a Chroma server (``HttpClient``). Two collections:

* ``aa_passages``: one row per passage, its vector, ``article_id`` and the
  passage's sentence IDs joined by spaces (Chroma metadata is flat scalars);
* ``aa_articles``: one row per article, its text as the document and its
  metadata and sentence table (JSON) as metadata. This row is the single
  source of truth for an article, and it is written last, so an article is
  either fully stored or absent.

Both collections record the embedder's name and dimension and the passage
window; opening the store with different ones raises
:class:`~index.errors.StoreMismatchError`.

The articles collection's metadata also holds a ``generation`` stamp, a new
random token after every add and remove, so that a process can tell cheaply
(one metadata read) whether another process changed the library.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from index.errors import ArticleNotFoundError, ConfigError, StoreError, StoreMismatchError
from index.models import Article, ArticleSummary, Passage, Sentence

log = logging.getLogger(__name__)

#: The default collection prefix gives the first release's names.
DEFAULT_PREFIX = "aa_"
PASSAGES = DEFAULT_PREFIX + "passages"
ARTICLES = DEFAULT_PREFIX + "articles"
DEFAULT_TENANT = "default_tenant"
DEFAULT_DATABASE = "default_database"
SCHEMA_VERSION = 1
_PREFIX = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")


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


def peek_generation(data_dir: Path, tenant: str, database: str, prefix: str = DEFAULT_PREFIX) -> str | None:
    """The generation stamp of the embedded store in ``data_dir``, read from Chroma's SQLite file
    without importing chromadb (1.2 s of a cold ``list``), read-only.

    None when it cannot be read this way (no store yet, no stamp, a layout this code does not
    know): the caller then opens the store as usual. Only a shortcut: a caller that trusts what it
    saved at this stamp sees exactly what the store would tell it (the stamp changes on every write).
    """
    import sqlite3

    path = data_dir / "chroma.sqlite3"
    if not path.is_file():
        return None
    try:
        uri = f"{path.resolve().as_uri()}?mode=ro"
        with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=1)) as db:
            row = db.execute(
                "SELECT m.str_value FROM collection_metadata m JOIN collections c ON m.collection_id = c.id "
                "JOIN databases d ON c.database_id = d.id "
                "WHERE c.name = ? AND d.name = ? AND d.tenant_id = ? AND m.key = 'generation'",
                (prefix + "articles", database, tenant),
            ).fetchone()
    except sqlite3.Error as e:
        log.debug("could not peek at %s: %s", path, e)
        return None
    return str(row[0]) if row and row[0] else None


def make_client(
    data_dir: Path | None = None,
    url: str | None = None,
    tenant: str = DEFAULT_TENANT,
    database: str = DEFAULT_DATABASE,
) -> Any:
    """Build a Chroma client from exactly one of a data dir or a server URL.

    The tenant and database are created when missing, so that deployments
    sharing one Chroma server each keep their library apart.
    """
    if (data_dir is None) == (url is None):
        raise ConfigError("Give the store exactly one of a data dir or a Chroma server URL.")
    import chromadb
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False)
    if url is not None:
        host, port, ssl = _server_address(url)
        try:
            admin = chromadb.AdminClient(Settings(
                anonymized_telemetry=False,
                chroma_api_impl="chromadb.api.fastapi.FastAPI",
                chroma_server_host=host,
                chroma_server_http_port=port,
                chroma_server_ssl_enabled=ssl,
            ))
            _ensure_namespace(admin, tenant, database)
            client = chromadb.HttpClient(
                host=host, port=port, ssl=ssl, settings=settings, tenant=tenant, database=database
            )
            client.heartbeat()
        except Exception as e:
            raise StoreError(
                f"Cannot reach the Chroma server at {url} ({e}). Start it with "
                "`chroma run --path DIR --host 127.0.0.1 --port N`, or leave the URL "
                "unset to use the embedded store."
            ) from e
        return client
    assert data_dir is not None
    data_dir.mkdir(parents=True, exist_ok=True)
    if (tenant, database) != (DEFAULT_TENANT, DEFAULT_DATABASE):
        admin = chromadb.AdminClient(Settings(anonymized_telemetry=False, is_persistent=True,
                                              persist_directory=str(data_dir)))
        _ensure_namespace(admin, tenant, database)
    return chromadb.PersistentClient(path=str(data_dir), settings=settings, tenant=tenant, database=database)


def recorded_embedder(client: Any, prefix: str = DEFAULT_PREFIX) -> str | None:
    """The embedder name a store under ``prefix`` recorded; None when there is no store there yet."""
    from chromadb.errors import NotFoundError

    try:
        collection = client.get_collection(prefix + "articles", embedding_function=None)
    except NotFoundError:
        return None
    value = (collection.metadata or {}).get("embedder")
    return None if value is None else str(value)


def _server_address(url: str) -> tuple[str, int, bool]:
    parsed = urlparse(url)
    if parsed.scheme not in {"http", "https"} or not parsed.hostname:
        raise ConfigError(f"Chroma URL {url!r} is not an http(s) URL such as http://127.0.0.1:8000.")
    if parsed.path not in {"", "/"} or parsed.query:
        # A path would be silently ignored by the client: say where separation belongs.
        raise ConfigError(
            f"Chroma URL {url!r} has a path; Chroma serves from the root. To keep deployments "
            "apart on one server, set store.tenant, store.database or store.collection_prefix "
            "(ARTICLE_ASSISTANT_STORE__DATABASE=…)."
        )
    ssl = parsed.scheme == "https"
    return parsed.hostname, parsed.port or (443 if ssl else 8000), ssl


def _ensure_namespace(admin: Any, tenant: str, database: str) -> None:
    try:
        admin.get_tenant(tenant)
    except Exception:
        admin.create_tenant(tenant)
    try:
        admin.get_database(database, tenant=tenant)
    except Exception:
        admin.create_database(database, tenant=tenant)


def fresh_embedded_client(
    data_dir: Path, tenant: str = DEFAULT_TENANT, database: str = DEFAULT_DATABASE
) -> Any:
    """A new embedded client on ``data_dir`` that reads what other processes wrote since."""
    from chromadb.api.shared_system_client import SharedSystemClient

    # Chroma shares one system per path within a process; a new client needs a new one.
    # Clients already made keep working.
    SharedSystemClient.clear_system_cache()
    return make_client(data_dir, tenant=tenant, database=database)


class ChromaStore:
    """Articles and their passage vectors in two Chroma collections."""

    def __init__(
        self,
        client: Any,
        fingerprint: StoreFingerprint,
        reopen: Callable[[], Any] | None = None,
        prefix: str = DEFAULT_PREFIX,
        server: bool = False,
    ) -> None:
        if not _PREFIX.match(prefix):
            raise ConfigError(
                f"Collection prefix {prefix!r} is not allowed: use 1 to 63 letters, digits, '.', '_' "
                "or '-', starting with a letter or digit (e.g. 'newsroom_')."
            )
        self.fingerprint = fingerprint
        self.names = (prefix + "passages", prefix + "articles")
        self._server = server
        #: Builds a fresh embedded client: an embedded client never sees vectors that
        #: another process wrote after it opened (Chroma answers "Error finding id").
        self._reopen = reopen
        self._connect(client)
        self._seen: str | None = (self._articles.metadata or {}).get("generation")
        self._recover()

    def _connect(self, client: Any) -> None:
        wanted = self.fingerprint.as_metadata()
        self._client = client
        self._passages = self._open(client, self.names[0], wanted)
        self._articles = self._open(client, self.names[1], wanted)

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
        first, so that what follows reads that process's writes.
        """
        metadata = self._client.get_collection(self.names[1]).metadata or {}
        value = metadata.get("generation")
        token = None if value is None else str(value)
        if token != self._seen:
            if self._reopen is not None:
                log.info("the store changed in another process; reopening it")
                self._connect(self._reopen())
            self._seen = token
        return token

    def _bump_generation(self, pending: str | None = None) -> None:
        """New generation stamp; ``pending`` records an article whose rows are being written."""
        metadata = {**(self._articles.metadata or {}), **self.fingerprint.as_metadata()}
        metadata["generation"] = self._seen = uuid.uuid4().hex
        metadata["pending"] = pending or ""
        self._articles.modify(metadata=metadata)

    def _recover(self) -> None:
        """Drop the passages of an add that died before its article row was written (crash, kill)."""
        pending = str((self._articles.metadata or {}).get("pending") or "")
        # One ID, or a batch's IDs separated by spaces (put_articles).
        missing = [i for i in pending.split() if not self.has_article(i)]
        for article_id in missing:
            log.warning("removing the passages of an interrupted add of article %s", article_id)
            self._passages.delete(where={"article_id": article_id})
        if missing:
            self._bump_generation()

    def orphans(self) -> dict[str, int]:
        """Article IDs that have passages but no article row, with their passage counts (a full scan)."""
        stored = set(self._articles.get(include=[])["ids"])
        counts: dict[str, int] = {}
        for meta in self._passages.get(include=["metadatas"])["metadatas"]:
            article_id = str(meta["article_id"])
            if article_id not in stored:
                counts[article_id] = counts.get(article_id, 0) + 1
        return counts

    def remove_orphans(self) -> dict[str, int]:
        """Delete passages whose article row is missing; what was removed."""
        found = self.orphans()
        for article_id in found:
            self._passages.delete(where={"article_id": article_id})
        if found:
            self._bump_generation()
        return found

    def _open(self, client: Any, name: str, wanted: dict[str, Any]) -> Any:
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

    def put_article(self, article: Article, passages: Sequence[Passage], vectors: np.ndarray) -> None:
        """Store an article with its passages and their vectors, all or nothing.

        Written in batches no larger than the client accepts (a 4.9 MB one-paragraph
        article has 30,000 passages; Chroma takes about 5,000 per call).
        """
        self.put_articles([(article, passages, vectors)])

    def remove_article(self, article_id: str) -> None:
        """Delete an article and its passages; :class:`ArticleNotFoundError` when absent."""
        if not self.has_article(article_id):
            raise ArticleNotFoundError(article_id)
        # The article row goes first: without it the passages are unreachable.
        self._articles.delete(ids=[article_id])
        self._passages.delete(where={"article_id": article_id})
        self._bump_generation()

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

    def put_articles(self, items: Sequence[tuple[Article, Sequence[Passage], np.ndarray]]) -> list[Article]:
        """Store several articles with their passages and vectors in batched writes.

        Returns the articles as stored (with ``added_at``). The passages go first
        and the article rows last, as in :meth:`put_article`, with the batch's IDs
        recorded as pending: an interrupted batch leaves no article half-stored.
        """
        if not items:
            return []
        for _, passages, vectors in items:
            if len(passages) != len(vectors):
                raise ValueError("one vector per passage is needed")
        ids = [article.id for article, _, _ in items]
        limit = max(1, int(self._client.get_max_batch_size()))
        try:
            self._bump_generation(pending=" ".join(ids))
            rows = [(p, v) for _, passages, vectors in items for p, v in zip(passages, vectors, strict=True)]
            for first in range(0, len(rows), limit):
                part = rows[first : first + limit]
                self._passages.upsert(
                    ids=[p.id for p, _ in part],
                    embeddings=np.asarray([v for _, v in part], dtype=np.float32),
                    documents=[p.text for p, _ in part],
                    metadatas=[
                        {"article_id": p.article_id, "sentence_ids": " ".join(p.sentence_ids)}
                        for p, _ in part
                    ],
                )
            metadatas = [_article_metadata(article) for article, _, _ in items]
            centroids = np.asarray([_centroid(vectors) for _, _, vectors in items], dtype=np.float32)
            for first in range(0, len(items), limit):
                self._articles.upsert(
                    ids=ids[first : first + limit],
                    embeddings=centroids[first : first + limit],
                    documents=[article.text for article, _, _ in items[first : first + limit]],
                    metadatas=metadatas[first : first + limit],
                )
            self._bump_generation()
        except Exception as e:
            stored = self.stored_ids(ids)
            for article_id in ids:
                if article_id not in stored:
                    self._passages.delete(where={"article_id": article_id})
            raise StoreError(
                f"Could not store {len(ids)} articles: {e}. "
                f"{len(stored)} of them were stored before the failure; the rest were not."
            ) from e
        return [
            dataclasses.replace(article, added_at=meta["added_at"])
            for (article, _, _), meta in zip(items, metadatas, strict=True)
        ]

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


def _centroid(vectors: np.ndarray) -> np.ndarray:
    centroid = np.asarray(vectors, dtype=np.float32).mean(axis=0)
    return centroid / max(float(np.linalg.norm(centroid)), 1e-12)


def _similarity(cosine_distance: float) -> float:
    """Chroma's cosine distance is 1 - cosine similarity."""
    return 1.0 - float(cosine_distance)


def _article_metadata(article: Article) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "added_at": datetime.now(UTC).isoformat(timespec="microseconds"),
        "n_sentences": len(article.sentences),
        "sentences": json.dumps(
            [[s.id, s.start, s.end, s.paragraph, s.quote_close] for s in article.sentences],
            separators=(",", ":"),
        ),
        "dropped": json.dumps([list(span) for span in article.dropped]),
        "structural": json.dumps(sorted(article.structural)),
    }
    for key in ("title", "byline", "date", "url", "source"):
        value = getattr(article, key)
        if value:
            meta[key] = value
    if not article.title:
        meta["lead"] = article.label  # so that a listing needs no text
    return meta


def _article_from_row(article_id: str, text: str, meta: dict[str, Any]) -> Article:
    sentences = tuple(
        Sentence(id=sid, start=start, end=end, text=text[start:end], paragraph=para, quote_close=qc)
        for sid, start, end, para, qc in json.loads(meta["sentences"])
    )
    return Article(
        id=article_id,
        text=text,
        sentences=sentences,
        title=meta.get("title"),
        byline=meta.get("byline"),
        date=meta.get("date"),
        url=meta.get("url"),
        source=meta.get("source"),
        added_at=meta.get("added_at"),
        dropped=tuple(tuple(span) for span in json.loads(meta.get("dropped", "[]"))),
        # Articles stored before structure was marked have none marked: their IDs never change.
        structural=frozenset(json.loads(meta.get("structural") or "[]")),
    )
