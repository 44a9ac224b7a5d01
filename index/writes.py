"""The store's writes: add, remove, recovery from the write journal, and the consistency check.

A mixin of :class:`index.store.ChromaStore` (split out to keep each module
readable). The order of every write is chosen so that a SIGKILL at any point
leaves nothing a reader can see half-done, and the journal entry lets the next
writer finish or undo it:

* add: journal entry → passages → article rows → new generation → entry deleted.
  Until the row exists the article is absent; a dead add's passages are deleted.
* remove: journal entry → new generation (readers drop their saved listing) →
  article row → passages → new generation → entry deleted. A dead remove is
  finished: the user asked for it, and the row may already be gone.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from index.errors import ArticleAssistantError, ArticleNotFoundError, StoreError
from index.faults import disk_problem, store_fault
from index.journal import Journal, is_live
from index.models import Article, ArticleSummary, Passage
from index.quotes import Quote, quotes_built, quotes_metadata

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class StoreCheck:
    """What :meth:`Writes.check` found: every article's passages against its sentences.

    Each sentence starts one passage (ID ``article_id:first_sentence_id``), so a
    stored article has exactly as many passages as sentences.
    """

    #: Article ID → passages stored for an article whose row is missing.
    orphans: Mapping[str, int] = field(default_factory=dict)
    #: Article ID → (passages stored, sentences) for a stored article missing passages.
    incomplete: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    #: Adds and removes that live processes are running now (left alone, not counted above).
    unfinished: int = 0
    #: Stored articles whose quote index is not built (stored before it existed, or by an older
    #: extractor): ``check --repair`` builds it. Not an inconsistency: their passages are whole.
    unquoted: tuple[str, ...] = ()

    @property
    def consistent(self) -> bool:
        """True when no article has missing or orphaned passages."""
        return not self.orphans and not self.incomplete


#: The generation an embedded client is said to have seen once it is not trusted: never a real one.
STALE_CLIENT = "stale client"


class Writes:
    """Write methods of :class:`~index.store.ChromaStore`."""

    if TYPE_CHECKING:
        fingerprint: Any
        place: str
        _server: bool
        _recovery_failed: bool
        _seen: str | None
        @property
        def _client(self) -> Any: ...
        @property
        def _passages(self) -> Any: ...
        @property
        def _articles(self) -> Any: ...
        @property
        def _journal(self) -> Journal: ...
        def _bump_generation(self) -> None: ...
        def has_article(self, article_id: str) -> bool: ...
        def stored_ids(self, article_ids: Sequence[str]) -> set[str]: ...
        def summaries(self) -> list[ArticleSummary]: ...

    @contextlib.contextmanager
    def _faults(self, outcome: str) -> Iterator[None]:
        """Raise a full disk or an unreachable server as the package's error, saying ``outcome``."""
        try:
            yield
        except ArticleAssistantError:
            raise
        except Exception as e:
            self._distrust_client(e)
            fault = store_fault(e, self.place, self._server, outcome)
            if fault is None:
                raise
            raise fault from e

    def _distrust_client(self, error: BaseException) -> bool:
        """After the disk refused an embedded write, have the next use of the store reopen it.

        A client whose write met a full disk was seen to hang on its next write once space was
        freed (in SQLite's busy wait, inside Chroma's Rust core); a fresh client does not, and
        :meth:`generation`, which every add and remove asks first, reopens when the token it saw
        is not the store's. True when the client is no longer trusted.
        """
        if not self._server and disk_problem(error) is not None:
            self._seen = STALE_CLIENT
            return True
        return False

    # -- recovery ---------------------------------------------------------------

    def recover(self) -> int:
        """Finish or undo the adds and removes whose writer died; how many there were.

        A dead add's passages are deleted unless its article row was written (then it
        stands); a dead remove is finished. An entry whose articles a live writer is
        touching now is left for later, so a crash is never mistaken for a live write.
        """
        entries = self._journal.entries()
        live = [e for e in entries if is_live(e)]
        busy = {i for e in live for i in e.article_ids}
        dead = [e for e in entries if e not in live and not busy.intersection(e.article_ids)]
        for entry in dead:
            ids = list(entry.article_ids)
            if entry.op == "remove":
                log.warning("finishing the interrupted removal of article %s", " ".join(ids))
                self._articles.delete(ids=ids)
                self._passages.delete(where={"article_id": {"$in": ids}})
            else:
                for article_id in sorted(set(ids) - self.stored_ids(ids)):
                    log.warning("removing the passages of an interrupted add of article %s", article_id)
                    self._passages.delete(where={"article_id": article_id})
        if dead:
            self._bump_generation()  # before the entries go: a kill here redoes this, never skips it
            for entry in dead:
                self._journal.end(entry.token)
        return len(dead)

    def _recover_on_open(self) -> None:
        """Clean up after dead writers if the disk allows; else say so once and stay read-only for now.

        Opening must not need free space: a full disk left every command failing. The
        next write (or open) retries, and the leftovers are invisible to readers meanwhile.
        """
        try:
            self.recover()
        except Exception as e:
            if disk_problem(e) is None:
                fault = store_fault(e, self.place, self._server, "nothing was changed")
                if fault is None:
                    raise
                raise fault from e
            if not self._recovery_failed:
                log.warning("cannot clean up after an interrupted write now (%s); the store is readable, "
                            "and the next write cleans up once there is space", e)
            self._recovery_failed = True

    def _end(self, token: str) -> None:
        """Delete a finished write's journal entry; a failure only leaves a dead entry to recover."""
        try:
            self._journal.end(token)
        except Exception as e:
            self._journal.forget(token)
            log.warning("could not delete a finished write's journal entry (%s); the next write does", e)

    # -- adds -------------------------------------------------------------------

    def put_article(self, article: Article, passages: Sequence[Passage], vectors: np.ndarray) -> None:
        """Store an article with its passages and their vectors, all or nothing (:meth:`put_articles`)."""
        self.put_articles([(article, passages, vectors)])

    def begin_add(self, ids: Sequence[str]) -> str:
        """Recover, then journal an add of ``ids`` while the caller embeds; the token for put_articles."""
        with self._faults("nothing was stored"):
            return self._begin(ids)

    def _begin(self, ids: Sequence[str]) -> str:
        self.recover()
        return self._journal.begin("add", ids)

    def put_articles(self, items: Sequence[tuple[Article, Sequence[Passage], np.ndarray]],
                     quotes: Mapping[str, Sequence[Quote]] | None = None,
                     begun: str | None = None) -> list[Article]:
        """Store several articles with their passages and vectors in batched writes.

        ``quotes`` (by article ID) are the articles' attributed statements (:mod:`index.quotes`),
        written on the article rows: stored with the article or not at all. ``begun``: the token
        of :meth:`begin_add` for these articles (else the journal entry is written here).

        Returns the articles as stored (with ``added_at``). The passages go first and the
        article rows last, under a journal entry of this process: an interrupted batch
        leaves no article half-stored, and no other process mistakes it for a crash.
        A full disk raises :class:`~index.errors.DiskFullError`, a lost server
        :class:`~index.errors.StoreUnavailableError`.
        """
        if not items:
            return []
        for _, passages, vectors in items:
            if len(passages) != len(vectors):
                raise ValueError("one vector per passage is needed")
        ids = [article.id for article, _, _ in items]
        token: str | None = begun
        rows_written = False
        try:
            token = token or self._begin(ids)
            limit = max(1, int(self._client.get_max_batch_size()))
            rows = [(p, v) for _, passages, vectors in items for p, v in zip(passages, vectors, strict=True)]
            self._write_passages(rows, limit)
            found = quotes or {}
            metadatas = [_article_metadata(article, found.get(article.id)) for article, _, _ in items]
            centroids = np.asarray([_centroid(vectors) for _, _, vectors in items], dtype=np.float32)
            rows_written = True
            for first in range(0, len(items), limit):
                self._articles.upsert(
                    ids=ids[first : first + limit],
                    embeddings=centroids[first : first + limit],
                    documents=[article.text for article, _, _ in items[first : first + limit]],
                    metadatas=metadatas[first : first + limit],
                )
            self._bump_generation()
        except Exception as e:
            distrusted = self._distrust_client(e)
            if token is None:
                stored: set[str] | None = set()
            elif distrusted:
                stored = self._leave_add(ids, token)
            else:
                stored = self._undo_add(ids, token)
            outcome = _add_outcome(stored, len(ids), rows_written)
            fault = store_fault(e, self.place, self._server, outcome)
            raise (fault or StoreError(f"Could not store {len(ids)} articles: {e}. {outcome[0].upper()}"
                                       f"{outcome[1:]}.")) from e
        self._end(token)
        return [
            dataclasses.replace(article, added_at=meta["added_at"])
            for (article, _, _), meta in zip(items, metadatas, strict=True)
        ]

    def _write_passages(self, rows: Sequence[tuple[Passage, np.ndarray]], limit: int) -> None:
        for first in range(0, len(rows), limit):
            part = rows[first : first + limit]
            self._passages.upsert(
                ids=[p.id for p, _ in part],
                embeddings=np.asarray([v for _, v in part], dtype=np.float32),
                documents=[p.text for p, _ in part],
                metadatas=[
                    {"article_id": p.article_id, "sentence_ids": " ".join(p.sentence_ids)} for p, _ in part
                ],
            )

    def _leave_add(self, ids: Sequence[str], token: str) -> set[str] | None:
        """After the disk refused an embedded add: which articles were stored, and no cleanup now.

        A delete through the client whose write met the full disk was seen to hang for good
        (inside Chroma's Rust core); the entry, dead once forgotten, has the next write (through
        a reopened client) or the next open finish the cleanup, and readers never see the rest.
        """
        self._journal.forget(token)
        try:
            return self.stored_ids(ids)
        except Exception as e:
            log.warning("could not read what the failed add stored (%s: %s)", type(e).__name__, e)
            return None

    def _undo_add(self, ids: Sequence[str], token: str) -> set[str] | None:
        """Delete the failed add's passages of articles without a row; which were stored (None: unknown).

        A failure here is logged, never raised: the add's own error is the one to report, and
        the journal entry, now dead, lets the next write or open finish the cleanup.
        """
        try:
            stored = self.stored_ids(ids)
            for article_id in ids:
                if article_id not in stored:
                    self._passages.delete(where={"article_id": article_id})
            self._journal.end(token)
            return stored
        except Exception as e:
            self._journal.forget(token)
            log.warning("could not clean up after the failed add (%s: %s); the next write or open of the "
                        "store does", type(e).__name__, e)
            return None

    def restore_passages(self, article: Article, passages: Sequence[Passage], vectors: np.ndarray) -> None:
        """Write a stored article's passages again (``check --repair`` of an article missing some)."""
        with self._faults("nothing was changed"):
            token = self._journal.begin("add", [article.id])
            try:
                self._write_passages(list(zip(passages, vectors, strict=True)),
                                     max(1, int(self._client.get_max_batch_size())))
                self._bump_generation()
            except BaseException:
                self._journal.forget(token)
                raise
            self._end(token)

    # -- removes ----------------------------------------------------------------

    def remove_article(self, article_id: str) -> None:
        """Delete an article and its passages; :class:`ArticleNotFoundError` when absent.

        Journalled: a kill at any point is finished by the next write or open, so no reader
        sees an article listed but gone, or passages of a removed article.
        """
        with self._faults("nothing was removed"):
            if not self.has_article(article_id):
                raise ArticleNotFoundError(article_id)
            self.recover()
            token = self._journal.begin("remove", [article_id])
        try:
            with self._faults("the removal is finished by the next write once the store is writable again"):
                self._bump_generation()
                self._articles.delete(ids=[article_id])
                self._passages.delete(where={"article_id": article_id})
                self._bump_generation()
        except BaseException:
            self._journal.forget(token)
            raise
        self._end(token)

    # -- consistency ------------------------------------------------------------

    def check(self) -> StoreCheck:
        """Every article's stored passages against its sentences (a full scan), and orphaned passages.

        Articles that a live process is adding or removing now are left out (``unfinished``).
        """
        with self._faults("nothing was changed"):
            live = [e for e in self._journal.entries() if is_live(e)]
            busy = {i for e in live for i in e.article_ids}
            rows = self._articles.get(include=["metadatas"])
            sentences = {a.id: a.n_sentences for a in self.summaries()}
            unquoted = tuple(sorted(i for i, m in zip(rows["ids"], rows["metadatas"], strict=True)
                                    if i not in busy and not quotes_built(m)))
            counts: dict[str, int] = {}
            for meta in self._passages.get(include=["metadatas"])["metadatas"]:
                article_id = str(meta["article_id"])
                counts[article_id] = counts.get(article_id, 0) + 1
        orphans = {i: n for i, n in counts.items() if i not in sentences and i not in busy}
        incomplete = {
            i: (counts.get(i, 0), n) for i, n in sentences.items() if counts.get(i, 0) != n and i not in busy
        }
        return StoreCheck(orphans, incomplete, len(live), unquoted)

    def orphans(self) -> dict[str, int]:
        """Article IDs that have passages but no article row, with their passage counts (a full scan)."""
        return dict(self.check().orphans)

    def remove_orphans(self) -> dict[str, int]:
        """Delete passages whose article row is missing (never a live writer's); what was removed."""
        with self._faults("nothing was removed"):
            self.recover()
            found = self.orphans()
            for article_id in found:
                self._passages.delete(where={"article_id": article_id})
            if found:
                self._bump_generation()
        return found


def _add_outcome(stored: set[str] | None, wanted: int, rows_written: bool) -> str:
    """What a failed add left stored, for its error message (``stored`` None: the cleanup failed)."""
    if stored is None and rows_written:
        return "the articles that `article-assistant list` does not show were not stored"
    if stored:
        return f"{len(stored)} of the {wanted} articles were stored before the failure; the rest were not"
    return "nothing was stored"


def _centroid(vectors: np.ndarray) -> np.ndarray:
    centroid = np.asarray(vectors, dtype=np.float32).mean(axis=0)
    return centroid / max(float(np.linalg.norm(centroid)), 1e-12)


def _article_metadata(article: Article, quotes: Sequence[Quote] | None = None) -> dict[str, Any]:
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
    if article.pages:
        meta["pages"] = json.dumps(list(article.pages), separators=(",", ":"))
    if quotes is not None:
        meta.update(quotes_metadata(quotes))
    return meta
