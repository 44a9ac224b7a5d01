"""A reader opening the store while another process is writing never deletes the writer's work.

The writer (tests/pause_add.py) is a real process stopped with SIGSTOP after its
passages and before its article row; the readers are the real CLI.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

from tests.support import ROOT, SEED

CLI = [sys.executable, "-m", "assistant"]


def _long_article(n: int) -> str:
    towns = ["Alden", "Brisk", "Carrow", "Dunmore", "Eskby", "Farlow", "Glenn", "Harwick"]
    lines = ["Council approves a long list of local projects", ""]
    for i in range(1, n + 1):
        lines.append(
            f"On day {i} the council of {towns[i % 8]} voted {i % 7 + 3} to {i % 3} to fund project {i}, "
            f"which costs {i * 17} thousand dollars."
        )
    return "\n\n".join(lines)


def test_a_reader_during_a_live_add_leaves_its_passages_alone(tmp_path):
    data = tmp_path / "data"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ARTICLE_ASSISTANT_DATA_DIR": str(data)}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*CLI, *args], env=env, capture_output=True, text=True, timeout=300,
                              check=False)

    assert cli("add", str(SEED)).returncode == 0
    big = tmp_path / "council.txt"
    big.write_text(_long_article(400), encoding="utf-8")
    writer = subprocess.Popen([sys.executable, "-m", "tests.pause_add", str(data), str(big)],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert writer.stdout is not None
        line = writer.stdout.readline()
        assert line.strip() == "PAUSED", line + writer.stderr.read() if writer.stderr else ""

        # Readers open the store while the writer is stopped between its passages and its row.
        asked = cli("ask", "Who said cluster munitions are effective?")
        assert asked.returncode == 0, asked.stderr
        assert "interrupted add" not in asked.stderr
        checked = json.loads(cli("check", "--json").stdout)
        assert checked["consistent"] and checked["unfinished_writes"] == 1, checked
        repaired = cli("check", "--repair")  # a repair must not take a live write for a crash either
        assert repaired.returncode == 0, repaired.stderr
    finally:
        writer.send_signal(signal.SIGCONT)
    out, err = writer.communicate(timeout=300)
    assert writer.returncode == 0, err
    added = json.loads(out.strip().splitlines()[-1])

    from assistant.api import Assistant
    from assistant.settings import Settings

    store = Assistant(Settings(data_dir=data)).store
    groups, _ = store.article_vectors(added["id"])
    print(f"passages stored / sentences: {len(groups)} / {added['sentences']}")
    assert len(groups) == added["sentences"]
    assert store.check().consistent
