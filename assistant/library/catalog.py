"""The library's listing kept beside the BM25 segments: one small file per store.

Reading every article's metadata row from Chroma is the slowest part of
opening a large library (each row carries its sentence table; 10,000 rows take
seconds). The listing only changes when the store's generation stamp does, so
it is saved with the stamp it was read at, and opening a store whose stamp
matches reads this file instead. The stamp is random per write and never
reused, so a file can only be current or ignored, never wrong; a file that
is damaged (:func:`assistant.library.files.read_checked`: length and checksum), or
whose rows are not a listing, is ignored and read from the store again (the
store is the record, this is a cache). Written to a temporary name and
renamed: processes sharing the folder never see half a file.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

from assistant.library.files import discard, read_checked, write_checked
from index.models import ArticleSummary

#: Bumped when the file's layout changes; older files are then ignored.
FORMAT = 2
KIND = f"catalog/{FORMAT}"
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
        payload = read_checked(self.path, KIND)
        if payload is None:
            return None
        try:
            saved = json.loads(payload)
            if saved.get("generation") != generation:
                return None
            rows = saved["rows"]
            _check_rows(rows)
            return [ArticleSummary(*row) for row in rows]  # positional: a third of the time at 10,000
        except (ValueError, TypeError, KeyError, AttributeError) as e:
            discard(self.path, f"it is no listing ({e})")
            return None

    def save(self, generation: str | None, summaries: Sequence[ArticleSummary]) -> None:
        """Keep ``summaries`` as the listing at ``generation`` (best effort: a miss costs time only)."""
        if generation is None:
            return
        rows = [[getattr(s, f) for f in _FIELDS] for s in summaries]
        data = json.dumps({"generation": generation, "rows": rows}, separators=(",", ":"))
        write_checked(self.path, KIND, data.encode())


def _check_rows(rows: list[list[object]]) -> None:
    """Raise ValueError unless every row is a listing row: all fields, a unique ID, a count."""
    ids = set()
    for row in rows:
        if len(row) != len(_FIELDS):
            raise ValueError("a row of another layout")
        article_id, n_sentences = row[0], row[1]
        if not isinstance(article_id, str) or not article_id or article_id in ids:
            raise ValueError(f"a row with the article ID {article_id!r}")
        if not isinstance(n_sentences, int) or isinstance(n_sentences, bool) or n_sentences < 0:
            raise ValueError(f"a row with {n_sentences!r} sentences")
        ids.add(article_id)
