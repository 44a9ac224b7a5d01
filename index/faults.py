"""What other libraries raise, as the package's errors: one place that knows their shapes.

Chroma's HTTP client raises ``httpx`` errors (a server that is down, or died
mid-call) and ``chromadb.errors`` (a server or an embedded store that failed);
the embedded store's SQLite raises ``sqlite3.OperationalError``; a full disk
raises ``OSError``. A user should see none of those, only what went wrong and
what to do. :func:`translate` reads an exception and its causes and returns
the :class:`~index.errors.ArticleAssistantError` to raise instead (``raise
translate(e) from e``), or None for an exception it does not know: a bug,
which must keep its traceback.

The modules are looked up in ``sys.modules``, never imported: an exception
cannot come from a library that was not loaded, and importing chromadb to
check would cost a second.
"""

from __future__ import annotations

import errno
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

from index.errors import ArticleAssistantError, DiskFullError, StoreError, StoreUnavailableError

#: HTTP answers of a proxy or a server that is starting or overloaded: worth another try.
_BUSY = (502, 503, 504)


def translate(
    error: BaseException, *, server: str | None = None, folder: Path | None = None
) -> ArticleAssistantError | None:
    """The package error for ``error`` (itself, when it already is one), or None when unknown.

    ``server`` is the Chroma server's URL (None: the embedded store) and ``folder`` the data
    folder, named in messages when the exception does not say which file it was.
    """
    chain = list(_causes(error))
    # A full disk is the most useful thing to say, wherever in the chain it shows: Chroma and
    # SQLite report it as their own error, and a store cleanup that failed on it hides the first.
    refusal = _disk_refusal(error)
    if refusal is not None and refusal[0] == "full":
        if isinstance(error, DiskFullError):
            return error
        link = refusal[1]
        return DiskFullError(
            f"The disk holding {_where(link, folder)} is full ({_one_line(link)}). "
            "Free some space (or raise the quota), then retry."
        )
    # A store error raised on a transport failure says so already; the class says it may be retried.
    upgradable = isinstance(error, StoreError) and not isinstance(error, StoreUnavailableError)
    if upgradable and any(_is_transport(link) for link in chain):
        return StoreUnavailableError(str(error))
    if isinstance(error, ArticleAssistantError):
        return error
    for link in chain:
        found = _known(link, server, folder)
        if found is not None:
            return found
    return None


def _known(error: BaseException, server: str | None, folder: Path | None) -> ArticleAssistantError | None:
    if _is_transport(error):
        return _unavailable(error, server)
    httpx = sys.modules.get("httpx")
    if httpx is not None and isinstance(error, httpx.HTTPStatusError):
        status = error.response.status_code
        where = f"The Chroma server at {server}" if server else "A server"
        message = f"{where} answered HTTP {status}. Check its log, then retry."
        return StoreUnavailableError(message) if status in _BUSY else StoreError(message)
    chroma = sys.modules.get("chromadb.errors")
    if chroma is not None and isinstance(error, chroma.ChromaError):
        detail = f"{type(error).__name__}: {_one_line(error)}"
        if isinstance(error, chroma.RateLimitError):
            return StoreUnavailableError(f"The vector store is rate-limiting ({detail}). Retry in a moment.")
        advice = "See the Chroma server's log" if server else "Run `article-assistant check`"
        return StoreError(f"The vector store failed ({detail}). {advice}, then retry.")
    if isinstance(error, sqlite3.Error):
        readonly = "readonly" in str(error).lower()
        if readonly:
            return StoreError(_read_only(folder or Path("the data folder")))
        return StoreError(
            f"The store's database in {folder or 'the data folder'} failed ({_one_line(error)}). "
            "Run `article-assistant check`, then retry."
        )
    if isinstance(error, ConnectionError | TimeoutError):  # sockets are OSErrors too
        return _unavailable(error, server)
    if isinstance(error, OSError):
        path = _where(error, folder)
        if error.errno == errno.EROFS:
            return StoreError(_read_only(path))
        return StoreError(
            f"Cannot read or write {path} ({error.strerror or _one_line(error)}). "
            "Check that the data and cache folders exist and are writable, then retry."
        )
    return None


def _unavailable(error: BaseException, server: str | None) -> StoreUnavailableError:
    detail = f"{type(error).__name__}: {_one_line(error)}"
    if server is None:
        return StoreUnavailableError(f"A server could not be reached ({detail}). Retry in a moment.")
    return StoreUnavailableError(
        f"The Chroma server at {server} cannot be reached or stopped answering ({detail}). "
        "Check that it is running (`chroma run --path DIR --host 127.0.0.1 --port N`) and that "
        "--chroma-url is right, then retry."
    )


def _read_only(path: Path | str) -> str:
    return (
        f"Cannot write {path}: the filesystem is read-only. Give a writable folder "
        "(--data-dir, or ARTICLE_ASSISTANT_CACHE_DIR for the cache), then retry."
    )


def _is_transport(error: BaseException) -> bool:
    httpx = sys.modules.get("httpx")
    return httpx is not None and isinstance(error, httpx.TransportError)


def _causes(error: BaseException) -> Iterator[BaseException]:
    """The error, then what it was raised from or while handling, outermost first."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen and len(seen) < 20:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _where(error: BaseException, folder: Path | None) -> str:
    name = getattr(error, "filename", None)
    if name:
        return str(name)
    return str(folder) if folder is not None else "the data or cache folder"


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= 200 else text[:197] + "…"


# -- the disk's refusals, and faults inside the store's own writes (index.writes, index.clients) --

_DISK_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS}
#: Texts of a refusal in messages that lost their errno: SQLite (result codes 8 and 13),
#: Chroma's Rust core ("os error 28") and torch's C++ writer.
_READ_ONLY_TEXT = ("read-only file system", "readonly database", "(code: 8)")
_FULL_TEXT = ("database or disk is full", "no space left", "disk quota exceeded", "(code: 13)",
              "os error 28")
_GONE_TEXT = ("could not connect to a chroma server", "connection refused", "server disconnected",
              "connection reset")


def disk_problem(error: BaseException) -> str | None:
    """"full" or "read-only" when ``error`` (or what caused it) says the disk refused a write.

    The one classifier of the package: the store, the caches and the ONNX export all ask it.
    """
    found = _disk_refusal(error)
    return None if found is None else found[0]


def _disk_refusal(error: BaseException) -> tuple[str, BaseException] | None:
    """The refusal and the link of the cause chain that says so."""
    for e in _causes(error):
        if isinstance(e, OSError) and e.errno in _DISK_ERRNOS:
            return ("read-only" if e.errno == errno.EROFS else "full"), e
        text = str(e).lower()
        if any(t in text for t in _READ_ONLY_TEXT):
            return "read-only", e
        if any(t in text for t in _FULL_TEXT):
            return "full", e
    return None


def server_gone(error: BaseException) -> bool:
    """True when ``error`` (or what caused it) is a connection to a server that failed."""
    for e in _causes(error):
        if _is_transport(e) or isinstance(e, ConnectionError):
            return True
        if any(t in str(e).lower() for t in _GONE_TEXT):
            return True
    return False


def store_fault(error: BaseException, where: str, server: bool, outcome: str) -> StoreError | None:
    """The store error a user should see for ``error`` raised inside a store write, or None when it
    is none of these faults.

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
