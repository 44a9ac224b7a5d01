"""Saved BM25 segments of one store's articles, so that opening a library tokenises only what is new.

:class:`PostingsCache` keeps :class:`~assistant.retrieval.postings.Segment`
files in a folder per store. Opening the library loads them (one file when
compacted), tokenises only the articles no file holds, and writes those as a
new file; when there are more than :data:`MAX_FILES` files they are merged
into one. A file is named by its articles (content hashes), written to a
temporary name and renamed, so processes sharing the folder never see half a
file; a file that is damaged (:func:`assistant.library.files.read_checked`: length
and a checksum over its name and bytes) is ignored, deleted and its articles
tokenised again, so a flipped byte never changes a score.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from assistant.library.files import discard, read_checked, write_checked
from assistant.retrieval.postings import FORMAT, Segment
from index.models import Article

#: More saved segment files than this are merged into one when the library opens.
MAX_FILES = 8
#: Articles tokenised per new segment when the cache misses many.
BUILD_CHUNK = 500
#: The kind and format of a segment file (in its header).
KIND = f"bm25-segment/{FORMAT}"

#: ``fetch(ids)`` → those stored articles, by ID.
Fetch = Callable[[Sequence[str]], Mapping[str, Article]]


def cache_folder(cache_dir: Path, store_key: str) -> Path:
    """The segment folder of one store; the tokeniser's source is part of the name."""
    from assistant.analysis import text

    tokeniser = hashlib.sha256(Path(text.__file__).read_bytes()).hexdigest()[:12]
    return cache_dir / "bm25" / f"v{FORMAT}-{tokeniser}" / hashlib.sha256(store_key.encode()).hexdigest()[:16]


class PostingsCache:
    """Saved segments of one store's articles."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def save(self, segment: Segment) -> None:
        """Write ``segment`` (best effort: a read-only cache only costs time later)."""
        write_checked(self.folder / f"{segment.key}.npz", KIND, segment.to_bytes())

    def segments(self, wanted: Sequence[str], fetch: Fetch) -> list[Segment]:
        """Segments covering exactly the articles ``wanted`` (in any order), built where missing."""
        want = set(wanted)
        found: list[Segment] = []
        covered: set[str] = set()
        used: list[Path] = []
        for path, segment in self._files():
            ids = segment.article_ids
            if not want.intersection(ids) or covered.issuperset(ids):
                continue
            extra = set(ids) - want
            if len(extra) > len(ids) // 2:
                continue  # mostly other articles (removed ones): cheaper to tokenise ours again
            segment = segment.without(extra | covered)
            found.append(segment)
            covered.update(segment.article_ids)
            if not extra:
                used.append(path)
        missing = [i for i in wanted if i not in covered]
        for first in range(0, len(missing), BUILD_CHUNK):
            chunk = missing[first : first + BUILD_CHUNK]
            articles = fetch(chunk)
            segment = Segment.build([articles[i] for i in chunk if i in articles])
            self.save(segment)
            found.append(segment)
        if len(found) > MAX_FILES:
            merged = Segment.merge(found)
            self.save(merged)
            for path in used:
                if path.name != f"{merged.key}.npz":
                    with contextlib.suppress(OSError):
                        path.unlink()
            found = [merged]
        return found

    def _files(self) -> list[tuple[Path, Segment]]:
        """Saved intact segments, largest first (damaged ones are logged and deleted)."""
        if not self.folder.is_dir():
            return []
        out = []
        for path in sorted(self.folder.glob("*.npz"), key=_size_descending):
            payload = read_checked(path, KIND)
            if payload is None:
                continue
            try:
                out.append((path, Segment.from_bytes(payload, str(path))))
            except ValueError as e:  # intact bytes that are no segment: a writer's bug, not damage
                discard(path, str(e))
        return out


def _size_descending(path: Path) -> int:
    try:
        return -path.stat().st_size
    except OSError:  # deleted by another process since the listing
        return 0
