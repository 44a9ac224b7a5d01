"""Damaged cache files never change an answer; a full cache disk never fails an ask.

Issue 19, finding 6 (and the cache side of 3). The read path keeps three kinds of rebuildable files
in the cache dir: BM25 segments (``bm25/**.npz``), each article's passage vectors
(``vectors/**.npy``) and the library listing (``catalog/*.json``). Each is damaged here in every
way the issue found (cut short, zeroed, a byte flipped anywhere, two files of a kind swapped, a
listing that parses but has wrong rows) and a fresh real Assistant on the real store must give
exactly the answers of the undamaged run, library-wide and scoped, log the file once and write it
again. Real bundled model, real embedded Chroma.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.api import Assistant
from assistant.library.files import MAGIC, read_checked, write_checked
from assistant.settings import Settings
from tests.support import SEED, tmpfs

ARTICLES = [
    "Council votes on the budget\n\nThe council voted on Monday. The mayor said the budget was fair. "
    "Critics said the plan cut too much from the libraries. The vote was seven to two.",
    "River festival returns\n\nThe river festival returns in June after a two-year pause. Organisers "
    "expect ten thousand visitors. The mayor will open it on Saturday, the city said. Tickets are free.",
]
QUESTIONS = ["Who said cluster munitions are effective?", "What did the mayor say about the budget?"]
SCOPED = "Who said it?"
#: Kind of each cache file (as written by assistant.library.files.write_checked), by its folder.
KINDS = {"bm25": "bm25-segment/2", "vectors": "vectors/2", "catalog": "catalog/2"}


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory, embedder: Any) -> Iterator[tuple[Settings, Path, Any]]:
    """A store of three articles, each added on its own (three segments, three vector files, a
    listing), a pristine copy of its cache dir, and the answers of a fresh Assistant reading it."""
    root = tmp_path_factory.mktemp("damaged")
    s = Settings(data_dir=root / "data", cache_dir=root / "cache")
    writer = Assistant(s, embedder=embedder)
    writer.add(str(SEED))
    for text in ARTICLES:
        writer.add_text(text)
    pristine = root / "pristine"
    shutil.copytree(s.cache_dir, pristine)
    assert {k: len(_files(s.cache_dir, k)) for k in KINDS} == {"bm25": 3, "vectors": 3, "catalog": 1}
    # Two articles of as many passages: swapped vector files have the right shape, the wrong rows.
    assert sorted(a.n_sentences for a in writer.summaries())[:2] == [5, 5]
    want = _answers(s, embedder)
    yield s, pristine, want


def _files(cache_dir: Path, kind: str) -> list[Path]:
    return sorted(p for p in (cache_dir / kind).rglob("*") if p.is_file())


def _answers(s: Settings, embedder: Any) -> list[Any]:
    """Everything a user sees, from a new Assistant: library-wide asks and searches, scoped asks."""
    assistant = Assistant(s, embedder=embedder)
    out: list[Any] = [[(a.id, a.n_sentences) for a in assistant.summaries()]]
    for question in QUESTIONS:
        out.append(_answer(assistant.ask(question)))
        hits = assistant.search(question, k=10)
        out.append([(h.article_id, h.sentence_id, round(h.score, 6)) for h in hits])
    for article in assistant.summaries():
        out.append(_answer(assistant.ask(SCOPED, article=article.id)))
        out.append(_answer(assistant.ask(QUESTIONS[0], article=article.id)))
    return out


def _answer(answer: Any) -> tuple[Any, ...]:
    cited = [(c.article_id, c.sentence_id, c.start, c.end, round(c.support or 0.0, 6))
             for c in answer.citations]
    return answer.text, answer.short_answer, answer.abstained, round(answer.confidence, 6), cited


def _restore(s: Settings, pristine: Path) -> None:
    shutil.rmtree(s.cache_dir, ignore_errors=True)
    shutil.copytree(pristine, s.cache_dir)


def _assert_rebuilt(s: Settings, pristine: Path) -> None:
    """Every cache file is back and intact (a damaged one was written again): the same vector files
    and listing, BM25 segments holding the same articles (two rebuilt ones may be one file now)."""
    for kind, tag in KINDS.items():
        files = _files(s.cache_dir, kind)
        assert all(read_checked(p, tag) is not None for p in files), kind
        if kind == "bm25":
            assert _segmented(files, tag) == _segmented(_files(pristine, kind), tag)
        else:
            assert [p.relative_to(s.cache_dir) for p in files] == [
                p.relative_to(pristine) for p in _files(pristine, kind)
            ], kind


def _segmented(files: list[Path], tag: str) -> list[str]:
    from assistant.retrieval.postings import Segment

    return sorted(i for p in files for i in Segment.from_bytes(read_checked(p, tag) or b"").article_ids)


def _flip(path: Path, where: float, mask: int = 0xA5) -> None:
    data = bytearray(path.read_bytes())
    at = min(int(where * len(data)), len(data) - 1)
    data[at] ^= mask
    path.write_bytes(bytes(data))


def _negate_row(path: Path, row: int) -> None:
    """Flip the sign bit of every float of one passage's vector (float32 little-endian, at the end)."""
    data = bytearray(path.read_bytes())
    first = len(data) - 384 * 4 * (row + 1)
    for at in range(first + 3, first + 384 * 4, 4):
        data[at] ^= 0x80
    path.write_bytes(bytes(data))


