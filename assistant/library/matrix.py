"""The library's passage vectors in one memory-mapped cache file: int8 rows to scan, float32 to rescore.

Library-wide dense search at scale (:class:`~assistant.retrieval.mapped.MappedDenseIndex`)
scans every passage's int8 codes and rescores the best candidates with their
float32 vectors. Both are kept in one file per store, embedder and window,
rebuilt from the per-article vector files (:mod:`assistant.library.vectors`)
and so from the store, the record:

    header (files.checked_header: magic, kind, length and CRC-32 of the checked part)
    checked part: table length (8 bytes), table (JSON: dimension, article IDs, rows of each),
                  padding, scales (float32 × rows), codes (int8 × rows × dimension), padding
    float32 rows (rows × dimension), in the same order

The checked part is verified when the file is opened (its pages are scanned by every
question anyway); the float32 rows (4× larger, read a few hundred at a time with
``pread``, so they never count in the process's memory) are checked as they are
read: each must quantise to its verified int8 codes, else the file is damaged
(logged, deleted, rebuilt on the next open) and the vectors come from the vector files.
Written to a temporary name and renamed, so a reader sees a whole file or none; its
article IDs are content hashes, so any file is right about the articles it lists.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
import time
import weakref
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np

from assistant.library.files import checked_header, discard, header_size, map_checked
from assistant.retrieval.mapped import quantise

log = logging.getLogger(__name__)

#: The kind and format of a matrix file (in its header and its folder's name).
KIND = "matrix/1"
_ALIGN = 64
#: Articles read from the vector files at a time while writing.
CHUNK = 256
#: A temporary file untouched this long is an abandoned write.
ABANDONED_S = 900


def matrix_path(cache_dir: Path, store_key: str, embedder: str, window: int) -> Path:
    """The matrix file of one store's vectors from one embedder and passage window."""
    name = hashlib.sha256(f"{KIND}|{store_key}|{embedder}|{window}".encode()).hexdigest()[:16]
    return cache_dir / "matrix" / name / "library.mat"


class MatrixFile:
    """An opened, verified matrix file (a :class:`~assistant.retrieval.mapped.QuantisedRows`)."""

    def __init__(self, path: Path, mapped: object, start: int, length: int, st: os.stat_result) -> None:
        view = memoryview(mapped)  # type: ignore[arg-type]
        table_length = int(np.frombuffer(view, np.uint64, 1, start)[0])
        table = json.loads(bytes(view[start + 8 : start + 8 + table_length]))
        self.dimension = int(table["dimension"])
        self.article_ids: list[str] = table["ids"]
        self.counts = np.asarray(table["counts"], dtype=np.int64)
        rows = int(self.counts.sum())
        first = _aligned(start + 8 + table_length)
        self.scales = np.frombuffer(view, np.float32, rows, first)
        self.codes = np.frombuffer(view, np.int8, rows * self.dimension, first + 4 * rows).reshape(
            rows, self.dimension
        )
        self._floats = start + length
        if len(view) != self._floats + 4 * rows * self.dimension:
            raise ValueError("its float32 rows are cut short")
        self.path = path
        self._st = st
        self._fd = os.open(path, os.O_RDONLY)
        weakref.finalize(self, _close, self._fd)
        self.damaged = False

    def exact(self, rows: np.ndarray) -> np.ndarray | None:
        """The float32 vectors of ``rows`` (sorted), checked against their int8 codes."""
        if self.damaged:
            return None
        width = 4 * self.dimension
        out = np.empty((len(rows), self.dimension), dtype=np.float32)
        breaks = np.flatnonzero(np.diff(rows) != 1) + 1
        try:
            for start, end in zip([0, *breaks.tolist()], [*breaks.tolist(), len(rows)], strict=True):
                # One pread per run of consecutive rows.
                data = os.pread(self._fd, width * (end - start), self._floats + width * int(rows[start]))
                out[start:end] = np.frombuffer(data, np.float32).reshape(end - start, self.dimension)
        except (OSError, ValueError) as e:
            self._damage(f"its float32 rows cannot be read ({e})")
            return None
        with np.errstate(invalid="ignore", over="ignore"):
            codes, _ = quantise(out)
        if not (np.isfinite(out).all() and np.array_equal(codes, self.codes[rows])):
            self._damage("its float32 rows do not match their int8 codes")
            return None
        return out

    def _damage(self, problem: str) -> None:
        self.damaged = True
        discard(self.path, problem, self._st)


