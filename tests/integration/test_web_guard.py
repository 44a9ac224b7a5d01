"""The web server from outside, in raw HTTP: what answers, to which Host, with and without --auth.

Real `article-assistant serve` processes on free loopback ports, driven with
httpx the way a hostile script would (Gradio's queue protocol by hand, forged
Host headers). Issue 19, finding 8 and the /articles part of 9.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support import ROOT, SEED, free_port, stop, wait_until

OTHER = (
    "The city council of Riverton voted 5 to 2 on Tuesday to approve a new budget for road repairs. "
    "Council member Dana Whitfield voted against the plan, saying it ignored the east side.\n"
)
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False"}


@dataclass
class Server:
    url: str
    port: int
    ids: dict[str, str]  # file name → article id


def _serve(data: Path, *options: str) -> tuple[subprocess.Popen[bytes], str, int]:
    port = free_port()
    log = (data.parent / f"serve-{port}.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "--data-dir", str(data), "serve",
                             "--port", str(port), *options], env=ENV, stdout=log, stderr=subprocess.STDOUT)
    log.close()
    url = f"http://127.0.0.1:{port}"
    wait_until(lambda: httpx.get(url, timeout=2).status_code == 200, timeout=120, what="serve")
    return proc, url, port


@pytest.fixture(scope="module")
def open_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`serve --allowed-host chat.example` without --auth; the seed and a second article added by path."""
    folder = tmp_path_factory.mktemp("guard")
    other = folder / "riverton-budget.txt"
    other.write_text(OTHER, encoding="utf-8")
    data = folder / "data"
    added = subprocess.run([sys.executable, "-m", "assistant", "--data-dir", str(data), "add", "--json",
                            str(SEED), str(other)], env=ENV, capture_output=True, text=True, timeout=300,
                           check=True)
    ids = {Path(p).name: a["id"] for p, a in zip([SEED, other], json.loads(added.stdout), strict=True)}
    proc, url, port = _serve(data, "--allowed-host", "chat.example")
    try:
        yield Server(url, port, ids)
    finally:
        stop(proc)


@pytest.fixture(scope="module")
def auth_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`serve --auth reader:s3cret` on an empty store."""
    proc, url, port = _serve(tmp_path_factory.mktemp("guard-auth") / "data", "--auth", "reader:s3cret")
    try:
        yield Server(url, port, {})
    finally:
        stop(proc)


# -- Gradio's protocol, by hand ------------------------------------------------------------


def _config(client: httpx.Client, url: str) -> dict[str, Any]:
    return client.get(f"{url}/config").raise_for_status().json()


def _fn_index(config: dict[str, Any], elem_id: str, trigger: str) -> int:
    """The number of the page's event fired by ``trigger`` on the component ``elem_id``."""
    ids = {c["id"] for c in config["components"] if c.get("props", {}).get("elem_id") == elem_id}
    return next(d["id"] for d in config["dependencies"] if any(t[0] in ids and t[1] == trigger
                                                                 for t in d["targets"]))


def _call(client: httpx.Client, url: str, fn_index: int, data: list[Any], session: str) -> dict[str, Any]:
    """Run one event by number in ``session``, as the page's script does; its completion message."""
    joined = client.post(f"{url}/gradio_api/queue/join", json={
        "data": data, "fn_index": fn_index, "session_hash": session, "event_data": None, "trigger_id": None,
    })
    joined.raise_for_status()
    with client.stream("GET", f"{url}/gradio_api/queue/data", params={"session_hash": session}) as stream:
        for line in stream.iter_lines():
            if line.startswith("data:"):
                message = json.loads(line[5:])
                if message.get("msg") == "process_completed":
                    return message
    raise AssertionError("the event never completed")


