"""Browser tests: the real web chat (`article-assistant serve`) driven by Debian's Chromium.

The app runs as a subprocess on a free loopback port with a temporary data
dir; Playwright (the PyPI package, never `playwright install`) drives
/usr/bin/chromium. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support import free_port, stop

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: The first page load waits for the embedding model to load (about 15 s on 2 cores).
SLOW_MS = 90_000


@dataclass
class Served:
    """A running `article-assistant serve`: its process, URL, log, and when it started and answered."""

    proc: subprocess.Popen[bytes]
    url: str
    log: Path
    started: float  # time.monotonic() just before the process was started
    answered: float  # time.monotonic() of its first HTTP 200


def start_serve(workdir: Path, port: int, env_extra: Mapping[str, str] | None = None,
                options: Sequence[str] = ()) -> Served:
    """Start `article-assistant serve` on ``port`` with the store in ``workdir/data``; wait for HTTP 200.

    ``options``: more options of `serve` (e.g. ``--auth``).
    """
    import httpx

    env = {
        **os.environ,
        "GRADIO_ANALYTICS_ENABLED": "False",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False",
        # Serve the code of this checkout, whatever the environment has installed.
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    env.pop("ARTICLE_ASSISTANT_CHROMA_URL", None)
    env.update(env_extra or {})
    log_path = workdir / "serve.log"
    started = time.monotonic()
    with log_path.open("a") as log:
        proc = subprocess.Popen(
            [
                sys.executable, "-c", "from assistant.cli import main; main()",
                "--data-dir", str(workdir / "data"), "serve", "--host", "127.0.0.1", "--port", str(port),
                *options,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=workdir,
        )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 120
    while True:
        if proc.poll() is not None:
            pytest.fail(f"serve exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            stop(proc)
            pytest.fail(f"serve did not answer within 120 s:\n{log_path.read_text()[-3000:]}")
        time.sleep(0.1)
    return Served(proc, url, log_path, started, time.monotonic())


@pytest.fixture(scope="session")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`article-assistant serve` on a free loopback port with an empty temporary store."""
    served = start_serve(tmp_path_factory.mktemp("web"), free_port())
    try:
        yield served
    finally:
        stop(served.proc)


@pytest.fixture(scope="session")
def web_url(web: Served) -> str:
    return web.url


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


#: Desktop and phone (an iPhone 12/13/14-sized screen, touch) viewports.
DESKTOP: dict[str, Any] = {"viewport": {"width": 1440, "height": 900}}
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2,
}


def new_context(browser: Any, url: str, **options: Any) -> Any:
    """A fresh context (its own localStorage) allowed to use the clipboard at ``url``."""
    context = browser.new_context(**{**DESKTOP, **options})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url.rstrip("/"))
    return context


@pytest.fixture
def page(browser: Any, web_url: str) -> Iterator[Any]:
    """A fresh browser context (its own localStorage) with the app loaded."""
    from playwright.sync_api import expect

    context = new_context(browser, web_url)
    pg = context.new_page()
    pg.set_default_timeout(SLOW_MS)
    # The page no longer waits for the model to load, so the first add or answer may take
    # as long as the load does on 2 busy cores.
    expect.set_options(timeout=SLOW_MS)
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.goto(web_url)
    expect(pg.locator(".lib-card").first).to_be_visible(timeout=SLOW_MS)
    try:
        yield pg
    finally:
        context.close()
    assert not errors, f"JavaScript errors in the page: {errors}"


@pytest.fixture(scope="session")
def shot() -> Any:
    """Save a screenshot of the page to test-artifacts/NAME.png."""
    ARTIFACTS.mkdir(exist_ok=True)

    def save(page: Any, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path))
        return path

    return save


def add_pasted(page: Any, text: str, title: str = "") -> None:
    """Paste ``text`` (and ``title``) into "Add an article" and press Add; the caller waits for the result."""
    page.get_by_role("tab", name="Paste").click()
    if title:
        page.locator("#add-title textarea, #add-title input").first.fill(title)
    page.locator("#add-text textarea").fill(text)
    page.locator("#add-text-btn").click()


def ask(page: Any, question: str) -> Any:
    """Ask in the current scope; returns the finished answer's message element."""
    from playwright.sync_api import expect

    before = page.locator(".msg.bot:not(.streaming)").count()
    page.locator("#question textarea").fill(question)
    page.locator("#ask-btn").click()
    answers = page.locator(".msg.bot:not(.streaming)")
    expect(answers).to_have_count(before + 1)
    return answers.last
