"""The web chat with chat models, in a real browser: citation chips, the fallback label, the model
name, the model picker, "Generating with MODEL…", Stop, and a closed page that stops its answer.

The models are the scripted OpenAI-compatible server's (tests/llm_servers.py), so each does on
demand what a real model cannot be made to do: "scripted" cites the seed article's Kirby sentences,
"nocite" cites nothing (the extractive fallback answers, labelled), "slow" streams for minutes
unless stopped (the server records the client hanging up). Screenshots of the three answers go to
test-artifacts/llm-*.png (``make docs-shots`` copies them into docs/).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import SLOW_MS, Served, new_context, start_serve
from tests.llm_servers import Reply, ScriptedServer
from tests.support import KIRBY_QUESTION, free_port, stop, wait_until

pytestmark = pytest.mark.timeout(600)

CITED = ("John Kirby, the National Security Council’s coordinator for strategic communications, said "
         "they are using them effectively [s4][s5].")
SLOW = "John Kirby said that they are using them effectively and that they have an impact [s4]. " * 60


def _reply(body: dict[str, Any]) -> Reply:
    model = body.get("model")
    if model == "slow":
        return Reply(kind="slow", text=SLOW, seconds=0.15)
    if model == "nocite":
        return Reply(text="Someone said they work, but the article does not say who.")
    return Reply(text=CITED)


@pytest.fixture(scope="module")
def models(scripted_server: ScriptedServer) -> ScriptedServer:
    """The module's scripted server, answering by the model asked for."""
    scripted_server.respond = _reply
    return scripted_server


@pytest.fixture(scope="module")
def llm_web(tmp_path_factory: pytest.TempPathFactory, models: ScriptedServer,
            seed_path: Path) -> Iterator[Served]:
    """`serve` offering three scripted models and the offline answerer, the seed article added."""
    workdir = tmp_path_factory.mktemp("llm-web")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2]), "HF_HUB_OFFLINE": "1"}
    env = {k: v for k, v in env.items() if not k.startswith("ARTICLE_ASSISTANT_")}
    added = subprocess.run([sys.executable, "-m", "assistant", "--data-dir", str(workdir / "data"), "add",
                            str(seed_path)], capture_output=True, text=True, env=env, timeout=300)
    assert added.returncode == 0, added.stderr
    options = ["--answerer", "llm", "--llm-base-url", models.url,
               "--llm-model", "scripted", "--llm-model", "nocite", "--llm-model", "slow"]
    served = start_serve(workdir, free_port(), {"ARTICLE_ASSISTANT_LLM__REWRITE": "false"}, options)
    try:
        yield served
    finally:
        stop(served.proc)


def _expect() -> Any:
    from playwright.sync_api import expect

    expect.set_options(timeout=SLOW_MS)
    return expect


@pytest.fixture
def page(browser: Any, llm_web: Served) -> Iterator[Any]:
    context = new_context(browser, llm_web.url)
    pg = context.new_page()
    pg.set_default_timeout(SLOW_MS)
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.goto(llm_web.url)
    _expect()(pg.locator(".lib-card.selected")).to_be_visible()
    try:
        yield pg
    finally:
        context.close()
    assert not errors, f"JavaScript errors in the page: {errors}"


def _pick(page: Any, label: str) -> None:
    page.locator("#model-picker input").click()
    page.locator("ul.option-list li", has_text=label).first.click()
    _expect()(page.locator("#model-picker input")).to_have_value(label)


def _ask(page: Any, question: str) -> None:
    page.locator("#question textarea").fill(question)
    page.locator("#ask-btn").click()


def _answered(page: Any, count: int) -> Any:
    answers = page.locator(".msg.bot:not(.streaming)")
    _expect()(answers).to_have_count(count)
    return answers.last


