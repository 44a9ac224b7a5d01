"""Helpers and constants shared by the test suites."""

from __future__ import annotations

import contextlib
import dataclasses
import http.server
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TypeVar

import pytest

from evals.bench_server import stop  # noqa: F401  (re-exported: the tests stop their services with it)

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "articles" / "cluster-munitions-dallas-express.txt"
KIRBY_QUESTION = "Who said cluster munitions are effective?"
S = TypeVar("S", bound=http.server.HTTPServer)


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


@dataclasses.dataclass(frozen=True)
class Page:
    """What :func:`static_site` serves at one path."""

    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200


@contextlib.contextmanager
def serving(server: S) -> Iterator[S]:
    """Run ``server`` in a daemon thread until the block ends, then stop it and close its socket."""
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def static_site(pages: Mapping[str, Page]) -> Iterator[str]:
    """A loopback HTTP server serving ``pages`` by path and query (404 for any other); yields its URL."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
            page = pages.get(self.path, Page(b"not here", "text/plain", 404))
            self.send_response(page.status)
            self.send_header("Content-Type", page.content_type)
            self.send_header("Content-Length", str(len(page.body)))
            self.end_headers()
            self.wfile.write(page.body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    with serving(server):
        yield f"http://127.0.0.1:{server.server_address[1]}"
