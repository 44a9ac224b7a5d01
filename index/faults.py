"""Turn the ways Chroma and the operating system fail into the package's store errors.

Chroma reports a full disk in several shapes: an ``OSError`` (ENOSPC), SQLite's
"database or disk is full" inside a ``chromadb.errors.InternalError``, or the
same text in a server's HTTP error. A Chroma server that went away surfaces as
``httpx.ConnectError``/``ReadError`` (sometimes wrapped). Users get one
:class:`~index.errors.DiskFullError` or :class:`~index.errors.StoreUnavailableError`
naming the place and what to do, never these.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator

from index.errors import DiskFullError, StoreError, StoreUnavailableError

_DISK_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS}
_READ_ONLY_TEXT = ("read-only file system", "readonly database", "(code: 8)")
_FULL_TEXT = ("database or disk is full", "no space left on device", "disk quota exceeded", "(code: 13)")
_GONE_TEXT = ("could not connect to a chroma server", "connection refused", "server disconnected",
              "connection reset")


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def disk_problem(error: BaseException) -> str | None:
    """"full" or "read-only" when ``error`` (or what caused it) says the disk refused a write."""
    for e in _chain(error):
        if isinstance(e, OSError) and e.errno in _DISK_ERRNOS:
            return "read-only" if e.errno == errno.EROFS else "full"
        text = str(e).lower()
        if any(t in text for t in _READ_ONLY_TEXT):
            return "read-only"
        if any(t in text for t in _FULL_TEXT):
            return "full"
    return None


def server_gone(error: BaseException) -> bool:
    """True when ``error`` (or what caused it) is a connection to a server that failed."""
    import httpx

    for e in _chain(error):
        if isinstance(e, httpx.TransportError | ConnectionError):
            return True
        if any(t in str(e).lower() for t in _GONE_TEXT):
            return True
    return False


def store_fault(error: BaseException, where: str, server: bool, outcome: str) -> StoreError | None:
    """The store error a user should see for ``error``, or None when it is none of these faults.

    ``where`` is the data dir or the server URL; ``outcome`` says what became of the
    write (e.g. "nothing was stored"), so the message tells the whole story.
    """
    if isinstance(error, StoreError):
        return error
    problem = disk_problem(error)
    if problem is not None:
        place = f"The disk of the Chroma server at {where}" if server else f"The disk holding {where}"
        if problem == "read-only":
            return DiskFullError(f"{place} is read-only: make it writable and retry; {outcome}.")
        return DiskFullError(f"{place} is full: free some space and retry; {outcome}.")
    if server and server_gone(error):
        return StoreUnavailableError(
            f"The Chroma server at {where} cannot be reached or broke off ({type(error).__name__}: "
            f"{error}); {outcome}. Start it (`chroma run --path DIR --host 127.0.0.1 --port N`) "
            "or wait for it to come back, then retry."
        )
    return None