def test_picker_chips_model_name_and_fallback_label(page: Any, models: ScriptedServer, shot: Any) -> None:
    expect = _expect()
    picker = page.locator("#model-picker input")
    expect(picker).to_have_value("scripted")  # the first --llm-model is the default
    page.locator("#model-picker input").click()
    offered = page.locator("ul.option-list li")
    expect(offered).to_contain_text(["scripted", "nocite", "slow", "Offline (extractive)"])
    expect(offered).to_have_count(4)
    page.keyboard.press("Escape")

    # -- a cited answer: chips per claim, the model named, no raw marker
    _ask(page, KIRBY_QUESTION)
    answer = _answered(page, 1)
    expect(answer.locator(".answered-by")).to_have_text("Answered by scripted")
    expect(answer.locator(".claim .cite-marker, .markers .cite-marker").first).to_be_visible()
    assert "[s4]" not in answer.inner_text() and "[s5]" not in answer.inner_text()
    assert models.requests[-1]["model"] == "scripted"
    answer.locator(".answer-text .cite-marker").first.click()
    expect(page.locator(".article-view .sentence.cited").first).to_be_visible()
    shot(page, "llm-answer")

    # -- another model, picked in the page: its answer cites nothing, so the fallback answers, labelled
    _pick(page, "nocite")
    _ask(page, "Who said the weapons work?")
    fallback = _answered(page, 2)
    label = "Extractive fallback: The model's answer cited no sentence of the article"
    expect(fallback.locator(".answered-by.fallback")).to_contain_text(label)
    assert models.requests[-1]["model"] == "nocite"
    shot(page, "llm-fallback")

    # -- the offline answerer: no model asked, no "answered by"
    asked = len(models.requests)
    _pick(page, "Offline (extractive)")
    _ask(page, "How many countries have banned cluster munitions?")
    offline = _answered(page, 3)
    expect(offline.locator(".answered-by")).to_have_count(0)
    assert len(models.requests) == asked

    # -- the choice is kept across a refresh
    page.reload()
    expect(page.locator("#model-picker input")).to_have_value("Offline (extractive)")


def test_generating_state_and_stop(page: Any, models: ScriptedServer, shot: Any) -> None:
    expect = _expect()
    models.hangups.clear()
    _pick(page, "slow")
    _ask(page, KIRBY_QUESTION)
    streaming = page.locator(".msg.bot.streaming")
    expect(streaming.locator(".answered-by.generating")).to_have_text("Generating with slow…")
    expect(page.locator("#stop-btn")).to_be_visible()
    expect(page.locator("#ask-btn")).to_be_hidden()
    expect(streaming.locator(".answer-text")).to_contain_text("John Kirby said that they are using them")
    page.locator("#stop-btn").click()
    stopped = _answered(page, 1)
    expect(stopped.locator(".answered-by.stopped")).to_contain_text("Partial answer from slow")
    expect(stopped.locator(".answer-text")).to_contain_text("John Kirby said")
    assert "[s4]" not in stopped.inner_text()
    expect(page.locator("#ask-btn")).to_be_visible()
    expect(page.locator("#stop-btn")).to_be_hidden()
    wait_until(lambda: models.hangups, timeout=30, what="the model server to see the stream closed")
    assert len(models.hangups) == 1 and len(stopped.locator(".answer-text").inner_text()) < len(SLOW)
    shot(page, "llm-stopped")

    # -- kept on refresh, and the next question is answered (the worker is free)
    page.reload()
    expect(page.locator(".msg.bot .answered-by.stopped")).to_have_count(1)
    _pick(page, "scripted")
    _ask(page, KIRBY_QUESTION)
    expect(_answered(page, 2).locator(".answered-by")).to_have_text("Answered by scripted")


def test_a_page_closed_mid_answer_stops_it(browser: Any, llm_web: Served, models: ScriptedServer) -> None:
    expect = _expect()
    context = new_context(browser, llm_web.url)
    page = context.new_page()
    page.set_default_timeout(SLOW_MS)
    page.goto(llm_web.url)
    expect(page.locator(".lib-card.selected")).to_be_visible()
    models.hangups.clear()
    _pick(page, "slow")
    _ask(page, KIRBY_QUESTION)
    expect(page.locator(".msg.bot.streaming .answer-text")).to_contain_text("John Kirby said")
    context.close()  # the reader closes the tab while the model streams
    wait_until(lambda: models.hangups, timeout=90, what="the model server to see the stream closed")
