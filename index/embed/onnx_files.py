"""The ONNX export's files in the cache: made once, written atomically, trusted only when intact.

torch's ONNX exporter is not re-entrant, and threads and processes that start
with an empty cache dir all want the export at once: :func:`exclusive` lets
one make it (a process-wide lock, then an ``flock`` in the folder) while the
others wait and then find it. :func:`make` writes a model file to a temporary
name, renames it and writes its record (SHA-256, size, times) last, so a kill
at any point leaves nothing a later run trusts; :func:`intact` checks a file
against its record. A full or read-only disk is one package error
(:func:`write_error`), never a raw ``OSError``, and leaves no file behind.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from index.errors import ArticleAssistantError, ConfigError, DiskFullError
from index.faults import disk_problem


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def intact(path: Path, record_path: Path) -> bool:
    """Whether ``path`` holds the bytes its record describes.

    By size, inode and modification and change times when the record has them (hashing the
    90 MB export was 0.07-0.3 s of every cold start): any write to the file, even one that
    puts its mtime back, moves its ctime, which no one can set. Else by SHA-256, after which
    the record gains them. False when either file is missing, unreadable or damaged.
    """
    try:
        record = json.loads(record_path.read_text())
        st = path.stat()
        if all(record.get(k) == v for k, v in _stamp(st).items()):
            return True
        if record.get("sha256") != sha256_file(path):
            return False
    except (OSError, ValueError, AttributeError):
        return False
    with contextlib.suppress(OSError):  # a read-only cache stays valid, just slower to check
        _write_record(record_path, record, path)
    return True


def _stamp(st: os.stat_result) -> dict[str, int]:
    return {"size": st.st_size, "inode": st.st_ino, "mtime_ns": st.st_mtime_ns, "ctime_ns": st.st_ctime_ns}


def _write_record(record_path: Path, record: dict[str, Any], path: Path) -> None:
    """Write the record of ``path`` (its checksum and more), with its size and times."""
    record = {**record, **_stamp(path.stat())}
    fd, tmp = tempfile.mkstemp(dir=record_path.parent, suffix=".json.tmp")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(json.dumps(record, indent=2))
        os.replace(tmp, record_path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


#: torch's ONNX exporter is not re-entrant (two threads at once fail with
#: ``GLOBALS.in_onnx_export must be True``): one export or quantisation at a time in this
#: process, whatever the cache dir. :func:`exclusive` adds a file lock for other processes.
_EXPORT_LOCK = threading.Lock()


@contextlib.contextmanager
def exclusive(folder: Path) -> Iterator[None]:
    """Hold this process's export lock, then an exclusive ``flock`` on ``folder/export.lock``.

    The kernel drops the file lock when its holder dies, so a killed exporter never blocks
    the next one; its temporary files (only a lock holder writes any) are removed here.
    """
    with _EXPORT_LOCK:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            lock = (folder / "export.lock").open("a+b")
        except OSError as e:
            raise (write_error(e, folder) or e) from e
        with lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            remove_leftovers(folder)
            yield


def remove_leftovers(folder: Path) -> None:
    """Delete the temporary files (``*.tmp``) in ``folder``: only the lock holder writes any."""
    for leftover in folder.glob("*.tmp"):
        with contextlib.suppress(OSError):
            leftover.unlink()


def make(out: Path, record_path: Path, write: Callable[[str], dict[str, Any]], needs: int = 0) -> None:
    """``write(tmp)`` a model file beside ``out``, rename it to ``out``, then write its record.

    The old record goes first and the new one last, so at every instant (and after a kill)
    a record only ever describes the bytes beside it; on a failure nothing of it is kept.
    ``needs`` is about the room the write takes: a failure (whatever the library raised: an
    ONNX writer may cut a file short without a word) with less free than that is a full disk.
    """
    fd, tmp = tempfile.mkstemp(dir=out.parent, suffix=".onnx.tmp")
    os.close(fd)
    try:
        record = {**write(tmp), "sha256": sha256_file(Path(tmp))}
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())  # the bytes are on disk before a record can vouch for them
        record_path.unlink(missing_ok=True)
        os.replace(tmp, out)
        _write_record(record_path, record, out)
    except Exception as e:
        for partial in (record_path, out):
            with contextlib.suppress(OSError):
                partial.unlink()
        remove_leftovers(out.parent)
        mapped = write_error(e, out.parent) or _short_of_room(out.parent, needs)
        if mapped is None:
            raise
        raise mapped from e
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def _short_of_room(folder: Path, needs: int) -> DiskFullError | None:
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return None
    return _full(folder) if free < needs else None


def _full(folder: Path) -> DiskFullError:
    return DiskFullError(
        f"The disk holding {folder} is full: free some space and retry (the embedding "
        "model's ONNX files need about 210 MB there while they are made; nothing half-written was kept)."
    )


#: errno values that mean the disk cannot take the file (full, or the user's quota is).
_DENIED = {errno.EACCES, errno.EPERM}


def write_error(e: BaseException, folder: Path) -> ArticleAssistantError | None:
    """The package error for a failed write of the export in ``folder``; None if not a disk's refusal.

    torch and onnx may wrap the OSError, and torch's C++ writer reports a full disk only in
    its message: :func:`index.faults.disk_problem` reads the whole cause chain. A folder that
    is not ours to write (permissions) is a configuration problem, said the same way.
    """
    problem = disk_problem(e)
    if problem == "full":
        return _full(folder)
    denied = next((c for c in _chain(e) if isinstance(c, OSError) and c.errno in _DENIED), None)
    if problem == "read-only" or denied is not None:
        reason = os.strerror(denied.errno) if denied is not None and denied.errno else "read-only"
        return ConfigError(
            f"Cannot write the embedding model's ONNX files to {folder} ({reason}). "
            "Make it writable, or set ARTICLE_ASSISTANT_CACHE_DIR to a writable folder."
        )
    return None


def _chain(e: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    cause: BaseException | None = e
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        yield cause
        cause = cause.__cause__ or cause.__context__
