"""The CLI's chat models: ``models`` lists a server's, ``serve`` takes several, Ctrl-C stops ``chat``.

Against the scripted OpenAI-compatible server (``GET /v1/models`` and a slow
stream) and a loopback port nothing listens on; ``chat`` runs as a real
subprocess that gets a real SIGINT.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.cli_models import with_models
from assistant.registry import answerer_choices
from assistant.settings import Settings
from index.errors import ConfigError
from tests.llm_servers import Reply, ScriptedServer
from tests.support import KIRBY_QUESTION, free_port, wait_until

pytestmark = pytest.mark.timeout(300)
CLI = [sys.executable, "-m", "assistant"]


@pytest.fixture(scope="module")
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as s:
        yield s


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory, seed_path: Path) -> dict[str, str]:
    root = tmp_path_factory.mktemp("cli-models")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARTICLE_ASSISTANT_")}
    env["ARTICLE_ASSISTANT_DATA_DIR"] = str(root / "data")
    return env


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, env=env, timeout=300)


def test_models_lists_what_the_server_offers(env: dict[str, str], server: ScriptedServer) -> None:
    server.models = ["qwen2.5-7b", "llama3.1"]
    proc = run(env, "models", "--llm-base-url", server.url)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[1:] == ["  llama3.1", "  qwen2.5-7b"]
    listed = json.loads(run(env, "models", "--llm-base-url", server.url, "--json").stdout)
    assert listed == {"base_url": server.url, "models": ["llama3.1", "qwen2.5-7b"]}


def test_models_with_the_server_down_says_so_once(env: dict[str, str]) -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    proc = run(env, "models", "--llm-base-url", url)
    assert proc.returncode == 1 and proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"error: Could not reach the model server at {url}")
    assert "Is it running? Check --llm-base-url." in lines[0] and ".." not in lines[0]


def test_serve_flags_become_the_pickers_choices(server: ScriptedServer) -> None:
    base = Settings()
    one = with_models(base, "llm", ("http://a/v1",), ("m1", "m2"), False, None)
    assert (one.llm.model, one.llm.base_url, one.llm.choices) == ("m1", "http://a/v1", ["m2"])
    paired = with_models(base, None, ("http://a/v1", "http://b/v1"), ("m1", "m1"), False, None)
    assert paired.llm.choices == ["m1@http://b/v1"]
    choices = answerer_choices(paired)
    assert [c.label for c in choices] == ["Offline (extractive)", "m1 (a)", "m1 (b)"]  # default first
    assert [c.base_url for c in choices[1:]] == ["http://a/v1", "http://b/v1"]
    with pytest.raises(ConfigError, match="one --llm-base-url for all models, or one per --llm-model"):
        with_models(base, None, ("http://a/v1", "http://b/v1"), ("m1",), False, None)
    server.models = ["small", "big"]
    listed = with_models(base, "llm", (server.url,), (), True, None)
    assert [c.label for c in answerer_choices(listed)] == ["big", "small", "Offline (extractive)"]


def test_ctrl_c_in_chat_stops_the_answer_and_hangs_up(env: dict[str, str], server: ScriptedServer,
                                                      seed_path: Path) -> None:
    added = run(env, "add", str(seed_path))
    assert added.returncode == 0, added.stderr
    server.script(Reply(kind="slow", text="John Kirby said so [s5]. " * 200, seconds=0.05))
    server.hangups.clear()
    proc = subprocess.Popen(
        [*CLI, "chat", "--answerer", "llm", "--llm-base-url", server.url, "--llm-model", "scripted"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        # Started ignoring SIGINT, as a non-interactive shell starts its background jobs (CI did,
        # and Ctrl-C then did nothing): the chat must hear it all the same.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    try:
        assert proc.stdin is not None
        proc.stdin.write(KIRBY_QUESTION + "\n")
        proc.stdin.flush()
        server.streamed = 0
        wait_until(lambda: server.requests, timeout=120, what="the question to reach the model")
        # The reader presses Ctrl-C while the model streams.
        wait_until(lambda: server.streamed >= 3, timeout=60, what="the model's stream to start")
        proc.send_signal(signal.SIGINT)
        try:
            wait_until(lambda: server.hangups, timeout=60, what="the model server to see the stream closed")
        except BaseException as e:
            proc.kill()
            out, err = proc.communicate(timeout=30)
            raise AssertionError(f"no hang-up after Ctrl-C; out {out[-500:]!r}, err {err[-2000:]!r}") from e
        proc.stdin.write("\n")  # then quits with an empty line: the chat went on after the stop
        proc.stdin.flush()
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert "[stopped]" in out and server.finished == 0
    assert "interrupted" not in err and "Traceback" not in err
