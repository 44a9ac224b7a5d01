"""The library's listing kept beside the BM25 segments: one small file per store.

Reading every article's metadata row from Chroma is the slowest part of
opening a large library (each row carries its sentence table; 10,000 rows take
seconds). The listing only changes when the store's generation stamp does, so
it is saved with the stamp it was read at, and opening a store whose stamp
matches reads this file instead. The stamp is random per write and never
reused, so a file can only be current or ignored, never wrong; a file that
cannot be read is ignored too (the store is the record, this is a cache).
Written to a temporary name and renamed: processes sharing the folder never
see half a file.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from collections.abc import Sequence
from pathlib import Path

from assistant.files import write_atomically
from index.models import ArticleSummary

log = logging.getLogger(__name__)

#: Bumped when the file's layout changes; older files are then ignored.
FORMAT = 1
_FIELDS = tuple(f.name for f in dataclasses.fields(ArticleSummary))


def catalog_path(cache_dir: Path, store_key: str) -> Path:
    """The listing file of one store (``store_key`` names the store and its namespace)."""
    name = hashlib.sha256(store_key.encode()).hexdigest()[:16]
    return cache_dir / "catalog" / f"v{FORMAT}-{name}.json"


class Catalog:
    """The saved listing of one store."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self, generation: str | None) -> list[ArticleSummary] | None:
        """The listing saved at ``generation``, oldest first; None when there is none for it."""
        if generation is None:
            return None
        try:
            saved = json.loads(self.path.read_bytes())
            if saved.get("generation") != generation:
                return None
            rows = saved["rows"]
            if any(len(row) != len(_FIELDS) for row in rows):
                raise ValueError("a row of another layout")
            return [ArticleSummary(*row) for row in rows]  # positional: a third of the time at 10,000
        except FileNotFoundError:
            return None
        except (OSError, ValueError, TypeError, KeyError) as e:
            log.warning("ignoring unreadable library listing %s: %s", self.path, e)
            return None

    def save(self, generation: str | None, summaries: Sequence[ArticleSummary]) -> None:
        """Keep ``summaries`` as the listing at ``generation`` (best effort: a miss costs time only)."""
        if generation is None:
            return
        rows = [[getattr(s, f) for f in _FIELDS] for s in summaries]
        data = json.dumps({"generation": generation, "rows": rows}, separators=(",", ":"))
        write_atomically(self.path, data.encode())
