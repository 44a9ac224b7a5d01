"""Chroma clients: embedded in a data dir or a server's, a fresh embedded one, and cheap peeks.

Split from :mod:`index.store`, which re-exports these names.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from index.errors import ConfigError, StoreUnavailableError
from index.names import DEFAULT_DATABASE, DEFAULT_PREFIX, DEFAULT_TENANT

log = logging.getLogger(__name__)


def peek_generation(data_dir: Path, tenant: str, database: str, prefix: str = DEFAULT_PREFIX) -> str | None:
    """The generation stamp of the embedded store in ``data_dir``, read from Chroma's SQLite file
    without importing chromadb (1.2 s of a cold ``list``), read-only.

    None when it cannot be read this way (no store yet, no stamp, a layout this code does not
    know): the caller then opens the store as usual. Only a shortcut: a caller that trusts what it
    saved at this stamp sees exactly what the store would tell it (the stamp changes on every write).
    """
    import sqlite3

    path = data_dir / "chroma.sqlite3"
    if not path.is_file():
        return None
    try:
        uri = f"{path.resolve().as_uri()}?mode=ro"
        with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=1)) as db:
            row = db.execute(
                "SELECT m.str_value FROM collection_metadata m JOIN collections c ON m.collection_id = c.id "
                "JOIN databases d ON c.database_id = d.id "
                "WHERE c.name = ? AND d.name = ? AND d.tenant_id = ? AND m.key = 'generation'",
                (prefix + "articles", database, tenant),
            ).fetchone()
    except sqlite3.Error as e:
        log.debug("could not peek at %s: %s", path, e)
        return None
    return str(row[0]) if row and row[0] else None


def make_client(
    data_dir: Path | None = None,
    url: str | None = None,
    tenant: str = DEFAULT_TENANT,
    database: str = DEFAULT_DATABASE,
) -> Any:
    """Build a Chroma client from exactly one of a data dir or a server URL.

    The tenant and database are created when missing, so that deployments
    sharing one Chroma server each keep their library apart.
    """
    if (data_dir is None) == (url is None):
        raise ConfigError("Give the store exactly one of a data dir or a Chroma server URL.")
    import chromadb
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False)
    if url is not None:
        host, port, ssl = _server_address(url)
        try:
            admin = chromadb.AdminClient(Settings(
                anonymized_telemetry=False,
                chroma_api_impl="chromadb.api.fastapi.FastAPI",
                chroma_server_host=host,
                chroma_server_http_port=port,
                chroma_server_ssl_enabled=ssl,
            ))
            try:
                _ensure_namespace(admin, tenant, database)
            finally:
                _release_admin(admin)
            client = chromadb.HttpClient(
                host=host, port=port, ssl=ssl, settings=settings, tenant=tenant, database=database
            )
            client.heartbeat()
        except Exception as e:
            raise StoreUnavailableError(
                f"Cannot reach the Chroma server at {url} ({e}). Start it with "
                "`chroma run --path DIR --host 127.0.0.1 --port N`, or leave the URL "
                "unset to use the embedded store."
            ) from e
        return client
    assert data_dir is not None
    data_dir.mkdir(parents=True, exist_ok=True)
    if (tenant, database) != (DEFAULT_TENANT, DEFAULT_DATABASE):
        admin = chromadb.AdminClient(Settings(anonymized_telemetry=False, is_persistent=True,
                                              persist_directory=str(data_dir)))
        try:
            _ensure_namespace(admin, tenant, database)
        finally:
            _release_admin(admin)
    return _persistent(data_dir, str(data_dir), tenant, database)


#: A file of this many bytes kept in the data dir: Chroma needs a few KB free just to open its
#: database, so on a disk filled to the last byte the store gives this back, opens, and stays
#: readable. Made again by the next open that finds room.
RESERVE = ".article-assistant-reserve"
RESERVE_BYTES = 256 * 1024


def _persistent(data_dir: Path, key: str, tenant: str, database: str) -> Any:
    """``chromadb.PersistentClient`` on ``data_dir`` (under the cache key ``key``), opening on a full disk."""
    import chromadb
    from chromadb.api.shared_system_client import SharedSystemClient
    from chromadb.config import Settings

    from index.faults import disk_problem, store_fault

    def open_client() -> Any:
        return chromadb.PersistentClient(
            path=key, settings=Settings(anonymized_telemetry=False), tenant=tenant, database=database
        )

    reserve = data_dir / RESERVE
    try:
        client = open_client()
    except Exception as e:
        if disk_problem(e) is None:
            raise
        try:
            if not reserve.exists():
                raise
            log.warning("the disk holding %s is full: giving back the space kept in reserve to open "
                        "the store", data_dir)
            reserve.unlink()
            # Chroma cached the system that failed to start under this key: the retry needs a new one.
            SharedSystemClient._identifier_to_system.pop(key, None)
            return open_client()
        except Exception as again:
            raise store_fault(again, str(data_dir), False, "nothing was changed") or again from e
    if not reserve.exists():
        try:
            with open(reserve, "wb") as f:
                f.write(b"\0" * RESERVE_BYTES)
        except OSError as e:  # no room for it now: the next open tries again
            log.debug("could not keep %s: %s", reserve, e)
            with contextlib.suppress(OSError):
                reserve.unlink()
    return client


def place_of(client: Any, server: bool) -> str:
    """Where the store lives, for messages: the data dir, or the server's URL."""
    try:
        settings = client.get_settings()
    except Exception:  # a client without settings (a test double): messages say less
        return "the store"
    if server:
        scheme = "https" if settings.chroma_server_ssl_enabled else "http"
        return f"{scheme}://{settings.chroma_server_host}:{settings.chroma_server_http_port}"
    return str(settings.persist_directory).rstrip("/") or "the store"


