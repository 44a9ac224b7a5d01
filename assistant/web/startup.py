"""What `serve` does around Gradio's launch: compressed answers, and a first page ready before
the URL is printed."""

from __future__ import annotations

import logging
from typing import Any

from assistant.api import Assistant

log = logging.getLogger(__name__)


def gzip() -> Any:
    """Starlette's gzip middleware (it leaves Gradio's event streams alone)."""
    from starlette.middleware import Middleware
    from starlette.middleware.gzip import GZipMiddleware

    return Middleware(GZipMiddleware, minimum_size=1024)  # type: ignore[arg-type,unused-ignore]


def prime(assistant: Assistant, host: str, port: int) -> None:
    """Before the URL is printed: the library's listing is read and the page asked for once, so
    the first visitor gets a page that can be used at once (best effort: a failure shows later)."""
    import urllib.error
    import urllib.request

    local = {"0.0.0.0": "127.0.0.1", "::": "[::1]"}.get(host, f"[{host}]" if ":" in host else host)
    try:
        assistant.summaries()
        with urllib.request.urlopen(f"http://{local}:{port}/", timeout=10) as page:  # noqa: S310
            page.read()
    except urllib.error.HTTPError:
        pass  # answered (behind --auth, with the sign-in): served all the same
    except Exception:  # the page and the store show their own errors to the first visitor
        log.warning("priming the first page failed", exc_info=True)
