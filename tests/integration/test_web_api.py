"""The web app's named API from outside: gradio_client and MCP, against a real `serve --mcp`."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import KIRBY_QUESTION, ROOT, SEED, free_port, stop, wait_until


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """`article-assistant serve --mcp` on a free loopback port with the seed article; (url, article id)."""
    import httpx

    data = tmp_path_factory.mktemp("api") / "data"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False"}
    cli = [sys.executable, "-m", "assistant", "--data-dir", str(data)]
    added = subprocess.run([*cli, "add", "--json", str(SEED)], env=env, capture_output=True, text=True,
                           timeout=300, check=True)
    article_id = json.loads(added.stdout)[0]["id"]
    port = free_port()
    log = (data.parent / "serve.log").open("w")
    proc = subprocess.Popen([*cli, "serve", "--port", str(port), "--mcp"], env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: httpx.get(url, timeout=2).status_code == 200, timeout=120, what="serve --mcp")
        yield url, article_id
    finally:
        stop(proc)
        log.close()


def test_gradio_client_asks_with_a_named_endpoint(served):
    from gradio_client import Client

    url, article_id = served
    client = Client(url, verbose=False)
    answer = client.predict(KIRBY_QUESTION, article_id, [], api_name="/ask")
    assert answer["short_answer"].startswith("John Kirby")
    assert not answer["abstained"]
    text = SEED.read_text(encoding="utf-8")
    for c in answer["citations"]:
        assert c["article_id"] == article_id
        assert text[c["start"] : c["end"]] == c["text"]
    follow_up = client.predict("What else did he say?", article_id,
                               [[KIRBY_QUESTION, answer["text"]]], api_name="/ask")
    assert follow_up["citations"]
    articles = client.predict(api_name="/articles")
    assert [a["id"] for a in articles] == [article_id]
    said = client.predict("Kirby", "", "", api_name="/quotes")
    assert [p["name"] for p in said["people"]] == ["John Kirby"]
    assert said["quotes"] and all(q["article_id"] == article_id for q in said["quotes"])
    assert all(text[c["start"] : c["end"]] for c in answer["citations"])


def test_gradio_client_gets_a_clear_error(served):
    from gradio_client import Client

    url, _ = served
    client = Client(url, verbose=False)
    with pytest.raises(Exception, match="http:// or https://"):
        client.predict("/etc/passwd", api_name="/add_url")
    with pytest.raises(Exception, match="No article with ID"):
        client.predict(KIRBY_QUESTION, "nope", [], api_name="/ask")


def test_mcp_tools_list_and_ask(served):
    from mcp import ClientSession
    from mcp.client.streamable_http import streamablehttp_client

    url, article_id = served

    async def run() -> tuple[list[str], str, str]:
        async with streamablehttp_client(f"{url}/gradio_api/mcp/") as (read, write, _), \
                ClientSession(read, write) as session:
            await session.initialize()
            tools = [t.name for t in (await session.list_tools()).tools]
            ask = next(t for t in tools if t.endswith("ask"))
            result = await session.call_tool(ask, {"question": KIRBY_QUESTION, "article_id": article_id})
            quotes = next(t for t in tools if t.endswith("quotes"))
            said = await session.call_tool(quotes, {"person": "Kirby"})
            return (tools, "".join(getattr(part, "text", "") for part in result.content),
                    "".join(getattr(part, "text", "") for part in said.content))

    tools, text, said = asyncio.run(run())
    assert "National Security Council" in said and "john-kirby" in said  # the quote tool: who said what
    assert any(t.endswith("ask") for t in tools) and any(t.endswith("articles") for t in tools)
    assert not any("remove" in t for t in tools)
    assert "John Kirby" in text
    assert "said John Kirby" in text  # the cited sentence comes back with the answer


def test_a_taken_port_is_a_clear_error(served, tmp_path: Path):
    url, _ = served
    port = url.rsplit(":", 1)[1]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
    command = [sys.executable, "-m", "assistant", "--data-dir", str(tmp_path), "serve", "--port", port]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1
    assert f"Port {port} on 127.0.0.1 is already in use" in done.stderr
    assert "--port" in done.stderr and "Web chat at" not in done.stderr and "Traceback" not in done.stderr
