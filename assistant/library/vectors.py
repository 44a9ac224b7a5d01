"""Each article's passage vectors kept beside the BM25 segments: one small file per article.

A scoped question needs one article's vectors. Reading them from an embedded
Chroma store makes it load the collection's whole HNSW index first (at 10,000
articles: 1.1 s and 600 MB for 30 rows), so the vectors an add has just
computed are also saved here, as float32 exactly as stored, and read from
here first. The store stays the record: a missing or unreadable file is read
from Chroma once and saved again. Files are named by the article's content ID
in a folder per store and embedder, so a file can only be right or absent;
written to a temporary name and renamed, so no reader sees half a file.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
from pathlib import Path

import numpy as np

from assistant.library.files import discard, read_checked, write_checked

#: The kind and format of a vector file (in its header and its folder's name).
KIND = "vectors/2"


def vectors_folder(cache_dir: Path, store_key: str, embedder: str, window: int) -> Path:
    """The folder of one store's vectors from one embedder and passage window."""
    name = hashlib.sha256(f"{KIND}|{store_key}|{embedder}|{window}".encode()).hexdigest()[:16]
    return cache_dir / "vectors" / name


class VectorCache:
    """Saved passage vectors of one store's articles (rows in passage order)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def load(self, article_id: str, rows: int) -> np.ndarray | None:
        """The article's ``rows`` × dimension float32 matrix, or None when none is saved."""
        path = self.folder / f"{article_id}.npy"
        payload = read_checked(path, KIND)
        if payload is None:
            return None
        try:
            matrix = np.load(io.BytesIO(payload), allow_pickle=False)
        except (OSError, ValueError) as e:  # intact bytes that are not an array: a writer's bug
            discard(path, f"it holds no array ({e})")
            return None
        if matrix.dtype != np.float32 or matrix.ndim != 2 or len(matrix) != rows:
            discard(path, f"it holds vectors of shape {matrix.shape}, not {rows} passages")
            return None
        return matrix

    def save(self, article_id: str, matrix: np.ndarray) -> None:
        """Keep ``matrix`` for ``article_id`` (best effort: a miss only costs a read from the store)."""
        buffer = io.BytesIO()
        np.save(buffer, np.ascontiguousarray(matrix, dtype=np.float32), allow_pickle=False)
        write_checked(self.folder / f"{article_id}.npy", KIND, buffer.getvalue())

    def drop(self, article_id: str) -> None:
        """Forget a removed article's vectors (its ID may come back only with the same text)."""
        with contextlib.suppress(OSError):
            (self.folder / f"{article_id}.npy").unlink()
