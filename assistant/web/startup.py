"""What `serve` does around Gradio's launch: compressed answers, a first page ready before
the URL is printed, the model warmed in the background, and the secret of the browsers' state."""

from __future__ import annotations

import logging
import secrets
import threading
from pathlib import Path
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


def warm_up(assistant: Assistant, ready: threading.Event, viewed: threading.Event) -> None:
    """Load the model and the articles' vectors before the first visitor needs them.

    ``ready`` is set once the model answers (or failed to load: its error then shows on first use).
    The store opens first: the first page needs only the library, not the model, so the model
    waits until a page has shown it (``viewed``), or ``settings.web.warm_up_delay_s``.
    """
    try:
        articles = assistant.summaries()
        viewed.wait(assistant.settings.web.warm_up_delay_s)
        assistant.embedder.embed(["warm up"])
        ready.set()
        if articles:
            assistant.ask("Who said it?", article=articles[0].id)
        if len(articles) > 1:
            # "All articles" is the page's first scope: load the library's indexes now (in a large
            # library, Chroma's first HNSW query alone takes a second), not at the first question.
            assistant.search("Who said it?")
        log.info("web chat ready: %d articles", len(articles))
    except Exception:  # a broken store shows its error on first use instead
        log.warning("warm-up failed", exc_info=True)
    finally:
        ready.set()


def browser_secret(data_dir: Path) -> str | None:
    """A secret kept in the data dir, so chats stored in browsers survive a server restart."""
    path = data_dir / "web-secret"
    try:
        if not path.exists():
            data_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(24), encoding="utf-8")
            path.chmod(0o600)
        return path.read_text(encoding="utf-8").strip() or None
    except OSError:
        log.warning("cannot keep a secret in %s; chats last until the server restarts", data_dir)
        return None
