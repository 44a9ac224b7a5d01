"""First use of the ONNX embedder from many threads and processes, kills, damage and full disks.

Issue 19, finding 4 and the export's side of findings 3 and 6: with an empty cache dir, threads and
processes that embed at once all succeed with the same vectors and the model is exported once; a
SIGKILL mid-export leaves nothing a later run trusts; a damaged export or int8 file is made again,
not loaded; a full disk is one DiskFullError and leaves no half file. Real torch export, real
onnxruntime, real processes, a real (small) tmpfs.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from index.embed.base import DEFAULT_MODEL
from index.embed.onnx import OnnxEmbedder, _source_key
from index.embed.onnx_files import intact
from index.embed.sentence_transformers import resolve_model_path
from index.errors import DiskFullError
from tests.support import ROOT, tmpfs, wait_until

TEXTS = [
    "Who said cluster munitions are effective?",
    "John Kirby, the National Security Council's coordinator for strategic communications, spoke.",
    "Yes.",
]
ARTICLES = [
    "Council votes on the budget\n\nThe council voted on Monday. The mayor said the budget was fair. "
    "Critics said the plan cut too much from the libraries.",
    "River festival returns\n\nThe river festival returns in June after a two-year pause. Organisers "
    "expect ten thousand visitors. The mayor will open it on Saturday.",
]
#: One process embedding TEXTS with int8 into the cache dir argv[1], saving the vectors to argv[2].
EMBED = (
    "import json, logging, sys\n"
    "from pathlib import Path\n"
    "import numpy as np\n"
    "logging.basicConfig(level=logging.INFO)\n"
    "from index.embed.onnx import OnnxEmbedder\n"
    "embedder = OnnxEmbedder(cache_dir=Path(sys.argv[1]), int8=True)\n"
    "np.save(sys.argv[2], embedder.embed(json.loads(sys.argv[3])))\n"
)
EXPORTED = "to ONNX (once"  # the export's log line


def _folder(cache_dir: Path) -> Path:
    """Where the bundled model's export lives under ``cache_dir`` (the embedder adds ``onnx/``)."""
    return cache_dir / "onnx" / _source_key(resolve_model_path(DEFAULT_MODEL))


def _env() -> dict[str, str]:
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path}


