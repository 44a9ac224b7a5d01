"""Benchmark: the web chat's first screen, from `serve` starting to a usable page.

Not a test (timings are reported, never asserted). For each data dir, ``--runs`` times:
start `article-assistant serve`, time its first HTTP 200 and the moment it prints its URL,
then load the page in Debian's Chromium (laptop size) and time it to usable (library cards
shown, question box enabled; on the page's own clock and as Playwright polls it), with its
requests and bytes (:mod:`tests.e2e.weigh`); then, once the server has loaded its model, the
same browser loads it again (static files cached)::

    .venv/bin/python -m tests.benchmarks.first_screen DATA_DIR [DATA_DIR …] [--runs 3] [--code DIR]

Build data dirs with ``python -m tests.e2e.biglib DIR N``. Prints one JSON line per run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, DESKTOP, ROOT
from tests.e2e.weigh import weigh
from tests.support import free_port, stop


def _model_ready(context: Any, url: str) -> float:
    """Waits until the server has loaded its model (Ask says "Ask"); returns the seconds waited.

    The repeat visit is timed after that: a reader who comes back finds the server warm, and
    the model's loading (a few seconds of both cores) would otherwise land on that visit.
    """
    t0 = time.monotonic()
    page = context.new_page()
    try:
        page.goto(url)
        ask = "document.querySelector('#ask-btn')"
        page.wait_for_function(f"() => ({ask} || {{}}).textContent?.trim() === 'Ask'", timeout=180_000)
    finally:
        page.close()
    return round(time.monotonic() - t0, 3)


def _run(data: Path, browser: Any, code: Path) -> dict[str, Any]:
    port = free_port()
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1",
           "PYTHONPATH": str(code), "ANONYMIZED_TELEMETRY": "False"}
    t0 = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-c", "from assistant.cli import main; main()", "--data-dir", str(data),
         "serve", "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, text=True, cwd=code,
    )
    printed: dict[str, float] = {}

    def watch() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            if "Web chat at" in line and "url" not in printed:
                printed["url"] = time.monotonic() - t0

    threading.Thread(target=watch, daemon=True).start()
    url = f"http://127.0.0.1:{port}/"
    try:
        while True:
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        http_200 = time.monotonic() - t0
        while "url" not in printed and time.monotonic() - t0 < 120:
            time.sleep(0.02)
        context = browser.new_context(**DESKTOP)
        try:
            opened = time.monotonic()
            first = weigh(context, url)
            ready = _model_ready(context, url)
            again = weigh(context, url)
        finally:
            context.close()
        usable = first["usable_s"] or first["usable_polled_s"]
        first["model_ready_after_s"] = ready
        return {
            "data": str(data), "http_200_s": round(http_200, 3), "url_printed_s": round(printed["url"], 3),
            "start_to_usable_s": round(opened - t0 + usable, 3), "first": first, "again": again,
            "load_1min": os.getloadavg()[0],
        }
    finally:
        stop(proc)  # type: ignore[arg-type]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="+", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--code", type=Path, default=ROOT,
                        help="Serve the packages in this folder (e.g. another commit's `git archive`).")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for data in args.data:
                for _ in range(args.runs):
                    print(json.dumps(_run(data, browser, args.code)), flush=True)
        finally:
            browser.close()


if __name__ == "__main__":
    main()
