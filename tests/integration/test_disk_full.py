"""A full disk under the data dir: a clear error, nothing stored, and the store stays readable.

A real filesystem that fills up: a small tmpfs (root mounts one; skipped where it cannot).
Only the data dir is on it; the cache files' own full-disk handling is tested elsewhere.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import KIRBY_QUESTION, ROOT, SEED


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=12m", "tmpfs", str(mount)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)  # lazy: this process's Chroma holds files


def _fill(disk: Path) -> Path:
    """Write a file until the filesystem says ENOSPC; the file, to delete to free the space."""
    path = disk / "filler"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, b"\0" * 65536)
    except OSError as e:
        assert e.errno == errno.ENOSPC
    with contextlib.suppress(OSError):
        while True:
            os.write(fd, b"\0" * 512)
    os.close(fd)
    return path


def _article(n: int) -> str:
    return "\n\n".join(
        [f"Grain report {n}", ""]
        + [f"On day {i} the mill of town {n} ground {i * n} sacks and sold {i + n}." for i in range(1, 200)]
    )


def test_a_full_disk_refuses_the_add_clearly_and_the_store_stays_readable(small_disk, tmp_path, embedder):
    from assistant.api import Assistant
    from assistant.settings import Settings
    from index.errors import DiskFullError

    data, cache = small_disk / "data", tmp_path / "cache"
    assistant = Assistant(Settings(data_dir=data, cache_dir=cache), embedder=embedder)
    seed = assistant.add(SEED).article
    filler = _fill(small_disk)
    big = tmp_path / "grain.txt"
    big.write_text(_article(1), encoding="utf-8")

    with pytest.raises(DiskFullError) as refused:
        assistant.add(big)
    message = str(refused.value)
    assert f"The disk holding {data}" in message and "is full" in message and "nothing was stored" in message
    assert [a.id for a in assistant.articles()] == [seed.id]

    # Other processes open the store on the full disk: every read works, nothing is printed raw.
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ARTICLE_ASSISTANT_DATA_DIR": str(data),
           "ARTICLE_ASSISTANT_CACHE_DIR": str(cache)}
    reads = (("list",), ("show", seed.id), ("ask", KIRBY_QUESTION),
             ("ask", KIRBY_QUESTION, "--article", seed.id))
    for args in reads:
        done = subprocess.run([sys.executable, "-m", "assistant", *args], env=env, capture_output=True,
                              text=True, timeout=300, check=False)
        assert done.returncode == 0 and "Traceback" not in done.stderr, (args, done.stderr)
        if args[0] == "ask":
            assert "John Kirby" in done.stdout
    added = subprocess.run([sys.executable, "-m", "assistant", "add", str(big)], env=env,
                           capture_output=True, text=True, timeout=300, check=False)
    assert added.returncode != 0 and "error: The disk holding" in added.stderr, added.stderr
    assert "Traceback" not in added.stderr

    filler.unlink()  # space again: the next add works, in this process (a long-running `serve`)
    # and in the user's next command. The client that met the full disk was seen to hang on its
    # next write (in SQLite's busy wait, inside Chroma's Rust core): the store reopens it now.
    again = tmp_path / "grain2.txt"
    again.write_text(_article(2), encoding="utf-8")
    assert assistant.add(again).created
    added = subprocess.run([sys.executable, "-m", "assistant", "add", str(big)], env=env,
                           capture_output=True, text=True, timeout=300, check=False)
    assert added.returncode == 0 and "added:" in added.stdout, added.stderr
    listed = subprocess.run([sys.executable, "-m", "assistant", "list", "--json"], env=env,
                            capture_output=True, text=True, timeout=300, check=False)
    assert listed.returncode == 0 and len(json.loads(listed.stdout)) == 3, listed.stderr
    # The failed adds' leftovers were cleaned up by the later writes: the store is consistent.
    checked = subprocess.run([sys.executable, "-m", "assistant", "check", "--json"], env=env,
                             capture_output=True, text=True, timeout=300, check=False)
    assert checked.returncode == 0, checked.stderr
    assert json.loads(checked.stdout)["consistent"] is True, checked.stdout
