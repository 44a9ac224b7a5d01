"""The read path's cache files: written whole or not at all, read back only when intact.

Every cache file (BM25 segments, passage vectors, the library listing) is one
:func:`write_checked` call: a header (a magic number, the file's kind and
format, the payload's length, and a CRC-32 of kind, file name and payload)
then the payload, written to a temporary name and renamed, so readers in
other processes never see half a file. :func:`read_checked` gives the payload
back only when all of it matches. The file's own name is in the checksum, so
two files of a kind swapped (or one copied over another) read as damaged too.
A damaged file is logged once, deleted, and rebuilt from the store by its
caller: the store is the record, a cache file can only be right or ignored.
"""

from __future__ import annotations

import contextlib
import logging
import mmap
import os
import struct
import tempfile
import threading
import zlib
from pathlib import Path

log = logging.getLogger(__name__)

#: Starts every checked file; an older unchecked file (or a zeroed one) fails here.
MAGIC = b"AACACHE\x01"
#: magic, kind length (the kind's bytes follow), then payload length and CRC-32 (after the kind).
_HEAD = struct.Struct("<8sB")
_TAIL = struct.Struct("<QI")

#: Damaged files already logged: (path, problem, and the file's inode, size and mtime).
_warned: set[tuple[object, ...]] = set()
_warned_lock = threading.Lock()


def write_atomically(path: Path, data: bytes) -> bool:
    """Write ``data`` to a temporary file beside ``path`` and rename it over ``path``.

    Best effort, for caches: an error (a full or read-only disk too) is logged and False
    returned (a missing cache file only costs time later), never raised.
    """
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
        return True
    except OSError as e:
        log.warning("could not write the cache file %s: %s", path, e)
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        return False


def _checksum(kind: bytes, name: str, payload: bytes | memoryview) -> int:
    crc = zlib.crc32(kind)
    crc = zlib.crc32(b"\0" + name.encode() + b"\0", crc)
    return zlib.crc32(payload, crc)


def checked_header(path: Path, kind: str, payload: bytes | memoryview) -> bytes:
    """The header :func:`write_checked` puts before ``payload``, for a file written in parts
    (:mod:`assistant.library.matrix`: a checked part, then rows checked another way)."""
    tag = kind.encode()
    return _HEAD.pack(MAGIC, len(tag)) + tag + _TAIL.pack(len(payload), _checksum(tag, path.name, payload))


def header_size(kind: str) -> int:
    """Bytes of :func:`checked_header` for ``kind``."""
    return _HEAD.size + len(kind.encode()) + _TAIL.size


def map_checked(path: Path, kind: str) -> tuple[mmap.mmap, int, int, os.stat_result] | None:
    """The file at ``path`` memory-mapped, when its header is ``kind``'s and the checked part
    (the ``length`` bytes after the header) matches its CRC: (map, start, length, the file's stat).

    Bytes after the checked part are the caller's to check. None when the file is missing, or
    damaged (logged once and deleted, as :func:`read_checked` does).
    """
    tag = kind.encode()
    try:
        with path.open("rb") as f:
            st = os.fstat(f.fileno())
            mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) if st.st_size else None
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as e:
        _ignore(path, f"it cannot be read ({e})", None)
        return None
    problem = None
    start = _HEAD.size + len(tag) + _TAIL.size
    if mapped is None or len(mapped) < start or mapped[: len(MAGIC)] != MAGIC:
        problem = "it is not a cache file of this version (zeroed, cut short or overwritten)"
    elif mapped[_HEAD.size : _HEAD.size + len(tag)] != tag or mapped[len(MAGIC)] != len(tag):
        problem = f"it is not a {kind} file"
    else:
        length, crc = _TAIL.unpack_from(mapped, _HEAD.size + len(tag))
        if start + length > len(mapped):
            problem = f"it holds {len(mapped) - start} bytes where its header says at least {length}"
        else:
            with memoryview(mapped) as view:
                if _checksum(tag, path.name, view[start : start + length]) != crc:
                    problem = "its checksum does not match (damaged, or another file renamed to it)"
    if problem is None and mapped is not None:
        return mapped, start, length, st
    if mapped is not None:
        mapped.close()
    _ignore(path, problem or "it is empty", st)
    return None


def write_checked(path: Path, kind: str, payload: bytes) -> bool:
    """Write a cache file of ``kind`` (e.g. ``"vectors/2"``) holding ``payload``, atomically.

    Best effort, as :func:`write_atomically`: False (logged) when it could not be written.
    """
    tag = kind.encode()
    head = _HEAD.pack(MAGIC, len(tag)) + tag + _TAIL.pack(len(payload), _checksum(tag, path.name, payload))
    return write_atomically(path, head + payload)


def read_checked(path: Path, kind: str) -> bytes | None:
    """The payload of a cache file written by :func:`write_checked` as ``kind`` at this path.

    None when the file is missing, and when it is unreadable, of another kind, cut short,
    too long, or its checksum differs: then it is logged once and deleted, so that its
    caller's rebuild (from the store) replaces it.
    """
    tag = kind.encode()
    try:
        with path.open("rb") as f:
            data = f.read()
            st = os.fstat(f.fileno())
    except FileNotFoundError:
        return None
    except OSError as e:
        _ignore(path, f"it cannot be read ({e})", None)
        return None
    problem, payload = _check(data, tag, path.name)
    if problem is None:
        return payload
    _ignore(path, problem, st)
    return None


def _check(data: bytes, tag: bytes, name: str) -> tuple[str | None, bytes]:
    """(None, payload) when ``data`` is a whole, matching file; else (what is wrong, b"")."""
    if len(data) < _HEAD.size or data[: len(MAGIC)] != MAGIC:
        return "it is not a cache file of this version (zeroed, cut short or overwritten)", b""
    _, tag_length = _HEAD.unpack_from(data)
    start = _HEAD.size + tag_length + _TAIL.size
    if len(data) < start or data[_HEAD.size : _HEAD.size + tag_length] != tag:
        return f"it is not a {tag.decode()} file", b""
    length, crc = _TAIL.unpack_from(data, _HEAD.size + tag_length)
    payload = data[start:]
    if len(payload) != length:
        return f"it holds {len(payload)} bytes where its header says {length}", b""
    if _checksum(tag, name, payload) != crc:
        return "its checksum does not match (damaged, or another file of its kind renamed to it)", b""
    return None, payload


def discard(path: Path, problem: str, st: os.stat_result | None = None) -> None:
    """Ignore an intact cache file whose contents its reader refuses: logged once, deleted
    (``st``: the version that was read; a file written since is kept)."""
    if st is None:
        try:
            st = path.stat()
        except OSError:
            st = None
    _ignore(path, problem, st)


def _ignore(path: Path, problem: str, st: os.stat_result | None) -> None:
    """Log a damaged file once and delete it, unless another writer replaced it since it was read.

    Once per file version: a cache that cannot be deleted (read-only) is not logged at every
    read, and a file damaged again after its rebuild is logged again.
    """
    version = None if st is None else (st.st_ino, st.st_size, st.st_mtime_ns)
    key = (str(path), problem, version)
    with _warned_lock:
        first = key not in _warned
        _warned.add(key)
    if first:
        log.warning("ignoring the cache file %s: %s; rebuilding it from the store", path, problem)
    if st is not None:
        with contextlib.suppress(OSError):  # read-only cache: ignored each time, logged once
            if path.stat().st_ino == st.st_ino:  # a rename since our read brought a new file: keep it
                path.unlink()
