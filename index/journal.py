"""The write journal: which adds and removes are under way, and whether their writer still lives.

Every add and every remove writes one journal entry before it touches the store
and deletes it when done. An entry names its owner (host, boot, PID namespace,
PID and the process's start time), so that a process opening the store can
tell a crash from a live writer: only a dead owner's leftovers are cleaned up.
A single shared "pending" slot could not: any reader took a live add for a
crash and deleted its passages.

The entries are rows of a third Chroma collection (``<prefix>journal``), so
the journal works the same for the embedded store and for a Chroma server,
and writers never race on one metadata record: each adds and deletes its own
row.

Liveness, by where the owner ran:

* this host, same boot and PID namespace: alive when a process with that PID
  and that start time exists (``/proc/<pid>/stat``; a reused PID has another
  start time). In this very process, alive while the write is in flight.
* another host, boot or PID namespace (a Chroma server shared by machines or
  containers): this process cannot see it, so the entry counts as alive until
  it is :data:`FOREIGN_AGE_S` old. An add or remove takes seconds to minutes;
  a writer suspended for longer than that may find its passages cleaned up, and
  ``check`` then reports the article as missing passages.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

#: An entry written elsewhere counts as a crash only once it is this old (24 hours).
FOREIGN_AGE_S = 24 * 3600.0

#: Tokens of the entries this process is writing now (shared by every store object in it).
_IN_FLIGHT: set[str] = set()
_IN_FLIGHT_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True)
class Owner:
    """The process that wrote a journal entry."""

    host: str
    boot: str
    pidns: str
    pid: int
    started: int

    def is_here(self) -> bool:
        """True when this process can see the owner's process table (same host, boot, PID namespace)."""
        me = current_owner()
        return (self.host, self.boot, self.pidns) == (me.host, me.boot, me.pidns)


@dataclass(frozen=True, slots=True)
class Entry:
    """One add or remove under way: its operation, article IDs, owner and start (Unix time)."""

    token: str
    op: str
    article_ids: tuple[str, ...]
    owner: Owner
    at: float


def _read(path: str) -> str:
    try:
        with open(path, encoding="ascii", errors="replace") as f:
            return f.read().strip()
    except OSError:
        return ""


def start_time(pid: int) -> int | None:
    """The start time of process ``pid`` (clock ticks after boot); None when there is no such process.

    Field 22 of ``/proc/<pid>/stat``, counted after the command name, which may hold spaces.
    Where there is no ``/proc``, 0 for any process that exists (PID reuse is then not detected).
    """
    stat = _read(f"/proc/{pid}/stat")
    if stat:
        return int(stat.rpartition(")")[2].split()[19])
    if os.path.isdir("/proc/self"):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return 0
    return 0


@functools.cache
def _machine() -> tuple[str, str, str]:
    pidns = ""
    with contextlib.suppress(OSError):  # no /proc: PID namespaces cannot be told apart
        pidns = os.readlink("/proc/self/ns/pid")
    return socket.gethostname(), _read("/proc/sys/kernel/random/boot_id"), pidns


def current_owner() -> Owner:
    """This process as a journal owner (the PID is read each time: a fork is another owner)."""
    host, boot, pidns = _machine()
    pid = os.getpid()
    return Owner(host, boot, pidns, pid, start_time(pid) or 0)


def is_live(entry: Entry, now: float | None = None) -> bool:
    """Whether ``entry``'s writer may still be writing (see the module docstring)."""
    owner = entry.owner
    if not owner.is_here():
        return (now if now is not None else time.time()) - entry.at < FOREIGN_AGE_S
    if owner.pid == os.getpid():
        with _IN_FLIGHT_LOCK:
            return entry.token in _IN_FLIGHT
    return start_time(owner.pid) == owner.started


class Journal:
    """The journal rows of one store, in a Chroma collection created on first write."""

    def __init__(self, client: Any, name: str) -> None:
        self._client = client
        self.name = name
        self._collection: Any = None

    def _find(self, create: bool) -> Any:
        if self._collection is None:
            from chromadb.errors import NotFoundError

            if create:
                self._collection = self._client.get_or_create_collection(self.name, embedding_function=None)
            else:
                try:
                    self._collection = self._client.get_collection(self.name, embedding_function=None)
                except NotFoundError:  # a store no write of this release has touched yet
                    return None
        return self._collection

    def entries(self) -> list[Entry]:
        """Every entry, oldest first (a read only: opening a store writes nothing)."""
        collection = self._find(create=False)
        if collection is None:
            return []
        got = collection.get(include=["metadatas"])
        out = []
        for token, meta in zip(got["ids"], got["metadatas"], strict=True):
            owner = Owner(str(meta.get("host", "")), str(meta.get("boot", "")), str(meta.get("pidns", "")),
                          int(meta.get("pid", 0)), int(meta.get("started", 0)))
            out.append(Entry(token, str(meta.get("op", "add")), tuple(str(meta.get("ids", "")).split()),
                             owner, float(meta.get("at", 0.0))))
        return sorted(out, key=lambda e: e.at)

    def begin(self, op: str, article_ids: Sequence[str]) -> str:
        """Record that this process starts ``op`` ("add" or "remove") on ``article_ids``; its token."""
        token = uuid.uuid4().hex
        owner = current_owner()
        with _IN_FLIGHT_LOCK:
            _IN_FLIGHT.add(token)
        try:
            self._find(create=True).add(
                ids=[token],
                embeddings=[[1.0]],  # Chroma wants a vector per row; the journal needs none
                metadatas=[{
                    "op": op, "ids": " ".join(article_ids), "host": owner.host, "boot": owner.boot,
                    "pidns": owner.pidns, "pid": owner.pid, "started": owner.started, "at": time.time(),
                }],
            )
        except BaseException:
            self.forget(token)
            raise
        return token

    def forget(self, token: str) -> None:
        """This process no longer writes under ``token``: its entry, if still there, is a leftover."""
        with _IN_FLIGHT_LOCK:
            _IN_FLIGHT.discard(token)

    def end(self, token: str) -> None:
        """Delete the entry: its write finished (or was cleaned up)."""
        self.forget(token)
        collection = self._find(create=False)
        if collection is not None:
            collection.delete(ids=[token])
