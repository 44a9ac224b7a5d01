"""Weighing a page load in Chromium: bytes transferred, requests, and the time to a usable page.

"Usable" means the library has its cards (on a phone they wait in the drawer) and the question
box takes text. It is timed twice: on the page's own clock (``usable_s``: from the start of the
navigation to the first moment both held, seen by a script that watches every change to the
page), and as Playwright sees it from outside (``usable_polled_s``: its polling adds its own
round trips, ~0.1-0.7 s on a loaded machine; the figures before 2026-12-08 are of this kind).
Bytes are what Chromium's network layer received (Chrome DevTools Protocol: each request's
``encodedDataLength``, headers included; a stream still open counts what arrived).
Figures are recorded, never asserted: the machine is shared.
"""

from __future__ import annotations

import time
from typing import Any

#: The page is usable once these are there: a library card and an enabled question box.
USABLE = "#library .lib-card"
QUESTION = "#question textarea"

#: Runs before the page's own scripts: notes the first moment the page is usable.
_WATCH = f"""
(() => {{
  const usable = () => {{
    const box = document.querySelector({QUESTION!r});
    return Boolean(document.querySelector({USABLE!r}) && box && !box.disabled);
  }};
  const seen = new MutationObserver(() => {{
    if (window.__usableAt === undefined && usable()) {{
      window.__usableAt = performance.now();
      seen.disconnect();
    }}
  }});
  seen.observe(document, {{subtree: true, childList: true, attributes: true}});
}})();
"""


def weigh(context: Any, url: str) -> dict[str, Any]:
    """Load ``url`` in a new page of ``context``; returns the page's weight and timings."""
    page = context.new_page()
    page.add_init_script(_WATCH)
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    received: dict[str, int] = {}
    finished: dict[str, int] = {}
    cdp.on("Network.dataReceived", lambda e: received.__setitem__(
        e["requestId"], received.get(e["requestId"], 0) + int(e.get("encodedDataLength", 0))))
    cdp.on("Network.loadingFinished", lambda e: finished.__setitem__(
        e["requestId"], int(e.get("encodedDataLength", 0))))
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    t0 = time.monotonic()
    response = page.goto(url)
    first_byte = time.monotonic() - t0
    page.locator(USABLE).first.wait_for(state="attached", timeout=120_000)
    page.locator(QUESTION).first.wait_for(state="visible", timeout=120_000)
    page.wait_for_function(f"() => !(document.querySelector({QUESTION!r}) || {{disabled: true}}).disabled")
    usable = time.monotonic() - t0
    in_page = page.evaluate("window.__usableAt")
    page.wait_for_timeout(300)  # what the page still fetches right after it is usable
    total = sum(max(received.get(i, 0), finished.get(i, 0)) for i in set(received) | set(finished))
    figures = {
        "status": response.status if response else None,
        "document_s": round(first_byte, 3),
        "usable_s": round(in_page / 1000, 3) if in_page is not None else None,
        "usable_polled_s": round(usable, 3),
        "requests": len(requests),
        "bytes": total,
        "cards": page.locator(".lib-card").count(),
        "dom_chars": page.evaluate("document.documentElement.outerHTML.length"),
    }
    page.close()
    return figures