def _header_off(path: Path) -> None:
    raw = path.read_bytes()
    path.write_bytes(raw[len(MAGIC) + 1 + raw[len(MAGIC)] + 12 :])  # magic, kind, length and CRC


def _swap(a: Path, b: Path) -> None:
    tmp = a.with_name(a.name + ".swap")
    os.replace(a, tmp)
    os.replace(b, a)
    os.replace(tmp, b)


def _catalog_rows(rows: Callable[[list[Any]], list[Any]], keep_checksum: bool) -> Callable[[Path], None]:
    """Damage the listing to one that parses but has other rows: with its old header (the checksum
    no longer matches), or written afresh with a valid header (a writer's bug)."""

    def damage(path: Path) -> None:
        payload = read_checked(path, KINDS["catalog"])
        assert payload is not None
        saved = json.loads(payload)
        saved["rows"] = rows(saved["rows"])
        new = json.dumps(saved).encode()
        if keep_checksum:
            write_checked(path, KINDS["catalog"], new)
        else:
            raw = path.read_bytes()
            path.write_bytes(raw[: len(raw) - len(payload)] + new)

    return damage


#: One damage per case: (the kind of file, what is done to the first file of that kind).
DAMAGE: dict[str, tuple[str, Callable[[Path], None]]] = {
    **{
        f"{kind}: {name}": (kind, fn)
        for kind in KINDS
        for name, fn in {
            "cut to half": lambda p: os.truncate(p, p.stat().st_size // 2),
            "cut to zero bytes": lambda p: os.truncate(p, 0),
            "zeroed": lambda p: p.write_bytes(bytes(p.stat().st_size)),
            "one byte more": lambda p: p.write_bytes(p.read_bytes() + b"\0"),
            "garbled": lambda p: p.write_bytes(MAGIC + b"garbage" * 40),
            "header cut off (as an older release wrote it)": _header_off,
            "last byte's top bit flipped": lambda p: _flip(p, 1.0, 0x80),
        }.items()
    },
    "vectors: one passage's vector negated": ("vectors", lambda p: _negate_row(p, 1)),
    "catalog: no rows (old header)": ("catalog", _catalog_rows(lambda rows: [], keep_checksum=False)),
    "catalog: no rows (valid header)": ("catalog", _catalog_rows(lambda rows: [], keep_checksum=True)),
    "catalog: empty rows (valid header)": (
        "catalog", _catalog_rows(lambda rows: [[] for _ in rows], keep_checksum=True)
    ),
    "catalog: blank IDs (valid header)": (
        "catalog", _catalog_rows(lambda rows: [["", *r[1:]] for r in rows], keep_checksum=True)
    ),
}


@pytest.mark.parametrize("case", DAMAGE)
def test_a_damaged_cache_file_changes_no_answer_and_is_written_again(library, embedder, case, caplog):
    s, pristine, want = library
    _restore(s, pristine)
    kind, damage = DAMAGE[case]
    damage(_files(s.cache_dir, kind)[0])
    caplog.set_level(logging.WARNING)
    assert _answers(s, embedder) == want
    _assert_rebuilt(s, pristine)
    warned = [r for r in caplog.records if r.levelno == logging.WARNING and "ignoring" in r.getMessage()]
    assert len(warned) == 1, [r.getMessage() for r in warned]  # logged once, though read by every ask


@pytest.mark.parametrize("kind", ["bm25", "vectors"])
def test_two_files_of_a_kind_swapped_change_no_answer(library, embedder, kind):
    s, pristine, want = library
    _restore(s, pristine)
    files = _files(s.cache_dir, kind)
    same_size = [(a, b) for a in files for b in files if a < b and a.stat().st_size == b.stat().st_size]
    first, second = same_size[0] if same_size else files[:2]  # vectors: two of the same shape
    _swap(first, second)
    assert _answers(s, embedder) == want
    _assert_rebuilt(s, pristine)


@settings(
    max_examples=15, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(kind=st.sampled_from(sorted(KINDS)), which=st.integers(0, 2), where=st.floats(0, 1))
def test_a_byte_flipped_anywhere_changes_no_answer(library, embedder, kind, which, where):
    s, pristine, want = library
    _restore(s, pristine)
    files = _files(s.cache_dir, kind)
    _flip(files[which % len(files)], where)
    assert _answers(s, embedder) == want
    _assert_rebuilt(s, pristine)


def test_a_full_cache_disk_fails_no_add_and_no_ask(library, embedder, tmp_path):
    # The same articles into a new store whose cache dir is a full 64 KiB disk: every cache write
    # fails (ENOSPC), every answer is still the undamaged run's.
    _, _, want = library
    with tmpfs(tmp_path / "disk", "64k") as disk:
        with (disk / "filler").open("wb", buffering=0) as f, pytest.raises(OSError):
            while True:
                f.write(bytes(4096))
        s = Settings(data_dir=tmp_path / "data", cache_dir=disk / "cache")
        writer = Assistant(s, embedder=embedder)
        writer.add(str(SEED))
        for text in ARTICLES:
            writer.add_text(text)
        assert _answers(s, embedder) == want
        assert not any(p.suffix in (".npz", ".npy", ".json") for p in disk.rglob("*"))