def _embedding(cache_dir: Path, out: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", EMBED, str(cache_dir), str(out), json.dumps(TEXTS)],
        env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


@pytest.fixture(scope="module")
def reference() -> tuple[np.ndarray, np.ndarray, Path]:
    """fp32 and int8 vectors of TEXTS, and the export's folder, from the session's cache dir
    (tests/conftest.py makes it empty at the start of a run, so this is the run's one export)."""
    fp32, int8 = OnnxEmbedder(), OnnxEmbedder(int8=True)
    return fp32.embed(TEXTS), int8.embed(TEXTS), _folder(fp32._cache_dir.parent)


def test_threads_on_an_empty_cache_dir_all_succeed_with_the_same_vectors(tmp_path, reference, caplog):
    from assistant.api import Assistant
    from assistant.settings import Settings

    cache = tmp_path / "cache"
    # The default embedder (int8 ONNX for a new store), loaded at the first add, as in `serve`.
    assistant = Assistant(Settings(data_dir=tmp_path / "data", cache_dir=cache))
    start = threading.Barrier(4)
    vectors: dict[int, np.ndarray] = {}
    errors: list[BaseException] = []

    def add(i: int) -> None:
        start.wait()
        assistant.add_text(ARTICLES[i])

    def embed(i: int) -> None:
        embedder = OnnxEmbedder(cache_dir=cache, int8=True)
        start.wait()
        vectors[i] = embedder.embed(TEXTS)

    def run(work, i: int) -> None:  # type: ignore[no-untyped-def]
        try:
            work(i)
        except BaseException as e:  # reported below, with every other thread's
            errors.append(e)

    caplog.set_level(logging.INFO, logger="index.embed.onnx")
    threads = [threading.Thread(target=run, args=(w, i)) for w in (add, embed) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert len(assistant.articles()) == 2
    assert all(np.array_equal(v, reference[1]) for v in vectors.values()) and len(vectors) == 2
    assert sum(EXPORTED in r.getMessage() for r in caplog.records) == 1


def _lock_waiters(lock_file: Path) -> int:
    """How many processes wait in ``flock`` on ``lock_file`` (the "->" lines of /proc/locks)."""
    inode = str(lock_file.stat().st_ino)
    lines = Path("/proc/locks").read_text().splitlines()
    return sum(
        1 for line in lines if "->" in line.split() and any(p.count(":") == 2 and p.rsplit(":", 1)[1] == inode
                                                           for p in line.split())
    )


def test_two_processes_on_an_empty_cache_dir_both_succeed_and_export_once(tmp_path, reference):
    cache = tmp_path / "cache"
    folder = _folder(cache)
    folder.mkdir(parents=True)
    lock_file = folder / "export.lock"
    with lock_file.open("a+b") as held:
        # Held here until both processes wait for it, so that they really ask at the same moment.
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        procs = [_embedding(cache, tmp_path / f"v{i}.npy") for i in range(2)]
        wait_until(lambda: _lock_waiters(lock_file) == 2, 180, "both processes waiting for the export lock")
    logs = []
    for proc in procs:
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err[-3000:]
        logs.append(err)
    got = [np.load(tmp_path / f"v{i}.npy") for i in range(2)]
    assert np.array_equal(got[0], got[1]) and np.array_equal(got[0], reference[1])
    assert sum(log.count(EXPORTED) for log in logs) == 1  # the second found the first one's export
    assert not list(folder.glob("*.tmp"))


def test_a_kill_mid_export_leaves_nothing_a_later_run_trusts(tmp_path, reference):
    cache = tmp_path / "cache"
    folder = _folder(cache)
    proc = _embedding(cache, tmp_path / "never.npy")
    try:
        wait_until(lambda: list(folder.glob("*.onnx.tmp")), 300, "the export's temporary file")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    assert not intact(folder / "model.onnx", folder / "model.json")
    assert not (folder / "model.json").exists() and not (folder / "model-int8.json").exists()
    again = OnnxEmbedder(cache_dir=cache).embed(TEXTS)
    assert np.abs(again - reference[0]).max() <= 1e-6
    assert not list(folder.glob("*.tmp"))  # the killed exporter's temporary file is gone


def _flip_keeping_mtime(path: Path) -> None:
    st = path.stat()
    with path.open("r+b") as f:
        f.seek(st.st_size // 2)
        byte = f.read(1)
        f.seek(st.st_size // 2)
        f.write(bytes([byte[0] ^ 0x55]))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # size and mtime as before


DAMAGE = {
    "a flipped byte, mtime kept": lambda f: _flip_keeping_mtime(f / "model.onnx"),
    "cut short": lambda f: os.truncate(f / "model.onnx", 1000),
    "zeroed": lambda f: (f / "model.onnx").write_bytes(bytes((f / "model.onnx").stat().st_size)),
    "no record (killed before it)": lambda f: (f / "model.json").unlink(),
    "a garbled record": lambda f: (f / "model.json").write_text('{"sha256": '),
    "swapped with the int8 file": lambda f: _swap(f / "model.onnx", f / "model-int8.onnx"),
    "int8: a flipped byte, mtime kept": lambda f: _flip_keeping_mtime(f / "model-int8.onnx"),
}


def _swap(a: Path, b: Path) -> None:
    tmp = a.with_suffix(".swap")
    os.replace(a, tmp)
    os.replace(b, a)
    os.replace(tmp, b)


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_export_or_int8_file_is_not_trusted(tmp_path, reference, damage):
    folder = tmp_path / "export"
    shutil.copytree(reference[2], folder, ignore=shutil.ignore_patterns("export.lock"))
    files = [("model.onnx", "model.json"), ("model-int8.onnx", "model-int8.json")]
    assert all(intact(folder / m, folder / r) for m, r in files)  # a copy: hashed once, then trusted
    DAMAGE[damage](folder)
    model, record = files[1] if damage.startswith("int8") else files[0]
    assert not intact(folder / model, folder / record)


def test_a_damaged_export_is_made_again_not_loaded(tmp_path, reference, caplog):
    cache = tmp_path / "cache"
    folder = _folder(cache)
    shutil.copytree(reference[2], folder, ignore=shutil.ignore_patterns("export.lock"))
    _flip_keeping_mtime(folder / "model.onnx")
    _flip_keeping_mtime(folder / "model-int8.onnx")
    caplog.set_level(logging.INFO, logger="index.embed.onnx")
    assert np.abs(OnnxEmbedder(cache_dir=cache).embed(TEXTS) - reference[0]).max() <= 1e-6
    assert np.abs(OnnxEmbedder(cache_dir=cache, int8=True).embed(TEXTS) - reference[1]).max() <= 1e-6
    assert any(EXPORTED in r.getMessage() for r in caplog.records)


def test_a_full_disk_during_the_export_is_one_clear_error_and_keeps_no_file(tmp_path):
    with tmpfs(tmp_path / "disk", "20m") as disk:
        with pytest.raises(DiskFullError, match=r"^The disk holding /.* is full: free some space and retry"):
            OnnxEmbedder(cache_dir=disk, int8=True).embed(TEXTS)
        assert sorted(p.name for p in _folder(disk).iterdir()) == ["export.lock"]


def test_a_full_disk_during_quantization_is_one_clear_error_and_keeps_no_file(tmp_path, reference):
    # 100 MiB holds the fp32 export (86 MiB), not onnxruntime's copy of it and the int8 file too.
    with tmpfs(tmp_path / "disk", "100m") as disk:
        folder = _folder(disk)
        folder.mkdir(parents=True)
        for name in ("model.onnx", "model.json"):
            shutil.copy2(reference[2] / name, folder / name)
        with pytest.raises(DiskFullError, match=r"^The disk holding /.* is full: free some space and retry"):
            OnnxEmbedder(cache_dir=disk, int8=True).embed(TEXTS)
        assert sorted(p.name for p in folder.iterdir()) == ["export.lock", "model.json", "model.onnx"]
        assert intact(folder / "model.onnx", folder / "model.json")
        subprocess.run(["mount", "-o", "remount,size=300m", str(disk)], check=True)  # space freed
        assert np.array_equal(OnnxEmbedder(cache_dir=disk, int8=True).embed(TEXTS), reference[1])
