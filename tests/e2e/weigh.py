"""Weighing a page load in Chromium: bytes transferred, requests, and the time to a usable page.

"Usable" means the library has its cards (on a phone they wait in the drawer) and the question
box takes text. Bytes are
what Chromium's network layer received (Chrome DevTools Protocol: each request's
``encodedDataLength``, headers included; a stream still open counts what arrived).
Figures are recorded, never asserted: the machine is shared.
"""

from __future__ import annotations

import time
from typing import Any

#: The page is usable once these are there: a library card and an enabled question box.
USABLE = "#library .lib-card"
QUESTION = "#question textarea"


def weigh(context: Any, url: str) -> dict[str, Any]:
    """Load ``url`` in a new page of ``context``; returns the page's weight and timings."""
    page = context.new_page()
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
    page.wait_for_timeout(300)  # what the page still fetches right after it is usable
    total = sum(max(received.get(i, 0), finished.get(i, 0)) for i in set(received) | set(finished))
    figures = {
        "status": response.status if response else None,
        "document_s": round(first_byte, 3),
        "usable_s": round(usable, 3),
        "requests": len(requests),
        "bytes": total,
        "cards": page.locator(".lib-card").count(),
        "dom_chars": page.evaluate("document.documentElement.outerHTML.length"),
    }
    page.close()
    return figures