def _ask(client: httpx.Client, method: str, url: str, **options: Any) -> tuple[int, str]:
    """The status and the start of the body; an event stream (heartbeats never end) is not read."""
    with client.stream(method, url, **options) as response:
        if response.headers.get("content-type", "").startswith("text/event-stream"):
            return response.status_code, "(an event stream)"
        return response.status_code, response.read().decode(errors="replace")[:200]


def _articles(client: httpx.Client, url: str, **headers: str) -> list[dict[str, Any]]:
    """``/articles`` through Gradio's plain HTTP API (``/gradio_api/call/articles``)."""
    event = client.post(f"{url}/gradio_api/call/articles", json={"data": []}, headers=headers)
    event.raise_for_status()
    body = client.get(f"{url}/gradio_api/call/articles/{event.json()['event_id']}", headers=headers).text
    data = next(line[5:] for line in body.splitlines() if line.startswith("data:"))
    return json.loads(data)[0]


# -- the page's private events -----------------------------------------------------------------


def test_the_removal_event_called_by_number_removes_nothing_without_its_session_token(open_server):
    url, riverton = open_server.url, open_server.ids["riverton-budget.txt"]
    with httpx.Client(timeout=60) as client:
        config = _config(client, url)
        ask, remove = _fn_index(config, "remove-btn", "click"), _fn_index(config, "remove-confirm", "click")
        state = {"scope": riverton, "chats": {}, "pending": None}
        mine, theirs = uuid.uuid4().hex[:11], uuid.uuid4().hex[:11]

        # The removal alone, with a forged browser state and forged confirmations.
        for token, confirmation in [(None, None), ("guess", riverton), ("guess", {"article": riverton,
                                                                                   "token": "guess"})]:
            done = _call(client, url, remove, [state, token, confirmation], mine)
            assert done["success"], done
        # The reproduction: the confirmation, then the removal, without the token it issued.
        asked = _call(client, url, ask, [state], mine)
        issued = asked["output"]["data"][2]
        assert isinstance(issued, str) and len(issued) >= 24
        _call(client, url, remove, [state, None, None], mine)
        # That token again (it was spent by the refused try), and a fresh one sent from another session.
        _call(client, url, remove, [state, issued, None], mine)
        fresh = _call(client, url, ask, [state], mine)["output"]["data"][2]
        _call(client, url, remove, [state, fresh, None], theirs)
        assert riverton in {a["id"] for a in _articles(client, url)}, "an article was removed by hand"

        # What the page does (confirmation, then removal with the token, one session) still works.
        token = _call(client, url, ask, [state], mine)["output"]["data"][2]
        _call(client, url, remove, [state, token, None], mine)
        assert riverton not in {a["id"] for a in _articles(client, url)}


# -- /articles -------------------------------------------------------------------------------------


def test_articles_show_a_files_name_never_the_servers_path(open_server):
    with httpx.Client(timeout=60) as client:
        articles = _articles(client, open_server.url)
    seed = next(a for a in articles if a["id"] == open_server.ids[SEED.name])
    assert seed["source"] == SEED.name
    for article in articles:
        assert "/" not in (article["source"] or "") or "://" in article["source"], article


# -- the Host header (DNS rebinding) ----------------------------------------------------------------

#: Routes of every kind: the page, its config and API description, the queue, SSE, uploads, the named API.
ROUTES = [
    ("GET", "/"), ("HEAD", "/"), ("GET", "/config"), ("GET", "/gradio_api/info"),
    ("GET", "/gradio_api/openapi.json"), ("GET", "/openapi.json"), ("GET", "/theme.css"),
    ("GET", "/assets/index.js"), ("GET", "/favicon.ico"), ("GET", "/gradio_api/heartbeat/abc"),
    ("POST", "/gradio_api/queue/join"), ("GET", "/gradio_api/queue/data?session_hash=abc"),
    ("POST", "/gradio_api/cancel"), ("POST", "/gradio_api/reset"), ("POST", "/gradio_api/upload"),
    ("POST", "/gradio_api/call/articles"), ("GET", "/gradio_api/startup-events"), ("POST", "/login"),
    ("GET", "/gradio_api/user"), ("GET", "/gradio_api/app_id"), ("GET", "/monitoring"),
    ("POST", "/gradio_api/mcp/"),
]


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1.evil.example:{port}",
                                  "localhost.evil.example", "[::2]:{port}", ""])
