"""index.faults.translate on real failures of each library, and the boundary decorator."""

from __future__ import annotations

import errno
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.boundary import guarded
from index.errors import (
    ArticleAssistantError,
    DiskFullError,
    InputError,
    StoreError,
    StoreUnavailableError,
)
from index.faults import translate
from tests.support import free_port


def raised(action) -> BaseException:  # type: ignore[no-untyped-def]
    try:
        action()
    except BaseException as e:
        return e
    raise AssertionError("nothing was raised")


def test_no_space_on_a_real_device_is_disk_full(tmp_path):
    def write() -> None:
        with open("/dev/full", "wb", buffering=0) as f:
            f.write(b"x")

    error = raised(write)
    assert isinstance(error, OSError) and error.errno == errno.ENOSPC
    found = translate(error, folder=tmp_path)
    assert isinstance(found, DiskFullError) and found.retryable is False
    assert f"The disk holding {tmp_path} is full" in str(found) and "Free some space" in str(found)


def test_sqlite_disk_full_is_disk_full(tmp_path):
    db = sqlite3.connect(tmp_path / "small.db")
    db.execute("PRAGMA max_page_count = 2")  # SQLite's own "database or disk is full"
    error = raised(lambda: db.execute("CREATE TABLE t (x BLOB)").execute(
        "INSERT INTO t VALUES (?)", (b"x" * 100_000,)))
    assert isinstance(error, sqlite3.OperationalError)
    assert isinstance(translate(error, folder=tmp_path), DiskFullError)


def test_a_read_only_database_is_a_store_error_saying_so(tmp_path):
    sqlite3.connect(tmp_path / "ro.db").execute("CREATE TABLE t (x)").connection.commit()
    db = sqlite3.connect(f"file:{tmp_path / 'ro.db'}?mode=ro", uri=True)
    found = translate(raised(lambda: db.execute("INSERT INTO t VALUES (1)")), folder=tmp_path)
    assert type(found) is StoreError and found.retryable is False and "read-only" in str(found)


@pytest.fixture
def read_only_mount(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "ro"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a read-only tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_read_only_filesystem_names_the_path(read_only_mount):
    error = raised(lambda: (read_only_mount / "x").write_text("x"))
    assert isinstance(error, OSError) and error.errno == errno.EROFS
    found = translate(error)
    assert type(found) is StoreError and str(read_only_mount / "x") in str(found)
    assert "read-only" in str(found)


def test_a_refused_connection_is_a_retryable_unavailable_server():
    import httpx

    url = f"http://127.0.0.1:{free_port()}"
    error = raised(lambda: httpx.get(url, timeout=5))
    found = translate(error, server=url)
    assert isinstance(found, StoreUnavailableError) and found.retryable is True
    assert url in str(found) and "chroma run" in str(found)
    # Chroma wraps it (e.g. "Could not connect to tenant"): the cause is what counts.
    try:
        try:
            raise error
        except Exception as e:
            raise ValueError("Could not connect to tenant default_tenant") from e
    except ValueError as wrapped:
        assert isinstance(translate(wrapped, server=url), StoreUnavailableError)
    # A package StoreError raised on a transport failure becomes the retryable kind.
    try:
        try:
            raise error
        except Exception as e:
            raise StoreError(f"Cannot reach the Chroma server at {url}.") from e
    except StoreError as store_error:
        upgraded = translate(store_error, server=url)
        assert isinstance(upgraded, StoreUnavailableError) and str(upgraded) == str(store_error)


def test_a_chroma_error_is_a_store_error(tmp_path):
    import chromadb
    from chromadb.config import Settings

    client = chromadb.PersistentClient(
        path=str(tmp_path / "chroma"), settings=Settings(anonymized_telemetry=False)
    )
    error = raised(lambda: client.get_collection("missing"))
    found = translate(error, folder=tmp_path)
    assert type(found) is StoreError and found.retryable is False
    assert type(error).__name__ in str(found)


def test_package_errors_pass_and_unknown_ones_are_not_translated():
    own = InputError("bad")
    assert translate(own) is own
    assert translate(KeyError("x")) is None


@guarded
class _Thing:
    settings = None

    def full(self) -> None:
        os.write(os.open("/dev/full", os.O_WRONLY), b"x")

    def bug(self) -> None:
        raise KeyError("a bug keeps its type")

    def stream(self) -> Iterator[int]:
        yield 1
        self.full()

    @property
    def broken(self) -> int:
        self.full()
        return 1


def test_guarded_translates_calls_iterations_and_properties_and_leaves_bugs_alone():
    thing = _Thing()
    for action in (thing.full, lambda: list(thing.stream()), lambda: thing.broken):
        error = raised(action)
        assert isinstance(error, DiskFullError) and isinstance(error, ArticleAssistantError)
        assert isinstance(error.__cause__, OSError)  # raised from the original
    assert isinstance(raised(thing.bug), KeyError)


@pytest.fixture
def failing_commands() -> Iterator[None]:
    """Two commands on the real CLI group: one hits a real full device, one has a bug."""
    import click

    from assistant.cli import cli

    @cli.command("fill-device")
    def fill_device() -> None:
        os.write(os.open("/dev/full", os.O_WRONLY), b"x")

    @cli.command("bug")
    def bug() -> None:
        raise KeyError("no such row.")

    try:
        yield
    finally:
        for name in ("fill-device", "bug"):
            cli.commands.pop(name, None)
        assert isinstance(cli, click.Group)


def test_the_cli_maps_what_the_api_did_not_raise_to_one_line(failing_commands, tmp_path):
    from click.testing import CliRunner

    from assistant.cli import cli

    runner = CliRunner()
    full = runner.invoke(cli, ["--data-dir", str(tmp_path), "fill-device"])
    assert full.exit_code == 1
    assert full.stderr.splitlines() == [f"error: The disk holding {tmp_path} is full "
                                        "([Errno 28] No space left on device). Free some space (or raise "
                                        "the quota), then retry."]
    bug = runner.invoke(cli, ["bug"])
    assert bug.exit_code == 1 and len(bug.stderr.splitlines()) == 1
    assert bug.stderr.startswith("error: unexpected KeyError: 'no such row.'") and "-v" in bug.stderr
    assert "Traceback" not in bug.stderr
    # With -v the bug keeps its traceback: the exception itself leaves the command.
    verbose = runner.invoke(cli, ["-v", "bug"])
    assert isinstance(verbose.exception, KeyError)
