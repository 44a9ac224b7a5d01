"""The CLI as a user runs it: a subprocess, real store, real model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import KIRBY_QUESTION

CLI = [sys.executable, "-m", "assistant"]


def run(data_dir: Path, *args: str, stdin: str | None = None, ok: bool = True):
    env = {**os.environ, "ARTICLE_ASSISTANT_DATA_DIR": str(data_dir)}
    proc = subprocess.run([*CLI, *args], input=stdin, capture_output=True, text=True, env=env, timeout=300)
    if ok:
        assert proc.returncode == 0, proc.stderr
    return proc


@pytest.fixture
def data_dir(tmp_path):
    return tmp_path / "cli-data"


def test_add_ask_show_list_remove(data_dir, seed_path):
    added = json.loads(run(data_dir, "add", str(seed_path), "--json").stdout)
    assert added[0]["created"] is True
    assert {d["text"] for d in added[0]["dropped"]} == {
        "CLICK HERE TO GET THE DALLAS EXPRESS APP",
        "Author",
    }
    article_id = added[0]["id"]

    again = run(data_dir, "add", str(seed_path))
    assert f"already stored: {article_id}" in again.stdout

    answer = json.loads(run(data_dir, "ask", KIRBY_QUESTION, "--article", article_id, "--json").stdout)
    assert "John Kirby" in answer["text"]
    cited = [c["text"] for c in answer["citations"]]
    assert any("They’re using them effectively" in t for t in cited)
    assert any("said John Kirby" in t for t in cited)
    assert 0.0 <= answer["confidence"] <= 1.0

    plain = run(data_dir, "ask", KIRBY_QUESTION).stdout
    assert "John Kirby" in plain and "[1]" in plain and "confidence" in plain

    listed = json.loads(run(data_dir, "list", "--json").stdout)
    assert [a["id"] for a in listed] == [article_id]

    shown = run(data_dir, "show", article_id).stdout
    assert "[s1] President Joe Biden’s administration" in shown
    assert "CLICK HERE" not in shown

    run(data_dir, "remove", article_id)
    assert json.loads(run(data_dir, "list", "--json").stdout) == []


def test_stdin_and_chat(data_dir, seed_path):
    added = run(data_dir, "add", "-", "--title", "Seed", "--json", stdin=seed_path.read_text("utf-8"))
    assert json.loads(added.stdout)[0]["title"] == "Seed"
    chat = run(data_dir, "chat", stdin=f"{KIRBY_QUESTION}\n\n")
    assert "John Kirby" in chat.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("add", "/definitely/not/here.txt"), "no such file"),
        (("show", "deadbeef"), "No article with ID 'deadbeef'"),
        (("remove", "deadbeef"), "No article with ID 'deadbeef'"),
        (("add", "ftp://example.com/x"), "only http and https"),
    ],
)
def test_bad_input_is_one_line_without_traceback(data_dir, args, message):
    proc = run(data_dir, *args, ok=False)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: ") and message in lines[0]
    assert "Traceback" not in proc.stderr


def test_empty_file_leaves_store_unchanged(data_dir, seed_path, tmp_path):
    run(data_dir, "add", str(seed_path))
    before = run(data_dir, "list", "--json").stdout
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    proc = run(data_dir, "add", str(empty), ok=False)
    assert proc.returncode == 1 and "is empty" in proc.stderr
    assert run(data_dir, "list", "--json").stdout == before
