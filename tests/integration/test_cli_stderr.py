"""The CLI's stderr as a user sees it (issue 19, findings 7 and 9).

Quiet by default: no progress bars, library warnings or DEBUG lines, even on
the first run with an empty cache dir (the ONNX export and its int8
quantisation run then, and onnxruntime's quantiser warns through the root
logger). ``-v`` brings log lines back. A chat-model server that is down is said
once: in the "extractive fallback: …" line when the extractive answer stands in,
as an error when nothing does.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import KIRBY_QUESTION, free_port

CLI = [sys.executable, "-m", "assistant"]
#: Switches a user may have set that would quieten the libraries without the CLI's help.
QUIETING = ("TQDM_DISABLE", "HF_HUB_DISABLE_PROGRESS_BARS", "TRANSFORMERS_VERBOSITY")


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory, seed_path: Path) -> tuple[dict[str, str], Path, str]:
    """A first ``add`` on an empty data dir and an empty cache dir: its env, cache dir and stderr."""
    root = tmp_path_factory.mktemp("stderr")
    env = {k: v for k, v in os.environ.items()
           if k not in QUIETING and not k.startswith("ARTICLE_ASSISTANT_")}
    env["ARTICLE_ASSISTANT_DATA_DIR"] = str(root / "data")
    env["ARTICLE_ASSISTANT_CACHE_DIR"] = str(root / "cache")  # empty: the add exports the model
    proc = run(env, "add", str(seed_path))
    assert proc.returncode == 0, proc.stderr
    assert "added: " in proc.stdout
    return env, root / "cache", proc.stderr


def run(env: dict[str, str], *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], capture_output=True, text=True, env={**env, **extra}, timeout=600
    )


def llm_down(*args: str) -> tuple[str, ...]:
    """``ask`` through a chat model at a loopback port nothing listens on."""
    url = f"http://127.0.0.1:{free_port()}/v1"
    return (*args, "ask", KIRBY_QUESTION, "--answerer", "llm", "--llm-base-url", url, "--llm-model", "m")


def test_first_add_with_an_empty_cache_prints_nothing_on_stderr(fresh):
    _, cache, stderr = fresh
    assert list(cache.rglob("*.onnx")), "the add did not export the model: this test would prove nothing"
    assert stderr == ""


def test_ask_list_and_show_print_nothing_on_stderr(fresh):
    env, _, _ = fresh
    asked = run(env, "ask", KIRBY_QUESTION)
    assert asked.returncode == 0 and "John Kirby" in asked.stdout
    assert asked.stderr == ""
    listed = run(env, "list")
    assert listed.returncode == 0 and listed.stderr == ""


def test_verbose_shows_log_lines(fresh):
    env, _, _ = fresh
    info = run(env, *llm_down("-v"))
    assert info.returncode == 0, info.stderr
    assert "info [assistant.answer.llm]: retrying the chat model" in info.stderr
    debug = run(env, "-vv", "ask", KIRBY_QUESTION)
    assert debug.returncode == 0, debug.stderr
    assert "debug [chromadb" in debug.stderr  # a library's own DEBUG lines


def test_a_model_server_that_is_down_is_said_once(fresh):
    env, _, _ = fresh
    proc = run(env, *llm_down())
    assert proc.returncode == 0, proc.stderr
    assert "John Kirby" in proc.stdout  # the extractive answer stands in
    said = proc.stdout + proc.stderr
    assert said.count("Could not reach the model server") == 1, said
    line = next(ln for ln in proc.stdout.splitlines() if "Could not reach" in ln)
    assert line.startswith("extractive fallback: The model failed: Could not reach the model server at "
                           "http://127.0.0.1:")
    assert "Is it running?" in line and "this is the extractive answer instead" in line
    assert proc.stderr == "" and ".." not in said


def test_a_model_server_that_is_down_without_a_fallback_is_one_error_line(fresh):
    env, _, _ = fresh
    proc = run(env, *llm_down(), ARTICLE_ASSISTANT_ANSWER__FALLBACK="abstain")
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: Could not reach the model server at http://127.0.0.1:")
    assert ".." not in proc.stderr and "Traceback" not in proc.stderr
