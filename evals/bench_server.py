"""A ``chroma run`` server over a benchmark's store, on a free loopback port, for the server-mode pass."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _executable() -> str:
    beside_python = Path(sys.executable).parent / "chroma"
    found = str(beside_python) if beside_python.exists() else shutil.which("chroma")
    if not found:
        raise RuntimeError("the `chroma` command (from the chromadb package) is not installed")
    return found


@contextmanager
def chroma_server(path: Path, log: Path) -> Iterator[tuple[str, int]]:
    """``chroma run --path PATH`` on 127.0.0.1; yields its URL and process ID, stops it after."""
    import httpx

    port = _free_port()
    with log.open("w") as out:
        proc = subprocess.Popen(
            [_executable(), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 120
            while True:
                try:
                    if httpx.get(f"{url}/api/v2/heartbeat", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"chroma run did not come up; see {log}")
                time.sleep(0.2)
            yield url, proc.pid
        finally:
            stop(proc, 15)


def stop(proc: subprocess.Popen[Any], timeout: float = 15) -> None:
    """Terminate a server a bench or a test started; kill it if it has not exited after ``timeout`` s."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def peak_rss_mb(pid: int | str = "self") -> float | None:
    """A running process's peak resident memory (VmHWM), in MB; None where /proc does not say."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None
