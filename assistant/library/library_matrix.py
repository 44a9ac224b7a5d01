"""The library-wide dense index over the matrix file: opened, mapped to the scope, kept fresh.

:class:`LibraryMatrix` gives a library's :class:`~assistant.retrieval.mapped.MappedDenseIndex`:
the matrix file (:mod:`assistant.library.matrix`) mapped to the BM25 layout's
positions, its rows of removed articles left out, and the articles it does not
hold (added by this or another process since it was written) read from their
vector files into the in-memory tail. The file is written when missing or
damaged (once, before the question that needs it), and rewritten in a
background thread once ``retrieval.matrix_stale`` of its rows are stale, so a
later process opens a current file; a bulk add waits for that rewrite.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np

from assistant.library.matrix import MatrixFile, open_matrix, write_matrix
from assistant.retrieval.mapped import MappedDenseIndex
from assistant.retrieval.postings import LibraryBM25
from assistant.settings import RetrievalSettings

log = logging.getLogger(__name__)

#: ``vectors(lexical, ids)`` → each article's passages (sentence IDs) and float32 vectors.
LibraryVectors = Callable[
    [LibraryBM25, Sequence[str]], Mapping[str, tuple[list[tuple[str, ...]], np.ndarray]]
]


class LibraryMatrix:
    """One store's matrix file and the dense indexes made from it."""

    def __init__(
        self, path: Path, dimension: int, settings: RetrievalSettings, vectors: LibraryVectors
    ) -> None:
        self.path = path
        self._dimension = dimension
        self._settings = settings
        self._vectors = vectors
        self._writer: threading.Thread | None = None
        self._lock = threading.Lock()

    def index(
        self, lexical: LibraryBM25, previous: MappedDenseIndex | None = None
    ) -> MappedDenseIndex | None:
        """The dense index of ``lexical``'s library: ``previous`` (of a prefix of its articles)
        extended by the rest, else the file mapped to it; None when no file can be written."""
        if previous is not None:
            added = [a for a in lexical.article_ids if a not in previous.articles]
            index = previous.extended(*self.rows(lexical, added), lexical.size, added)
        else:
            matrix = open_matrix(self.path, self._dimension)
            if matrix is None:
                self.wait()
                if not self.write(lexical):
                    return None
                matrix = open_matrix(self.path, self._dimension)
                if matrix is None:
                    return None
            positions, missing = row_positions(matrix, lexical)
            index = MappedDenseIndex(
                matrix, positions, lexical.size, lambda p: self._fallback(lexical, p),
                self._settings.matrix_widen, articles=frozenset(lexical.article_ids),
            )
            if missing:
                index = index.extended(*self.rows(lexical, missing), lexical.size, [])
        self.refresh_if_stale(index, lexical)
        return index

    def rows(self, lexical: LibraryBM25, article_ids: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """The float32 passage vectors of ``article_ids`` and their scope positions (window 1)."""
        found = self._vectors(lexical, article_ids)
        rows, where = [], []
        for article_id in article_ids:
            groups, matrix = found[article_id]
            places = [lexical.position(article_id, g[0]) for g in groups]
            keep = [i for i, p in enumerate(places) if p is not None]
            rows.append(matrix[keep])
            where.append(np.asarray([places[i] for i in keep], dtype=np.int64))
        if not rows:
            return np.zeros((0, self._dimension), dtype=np.float32), np.zeros(0, dtype=np.int64)
        return np.vstack(rows).astype(np.float32, copy=False), np.concatenate(where)

    def refresh_if_stale(self, index: MappedDenseIndex, lexical: LibraryBM25) -> None:
        """Rewrite the file in the background once enough of its rows are stale."""
        base = len(index.base.codes)
        if index.dead_rows + index.tail_rows > self._settings.matrix_stale * max(base, 1):
            with self._lock:
                if self._writer is not None and self._writer.is_alive():
                    return
                self._writer = threading.Thread(
                    target=self.write, args=(lexical,), name="matrix-writer", daemon=True
                )
                self._writer.start()

    def write(self, lexical: LibraryBM25) -> bool:
        """Write the file for ``lexical``'s articles from their vector files (or the store)."""
        ids = lexical.article_ids
        articles = []
        for article_id in ids:
            span = lexical.span(article_id)
            if span is not None:
                articles.append((article_id, span[1]))

        def vectors(chunk: Sequence[str]) -> dict[str, np.ndarray]:
            found = self._vectors(lexical, chunk)
            return {a: found[a][1] for a in chunk}

        ok = write_matrix(self.path, self._dimension, articles, vectors)
        if ok:
            log.info("wrote the library's matrix file %s (%d articles)", self.path, len(articles))
        return ok

    def wait(self) -> None:
        """Wait for a rewrite under way in this process (a bulk add leaves a current file)."""
        with self._lock:
            writer = self._writer
        if writer is not None:
            writer.join()

    def _fallback(self, lexical: LibraryBM25, positions: np.ndarray) -> np.ndarray:
        """The float32 vectors at ``positions``, from the vector files (the matrix file is damaged)."""
        refs = [lexical.ref(int(p)) for p in positions]
        found = self._vectors(lexical, list(dict.fromkeys(a for a, _ in refs)))
        out = np.empty((len(refs), self._dimension), dtype=np.float32)
        for i, (article_id, sentence_id) in enumerate(refs):
            groups, matrix = found[article_id]
            out[i] = matrix[groups.index((sentence_id,))]
        return out


def row_positions(matrix: MatrixFile, lexical: LibraryBM25) -> tuple[np.ndarray, list[str]]:
    """Each file row's scope position (-1: its article is not in the scope, or not as the file has
    it) and the scope's articles the file does not hold."""
    starts = np.full(len(matrix.article_ids), -1, dtype=np.int64)
    held = set()
    for i, (article_id, count) in enumerate(zip(matrix.article_ids, matrix.counts.tolist(), strict=True)):
        span = lexical.span(article_id)
        if span is not None and span[1] == count:
            starts[i] = span[0]
            held.add(article_id)
    counts = matrix.counts
    offsets = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    first = np.repeat(starts, counts)
    positions = first + np.arange(int(counts.sum()), dtype=np.int64) - np.repeat(offsets, counts)
    positions[first < 0] = -1
    return positions, [a for a in lexical.article_ids if a not in held]