def test_requests_for_another_host_are_refused_on_every_route(open_server, host):
    header = host.format(port=open_server.port)
    served = []  # every route that answers is listed, not only the first
    with httpx.Client(timeout=30) as client:
        for method, path in ROUTES:
            status, text = _ask(client, method, f"{open_server.url}{path}", headers={"Host": header}, json={})
            if status != 400 or ("allowed-host" not in text and method != "HEAD"):
                served.append((method, path, status, text))
    assert not served


def test_the_loopback_names_and_an_allowed_host_are_served(open_server):
    with httpx.Client(timeout=60) as client:
        for host in [f"127.0.0.1:{open_server.port}", f"localhost:{open_server.port}", "chat.example",
                     f"CHAT.example:{open_server.port}"]:
            page = client.get(open_server.url, headers={"Host": host})
            assert page.status_code == 200 and "gradio_config" in page.text, host
            assert {a["id"] for a in _articles(client, open_server.url, Host=host)} >= {
                open_server.ids[SEED.name]}


# -- --auth ------------------------------------------------------------------------------------------


def test_without_credentials_only_the_login_answers(auth_server):
    url = auth_server.url
    answered = []  # every route that answers is listed, not only the first
    with httpx.Client(timeout=30) as client:
        for method, path in ROUTES:
            if (method, path) in {("GET", "/"), ("HEAD", "/"), ("POST", "/login"), ("GET", "/theme.css"),
                                  ("GET", "/favicon.ico"), ("GET", "/gradio_api/startup-events"),
                                  ("GET", "/assets/index.js")}:
                continue
            status, text = _ask(client, method, f"{url}{path}", json={"session_hash": "abc", "fn_index": 0,
                                                                      "event_id": "x", "data": []})
            if status not in (401, 403):
                answered.append((method, path, status, text))
        assert not answered
        # The page is the login form: no components, events or API description in it.
        page = client.get(url).text
        assert '"auth_required": true' in page.replace('":true', '": true')
        assert "window.gradio_api_info = {};" in page
        for word in ("/ask", "add_url", "named_endpoints", "remove-confirm", "fn_index"):
            assert word not in page, word


def test_after_signing_in_everything_answers(auth_server):
    url = auth_server.url
    with httpx.Client(timeout=60) as client:
        refused = client.post(f"{url}/login", data={"username": "reader", "password": "wrong"})
        assert refused.status_code == 400 and client.get(f"{url}/config").status_code == 401
        client.post(f"{url}/login", data={"username": "reader", "password": "s3cret"}).raise_for_status()
        assert client.get(f"{url}/config").status_code == 200
        assert set(client.get(f"{url}/gradio_api/info").json()["named_endpoints"]) == {
            "/ask", "/articles", "/add_url", "/quotes"}
        assert '"auth_required": true' not in client.get(url).text.replace('":true', '": true')
        assert _articles(client, url) == []
        # The Host check still holds for a signed-in session.
        assert client.get(f"{url}/config", headers={"Host": "evil.example"}).status_code == 400
    from gradio_client import Client  # what the README tells scripts to do under --auth

    assert Client(url, auth=("reader", "s3cret"), verbose=False).predict(api_name="/articles") == []


def test_a_malformed_allowed_host_is_a_clear_error(tmp_path):
    done = subprocess.run([sys.executable, "-m", "assistant", "--data-dir", str(tmp_path), "serve",
                           "--port", str(free_port()), "--allowed-host", "https://chat.example/"],
                          env=ENV, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode != 0
    assert "--allowed-host takes a host name" in done.stderr and "Traceback" not in done.stderr