def recorded_embedder(client: Any, prefix: str = DEFAULT_PREFIX) -> str | None:
    """The embedder name a store under ``prefix`` recorded; None when there is no store there yet."""
    from chromadb.errors import NotFoundError

    try:
        collection = client.get_collection(prefix + "articles", embedding_function=None)
    except NotFoundError:
        return None
    value = (collection.metadata or {}).get("embedder")
    return None if value is None else str(value)


def _server_address(url: str) -> tuple[str, int, bool]:
    parsed = urlparse(url)
    if parsed.scheme not in {"http", "https"} or not parsed.hostname:
        raise ConfigError(f"Chroma URL {url!r} is not an http(s) URL such as http://127.0.0.1:8000.")
    if parsed.path not in {"", "/"} or parsed.query:
        # A path would be silently ignored by the client: say where separation belongs.
        raise ConfigError(
            f"Chroma URL {url!r} has a path; Chroma serves from the root. To keep deployments "
            "apart on one server, set store.tenant, store.database or store.collection_prefix "
            "(ARTICLE_ASSISTANT_STORE__DATABASE=…)."
        )
    ssl = parsed.scheme == "https"
    return parsed.hostname, parsed.port or (443 if ssl else 8000), ssl


def _ensure_namespace(admin: Any, tenant: str, database: str) -> None:
    try:
        admin.get_tenant(tenant)
    except Exception:
        admin.create_tenant(tenant)
    try:
        admin.get_database(database, tenant=tenant)
    except Exception:
        admin.create_database(database, tenant=tenant)


#: One reopen at a time in this process: each registers, then unregisters, Chroma's shared system.
_REOPEN_LOCK = threading.Lock()


def fresh_embedded_client(
    data_dir: Path, tenant: str = DEFAULT_TENANT, database: str = DEFAULT_DATABASE
) -> Any:
    """A new embedded client on ``data_dir`` that reads what other processes wrote since.

    Chroma keeps one system per path in a process-wide cache, and a client looks its system
    up there only while it is being built. So the new client is built under a key of its own
    (the path with a trailing separator: the same folder to SQLite and the file system), and
    the key is dropped from the cache at once: nothing but the new client holds its system.
    Clients other threads are using keep theirs untouched (``clear_system_cache()`` tore them
    down: "'RustBindingsAPI' object has no attribute 'bindings'", a KeyError on the path), and
    a replaced client's system is freed with the client, when the last thread lets go of it.
    """
    from chromadb.api.shared_system_client import SharedSystemClient

    key = str(data_dir.resolve()) + os.sep
    with _REOPEN_LOCK:
        try:
            return _persistent(data_dir, key, tenant, database)
        finally:
            SharedSystemClient._identifier_to_system.pop(key, None)
            SharedSystemClient._identifier_to_refcount.pop(key, None)


def close_client(client: Any) -> None:
    """Stop ``client``'s Chroma system now, freeing its files, SQLite connections and HTTP sessions.

    Idempotent. An embedded client that shares its path's system with other clients of this
    process (:func:`make_client`) only gives up its share: the system stops with the last one.
    A client that is not a chromadb client (a test double) is left alone.
    """
    from chromadb.api.shared_system_client import SharedSystemClient

    system = _system_of(client)
    if system is None or getattr(client, "_closed", False):
        return
    # An HttpClient's admin client got a system of its own (a new random identifier each time).
    admin = _system_of(getattr(client, "_admin_client", None))
    if SharedSystemClient._identifier_to_system.get(client._identifier) is system:
        client.close()  # Chroma's own refcounted close
        if client._identifier in SharedSystemClient._identifier_to_system:
            return  # another client of this process still uses the system
    client._closed = True
    for each in {id(s): s for s in (system, admin) if s is not None}.values():
        _stop_system(each)


def _system_of(client: Any) -> Any:
    return getattr(getattr(client, "_server", None), "_system", None)


def release_client(client: Any) -> None:
    """Let a replaced client be freed as soon as the last thread using it lets go of it.

    A Chroma system and its components refer to each other, so a dropped client waited for the
    garbage collector, holding about a dozen descriptors (SQLite, HNSW files) per reopen. This
    breaks that cycle without stopping anything: a thread still reading through the client
    finishes on it. Clients whose system is shared in this process (:func:`make_client`) are left
    to :func:`close_client`.
    """
    from chromadb.api.shared_system_client import SharedSystemClient

    system = _system_of(client)
    if system is None or SharedSystemClient._identifier_to_system.get(client._identifier) is system:
        return
    system._instances.clear()


def _release_admin(admin: Any) -> None:
    """Give up an admin client's share of its system (Chroma's AdminClient has no close())."""
    from chromadb.api.shared_system_client import SharedSystemClient

    system = SharedSystemClient._identifier_to_system.get(admin._identifier)
    SharedSystemClient._release_system(admin._identifier)  # stops the system when it was the last
    if system is not None and admin._identifier not in SharedSystemClient._identifier_to_system:
        _stop_system(system)


def _stop_system(system: Any) -> None:
    """Stop a Chroma system and break its reference cycle; an HTTP client's session is closed too
    (Chroma's FastAPI component does not close it on stop), and no name in Chroma's process-wide
    cache keeps it (``AdminClient.from_system`` files it under one nobody releases)."""
    from chromadb.api.shared_system_client import SharedSystemClient

    known = SharedSystemClient._identifier_to_system
    for name in [name for name, found in list(known.items()) if found is system]:
        known.pop(name, None)
    instances = list(system._instances.values())
    with contextlib.suppress(Exception):  # stopped already (a second stop finds no bindings)
        system.stop()
    for component in instances:
        session = getattr(component, "_session", None)
        if session is not None:
            with contextlib.suppress(Exception):
                session.close()
    system._instances.clear()
