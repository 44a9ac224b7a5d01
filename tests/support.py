"""Helpers and constants shared by the test suites."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "articles" / "cluster-munitions-dallas-express.txt"
KIRBY_QUESTION = "Who said cluster munitions are effective?"


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(check: Callable[[], object], timeout: float, what: str) -> None:
    """Poll ``check`` until it returns truthy without raising, or fail the test."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception as e:  # the service is still starting
            last = e
        time.sleep(0.2)
    pytest.fail(f"{what} did not come up within {timeout:.0f}s (last error: {last})")


def stop(proc: subprocess.Popen[bytes], timeout: float = 15) -> None:
    """Terminate a service the tests started; kill it if it does not exit in time."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextlib.contextmanager
def tmpfs(path: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` (e.g. ``"20m"``) mounted at ``path``: a small disk that fills for real.

    Skips the test where mounting is not allowed (not root, no mount namespace rights).
    """
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True, text=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {done.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True, check=False)
