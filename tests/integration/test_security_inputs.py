"""Hostile input through the web chat, the CLI and the API: refused clearly, store unchanged."""

from __future__ import annotations

import http.server
import threading

import pytest
from click.testing import CliRunner

from tests.support import KIRBY_QUESTION, SEED

ARTICLE = (
    "The city council of Riverton voted 5 to 2 on Tuesday to approve a new budget for road repairs. "
    "Council member Dana Whitfield voted against the plan, saying it ignored the east side."
)


@pytest.fixture
def handlers(assistant):  # type: ignore[no-untyped-def]
    from assistant.web.handlers import ChatHandlers

    return ChatHandlers(assistant)


@pytest.mark.parametrize(
    "link", ["/etc/passwd", "file:///etc/passwd", "FILE:///etc/hostname", "../../etc/passwd", "web-secret"]
)
def test_the_link_box_never_reads_server_files(link, handlers, assistant, settings):
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    secret = settings.data_dir / "web-secret"
    secret.write_text("s3cret-key-that-must-not-leak " * 20)
    if link == "web-secret":
        link = str(secret)
    status, *_ = handlers.add_url(link, {}, progress=lambda *a, **k: None)
    assert "not a web link" in status
    assert assistant.articles() == []


@pytest.mark.parametrize("path", ["/etc/passwd", "/etc/hostname"])
def test_add_url_in_the_api_refuses_paths(path, assistant):
    from index.errors import InputError

    with pytest.raises(InputError, match="http:// or https://"):
        assistant.add_url(path)
    assert assistant.articles() == []


def test_an_upload_path_outside_the_upload_folder_is_refused(handlers, assistant, tmp_path):
    outside = tmp_path / "article.txt"
    outside.write_text(ARTICLE)
    status, *_ = handlers.add_file(str(outside), {}, progress=lambda *a, **k: None)
    assert "not uploaded through this page" in status
    assert assistant.articles() == []


def test_a_loopback_url_is_refused_by_default_before_any_request(assistant):
    from index.errors import AddressRefusedError

    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        for url in (f"http://127.0.0.1:{server.server_port}/", f"http://localhost:{server.server_port}/"):
            with pytest.raises(AddressRefusedError, match="ALLOW_PRIVATE"):
                assistant.add(url)
    finally:
        server.shutdown()
    assert hits == []
    assert assistant.articles() == []


def test_the_web_api_exposes_only_ask_articles_add_url_and_quotes(assistant):
    from assistant.web.app import build_app

    info = build_app(assistant).get_api_info()
    assert set(info["named_endpoints"]) == {"/ask", "/articles", "/add_url", "/quotes"}


def test_removal_needs_the_confirmation_step(handlers, assistant):
    from assistant.web.removal import Removal

    removal = Removal(handlers)
    article = assistant.add(str(SEED)).article
    state = {"scope": article.id, "chats": {}}
    removal.remove(state, None, None)  # a direct call, no confirmation
    removal.remove(state, "guess", {"article": article.id, "token": "other"})
    *_, token, confirmation = removal.ask(state)
    removal.remove(state, token, {**confirmation, "token": "other"})  # another session's confirmation
    removal.remove({"scope": "another-article", "chats": {}}, token, confirmation)  # not the one confirmed
    assert [a.id for a in assistant.articles()] == [article.id]
    removal.remove(state, token, confirmation)
    assert assistant.articles() == []


def test_adding_several_sources_adds_none_when_one_is_bad(tmp_path):
    from assistant.cli import cli

    a = tmp_path / "a.txt"
    a.write_text(ARTICLE)
    b = tmp_path / "b.txt"
    b.write_text(SEED.read_text(encoding="utf-8"))
    data = tmp_path / "data"
    runner = CliRunner()
    missing = tmp_path / "missing.txt"
    result = runner.invoke(cli, ["--data-dir", str(data), "add", str(a), str(missing), str(b)])
    assert result.exit_code == 1
    assert "missing.txt" in result.output and "Traceback" not in result.output
    listed = runner.invoke(cli, ["--data-dir", str(data), "list", "--json"])
    assert listed.output.strip() == "[]"
    both = runner.invoke(cli, ["--data-dir", str(data), "add", str(a), str(b)])
    assert both.exit_code == 0 and both.output.count("added:") == 2


def test_escape_sequences_in_stored_text_never_reach_the_terminal(assistant, settings):
    """An article stored before ingest refused control characters (or by another tool)."""
    import json

    from assistant.cli import cli
    from index.build import add_article
    from index.models import RawArticle

    hostile = "\x1b[2J\x1b]0;pwned\x07Kirby said the munitions were effective. " + ARTICLE
    article = add_article(RawArticle(text=hostile, source="old"), assistant.store, assistant.embedder).article
    runner = CliRunner()
    base = ["--data-dir", str(settings.data_dir)]
    asking = ["ask", "Who voted against the plan?", "--article", article.id]
    for args in (["show", article.id], ["list"], asking):
        out = runner.invoke(cli, [*base, *args]).output
        assert "\x1b" not in out and "\x07" not in out, args
    shown = runner.invoke(cli, [*base, "show", article.id]).output
    assert "\\x1b[2J" in shown
    as_json = runner.invoke(cli, [*base, "show", article.id, "--json"]).output
    assert json.loads(as_json)["sentences"][0]["text"].startswith("\x1b[2J")


def test_stdin_is_capped(tmp_path):
    from assistant.cli import cli

    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "add", "-"], input=b"a " * 3_000_000)
    assert result.exit_code == 1
    assert "more than the 5 MB limit" in result.output


def test_junk_through_the_python_api_is_a_package_error(assistant):
    from index.errors import InputError

    article = assistant.add_text(ARTICLE).article
    with pytest.raises(InputError, match="string"):
        assistant.add_text(12345)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="history"):
        assistant.ask(KIRBY_QUESTION, article=article.id, history=[object()])
    with pytest.raises(InputError, match="history"):
        assistant.ask(KIRBY_QUESTION, article=article.id, history="not a list")
    with pytest.raises(InputError, match="question must be a string"):
        assistant.ask(None, article=article.id)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="limit is 2,000"):
        assistant.ask("why " * 1000, article=article.id)
    assert [a.id for a in assistant.articles()] == [article.id]
