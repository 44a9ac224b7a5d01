"""`article-assistant ask` answered by a running `serve` (issue 26): real processes on 127.0.0.1.

A real `serve` on a free loopback port over a store holding the seed article, and real CLI
subprocesses. Who answered is proven by the CLI's `-v` line and the server's own count in its
log, never by timing.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from assistant import serve_link
from tests.llm_servers import Reply
from tests.support import KIRBY_QUESTION, ROOT, SEED, free_port, stop, wait_until

ENV = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False"}
SERVED = "answered by the running serve"


@dataclass
class Served:
    data: Path
    log: Path
    proc: subprocess.Popen[bytes]
    article: str


def _cli(data: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "assistant", "--data-dir", str(data), *args],
                          env=env or ENV, capture_output=True, text=True, timeout=300)


def _serve(data: Path, log: Path, *options: str) -> subprocess.Popen[bytes]:
    """`serve` on a free port; returns once it has advertised itself for the CLI."""
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "assistant", "-v", "--data-dir", str(data), "serve",
             "--port", str(free_port()), *options],
            env=ENV, stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        wait_until(lambda: (data / serve_link.FILENAME).exists() or proc.poll() is not None, timeout=180,
                   what="serve's advert")
    except BaseException:
        stop(proc)
        raise
    assert proc.poll() is None, log.read_text()
    return proc


def _with_seed(data: Path) -> str:
    added = _cli(data, "add", "--json", str(SEED))
    assert added.returncode == 0, added.stderr
    return str(json.loads(added.stdout)[0]["id"])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    data = tmp_path_factory.mktemp("warm") / "data"
    article = _with_seed(data)
    log = data.parent / "serve.log"
    # Behind a login: the CLI's signed request stands in for it (the page still asks for it below).
    proc = _serve(data, log, "--auth", "reader:secret")
    try:
        yield Served(data, log, proc, article)
    finally:
        stop(proc)


def _answers(log: Path) -> int:
    """How many CLI questions the server says it answered."""
    lines = [line for line in log.read_text().splitlines() if "answered a CLI question" in line]
    return int(lines[-1].rpartition("(")[2].split()[0]) if lines else 0


def _answer(result: subprocess.CompletedProcess[str]) -> dict:
    assert result.returncode == 0, result.stderr
    data: dict = json.loads(result.stdout)
    data.pop("timings")  # the only part that differs from one ask to the next
    return data


def test_the_advert_is_the_users_alone(served):
    advert = served.data / serve_link.FILENAME
    assert advert.stat().st_mode & 0o777 == 0o600
    found = serve_link.find(served.data)
    assert found is not None and found.pid == served.proc.pid and found.host == "127.0.0.1"


def test_a_second_question_is_answered_by_serve_as_this_process_would(served):
    before = _answers(served.log)
    first = _cli(served.data, "-v", "ask", KIRBY_QUESTION, "--json")
    second = _cli(served.data, "-v", "ask", KIRBY_QUESTION, "--article", served.article, "--json")
    assert SERVED in first.stderr and SERVED in second.stderr
    assert _answers(served.log) == before + 2
    here = _cli(served.data, "-v", "ask", KIRBY_QUESTION, "--article", served.article, "--json", "--no-serve")
    assert SERVED not in here.stderr
    assert _answers(served.log) == before + 2
    assert _answer(second) == _answer(here)
    assert _answer(second)["short_answer"].startswith("John Kirby")
    # The text the reader sees, too (no -v: stderr stays empty either way).
    shown = _cli(served.data, "ask", KIRBY_QUESTION, "--article", served.article)
    shown_here = _cli(served.data, "ask", KIRBY_QUESTION, "--article", served.article, "--no-serve")
    assert (shown.stdout, shown.stderr) == (shown_here.stdout, shown_here.stderr)
    assert _answers(served.log) == before + 3


def test_the_questions_own_error_is_the_same_through_serve(served):
    before = _answers(served.log)
    there = _cli(served.data, "ask", "Who?", "--article", "no-such-article")
    here = _cli(served.data, "ask", "Who?", "--article", "no-such-article", "--no-serve")
    assert there.returncode == here.returncode == 1
    assert there.stderr == here.stderr and "no-such-article" in there.stderr
    assert _answers(served.log) == before


def test_settings_that_change_answers_make_the_cli_answer_itself(served):
    before = _answers(served.log)
    env = {**ENV, "ARTICLE_ASSISTANT_RERANK__RERANKER": "none"}
    other = _cli(served.data, "-v", "ask", KIRBY_QUESTION, "--json", env=env)
    assert other.returncode == 0 and SERVED not in other.stderr
    assert "rerank.reranker" in other.stderr
    flagged = _cli(served.data, "-v", "ask", KIRBY_QUESTION, "--json", "--answerer", "extractive")
    assert SERVED in flagged.stderr  # the default, said explicitly: the same settings
    page_only = _cli(served.data, "-v", "ask", KIRBY_QUESTION, "--json",
                     env={**ENV, "ARTICLE_ASSISTANT_WEB__SUGGESTIONS": "2"})
    assert SERVED in page_only.stderr  # the web page's settings do not change answers
    off = _cli(served.data, "-v", "ask", KIRBY_QUESTION,
               env={**ENV, "ARTICLE_ASSISTANT_CLI__REUSE_SERVE": "0"})
    assert off.returncode == 0 and SERVED not in off.stderr
    assert _answers(served.log) == before + 2


def test_an_article_added_by_another_process_is_answered_from(served, tmp_path):
    text = tmp_path / "note.txt"
    text.write_text("Council approves bridge\n\nThe city council approved the new bridge on Monday, "
                    "said mayor Ana Ruiz. Work starts in May.\n", encoding="utf-8")
    added = _cli(served.data, "add", "--json", str(text))
    article = json.loads(added.stdout)[0]["id"]
    there = _cli(served.data, "-v", "ask", "Who approved the bridge?", "--article", article, "--json")
    here = _cli(served.data, "ask", "Who approved the bridge?", "--article", article, "--json", "--no-serve")
    assert SERVED in there.stderr
    assert _answer(there) == _answer(here)
    assert _answer(there)["citations"][0]["article_id"] == article


def _post(advert: serve_link.Advert, body: bytes, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(f"http://127.0.0.1:{advert.port}{serve_link.PATH}", content=body, headers=headers,
                      timeout=60)


def test_only_a_request_signed_with_the_token_is_answered(served):
    advert = serve_link.find(served.data)
    assert advert is not None
    body = json.dumps({"question": KIRBY_QUESTION, "data_dir": str(served.data)}).encode()
    nonce = serve_link.new_nonce()
    signed = {serve_link.NONCE_HEADER: nonce,
              serve_link.SIGNATURE_HEADER: serve_link.sign(advert.token, nonce, body, "request")}
    before = _answers(served.log)
    assert _post(advert, body, {}).status_code == 401
    wrong = serve_link.sign("ab" * 32, nonce, body, "request")
    assert _post(advert, body, {**signed, serve_link.SIGNATURE_HEADER: wrong}).status_code == 401
    old = f"{float(nonce.partition(':')[0]) - 3600:.3f}:{nonce.partition(':')[2]}"
    stale = {serve_link.NONCE_HEADER: old,
             serve_link.SIGNATURE_HEADER: serve_link.sign(advert.token, old, body, "request")}
    assert _post(advert, body, stale).status_code == 401
    assert _post(advert, body + b" ", signed).status_code == 401  # the body is signed, not only the nonce
    assert _answers(served.log) == before
    page = httpx.get(f"http://127.0.0.1:{advert.port}/gradio_api/info", timeout=60)
    assert page.status_code == 401  # the login still guards everything else
    good = _post(advert, body, signed)
    assert good.status_code == 200, good.text
    assert serve_link.verify(advert.token, nonce, good.content, "answer",
                             good.headers[serve_link.SIGNATURE_HEADER])
    assert good.json()["answer"]["short_answer"].startswith("John Kirby")


def test_an_advert_with_another_token_is_not_trusted(served):
    path = served.data / serve_link.FILENAME
    original = path.read_text()
    try:
        path.write_text(json.dumps({**json.loads(original), "token": "cd" * 32}))
        result = _cli(served.data, "-v", "ask", KIRBY_QUESTION, "--json")
        assert result.returncode == 0 and SERVED not in result.stderr
        assert "not signed" in result.stderr
    finally:
        path.write_text(original)


def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True)
    return int(done.stdout)


@pytest.mark.parametrize("whose", ["dead", "reused"])
def test_a_stale_advert_is_ignored_and_removed(tmp_path, whose):
    data = tmp_path / "data"
    data.mkdir()
    # A pid that ended, or one now running another process (this one, started at another time).
    pid, started = (_dead_pid(), None) if whose == "dead" else (os.getpid(), "1")
    advert = serve_link.Advert("127.0.0.1", free_port(), pid, started, "0", "ab" * 32)
    path = data / serve_link.FILENAME
    path.write_text(json.dumps(advert.__dict__))
    path.chmod(0o600)
    result = _cli(data, "-v", "ask", "Who?", "--article", "no-such-article")
    assert result.returncode == 1 and "no-such-article" in result.stderr  # answered here: no such article
    assert SERVED not in result.stderr and "did not answer" not in result.stderr
    assert not path.exists()


FORGED = json.dumps({"answer": {"text": "Forged.", "mode": "answer", "short_answer": "Forged",
                                 "abstained": False, "confidence": 1.0, "citations": [], "claims": [],
                                 "timings": {}, "fallback": None, "notes": [], "model": None,
                                 "query": None}}).encode()


@pytest.mark.parametrize("how", ["hangs up", "forges"])
def test_a_server_that_hangs_up_or_is_not_ours_is_answered_around(tmp_path, how):
    """A live process on the advertised port that accepts the question and closes the connection
    (as a server killed while answering does), or answers without the token's signature (another
    local user's process on a port a dead `serve` left): the CLI answers itself."""
    data = tmp_path / "data"
    data.mkdir()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()

    def hang_up() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            conn.recv(65536)
            if how == "forges":
                conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: "
                             + str(len(FORGED)).encode() + b"\r\n\r\n" + FORGED)
            conn.close()

    threading.Thread(target=hang_up, daemon=True).start()
    advert = serve_link.Advert("127.0.0.1", listener.getsockname()[1], os.getpid(),
                               serve_link.process_started(os.getpid()), "0", "ab" * 32)
    path = data / serve_link.FILENAME
    path.write_text(json.dumps(advert.__dict__))
    path.chmod(0o600)
    try:
        result = _cli(data, "-v", "ask", "Who?", "--article", "no-such-article")
    finally:
        listener.close()
    assert result.returncode == 1 and "no-such-article" in result.stderr and "Forged" not in result.stdout
    assert "did not answer" in result.stderr and SERVED not in result.stderr
    assert ("not signed" in result.stderr) == (how == "forges")