def open_matrix(path: Path, dimension: int) -> MatrixFile | None:
    """The matrix file at ``path``, verified; None when missing or damaged (then logged and deleted)."""
    found = map_checked(path, KIND)
    if found is None:
        return None
    mapped, start, length, st = found
    try:
        matrix = MatrixFile(path, mapped, start, length, st)
    except (ValueError, KeyError, TypeError, json.JSONDecodeError) as e:
        discard(path, f"its table or sizes are wrong ({e})", st)
        return None
    if matrix.dimension != dimension or len(matrix.counts) != len(matrix.article_ids):
        discard(path, f"it holds {matrix.dimension}-dimensional vectors, not {dimension}", st)
        return None
    return matrix


def write_matrix(
    path: Path,
    dimension: int,
    articles: Sequence[tuple[str, int]],
    vectors: Callable[[Sequence[str]], Mapping[str, np.ndarray]],
) -> bool:
    """Write the matrix file of ``articles`` ((ID, passages) in order); ``vectors(ids)`` gives their
    float32 rows. Best effort, like every cache file: False (logged) when it could not be written."""
    ids = [a for a, _ in articles]
    counts = [int(c) for _, c in articles]
    rows = sum(counts)
    table = json.dumps({"dimension": dimension, "ids": ids, "counts": counts}).encode()
    first = _aligned(header_size(KIND) + 8 + len(table)) - header_size(KIND)
    head_length = _aligned(header_size(KIND) + first + rows * (4 + dimension)) - header_size(KIND)
    head = np.zeros(head_length, dtype=np.uint8)
    head[:8] = np.frombuffer(np.uint64(len(table)).tobytes(), np.uint8)
    head[8 : 8 + len(table)] = np.frombuffer(table, np.uint8)
    scales = head[first : first + 4 * rows].view(np.float32)
    codes = head[first + 4 * rows : first + rows * (4 + dimension)].view(np.int8).reshape(rows, dimension)
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _drop_abandoned(path.parent)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.seek(header_size(KIND) + head_length)
            row = 0
            for at in range(0, len(ids), CHUNK):
                chunk = ids[at : at + CHUNK]
                found = vectors(chunk)
                for article_id, count in zip(chunk, counts[at : at + CHUNK], strict=True):
                    matrix = np.ascontiguousarray(found[article_id], dtype=np.float32)
                    if matrix.shape != (count, dimension):
                        raise ValueError(f"article {article_id} has vectors of shape {matrix.shape}")
                    codes[row : row + count], scales[row : row + count] = quantise(matrix)
                    f.write(matrix.tobytes())
                    row += count
            f.seek(0)
            f.write(checked_header(path, KIND, head.data))
            f.write(head.data)
        os.replace(tmp, path)
        return True
    except (OSError, ValueError, KeyError) as e:
        log.warning("could not write the cache file %s: %s", path, e)
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        return False


def _drop_abandoned(folder: Path) -> None:
    """Delete temporary files of writes that stopped (a process ended while its writer thread ran):
    hundreds of MB each at scale. A write under way elsewhere touches its file within minutes."""
    now = time.time()
    for old in folder.glob("*.tmp"):
        with contextlib.suppress(OSError):
            if now - old.stat().st_mtime > ABANDONED_S:
                old.unlink()


def _aligned(offset: int) -> int:
    return -(-offset // _ALIGN) * _ALIGN


def _close(fd: int) -> None:
    with contextlib.suppress(OSError):
        os.close(fd)