def test_a_killed_serve_leaves_the_cli_answering(tmp_path):
    data = tmp_path / "data"
    article = _with_seed(data)
    log = tmp_path / "serve.log"
    proc = _serve(data, log)
    try:
        served = _cli(data, "-v", "ask", KIRBY_QUESTION, "--article", article, "--json")
        assert SERVED in served.stderr
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        assert (data / serve_link.FILENAME).exists()  # no chance to remove it
        after = _cli(data, "-v", "ask", KIRBY_QUESTION, "--article", article, "--json")
        assert SERVED not in after.stderr
        assert _answer(after) == _answer(served)
        assert not (data / serve_link.FILENAME).exists()
    finally:
        if proc.poll() is None:
            stop(proc)


def test_a_stopped_serve_removes_its_advert(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    proc = _serve(data, tmp_path / "serve.log")
    stop(proc)  # SIGTERM
    assert not (data / serve_link.FILENAME).exists()


def test_a_chat_model_answers_through_serve_only_with_the_clis_key(tmp_path, scripted_server):
    """`serve --answerer llm`: the CLI with the same model flags and API key is served (the model
    is asked once, by the server); another key, or the offline answerer, and it answers itself."""
    data = tmp_path / "data"
    article = _with_seed(data)
    flags = ["--answerer", "llm", "--llm-base-url", scripted_server.url, "--llm-model", "scripted"]
    keyed = {**ENV, "OPENAI_API_KEY": "key-1"}
    scripted_server.script(Reply(text="John Kirby said so [s1]."))
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "assistant", "-v", "--data-dir", str(data), "serve",
                                 "--port", str(free_port()), *flags], env=keyed, stdout=out,
                                stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: (data / serve_link.FILENAME).exists() or proc.poll() is not None, timeout=180,
                   what="serve's advert")
        # Its warm-up asks the model once too: count the CLI's question only after it.
        wait_until(lambda: "web chat ready" in log.read_text() or proc.poll() is not None, timeout=180,
                   what="serve's warm-up")
        asked = len(scripted_server.requests)
        there = _cli(data, "-v", "ask", KIRBY_QUESTION, "--article", article, "--json", *flags, env=keyed)
        assert SERVED in there.stderr, there.stderr
        assert len(scripted_server.requests) == asked + 1
        here = _cli(data, "ask", KIRBY_QUESTION, "--article", article, "--json", "--no-serve", *flags,
                    env=keyed)
        assert _answer(there) == _answer(here) and _answer(there)["model"] == "scripted"
        other_key = _cli(data, "-v", "ask", KIRBY_QUESTION, "--article", article, "--json", *flags,
                         env={**keyed, "OPENAI_API_KEY": "key-2"})
        assert other_key.returncode == 0 and SERVED not in other_key.stderr
        assert "API key" in other_key.stderr
        offline = _cli(data, "-v", "ask", KIRBY_QUESTION, "--article", article, "--json", env=keyed)
        assert SERVED not in offline.stderr and "answer.answerer" in offline.stderr
    finally:
        stop(proc)
