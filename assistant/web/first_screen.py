"""The first screen in the page's own HTML, and Gradio's built files cached for good.

Gradio embeds its components' values in the page it serves (``window.gradio_config``). The
library, chat and article view used to arrive through the page's load event: one round trip
after Gradio's front end had started, and after the server had run the event. Here, each time
the page is asked for, those values are refreshed in Gradio's config with what a browser
without saved state sees (the library's first page, newest first; a single article selected),
and the Ask button says whether the model is ready, so the page is usable as soon as Gradio
has drawn it. The load event still follows and shows
what the browser itself kept (its selection, conversation, search).

Gradio's files under ``/assets/`` have content hashes in their names (``Index-Akn07EZk2.js``),
so they are served as immutable: a repeat visit takes them from the browser's cache without
asking (Gradio sends only ``ETag``/``Last-Modified``, which leaves it to the browser's guess).
"""

from __future__ import annotations

import logging
import re
import weakref
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]],
                   Awaitable[None]]

#: A year, the longest the HTTP caching spec expects; ``immutable``: not even revalidated on reload.
IMMUTABLE = b"public, max-age=31536000, immutable"
#: Gradio's built file names end in a content hash (Vite's 8 characters, sometimes one more).
_HASHED = re.compile(r"^/assets/[^/]+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$")


class FirstScreen:
    """Refreshes the first screen's values in a Blocks' config.

    ``render`` returns ``{component id: {prop: value}}`` for a browser with no saved state; it
    runs in a worker thread for each page asked for (the listing is cached, so it costs a page of
    cards).
    """

    _of: weakref.WeakKeyDictionary[Any, FirstScreen] = weakref.WeakKeyDictionary()

    def __init__(self, blocks: Any, render: Callable[[], dict[int, dict[str, Any]]]) -> None:
        self.blocks = blocks
        self.render = render
        FirstScreen._of[blocks] = self

    @classmethod
    def of(cls, blocks: Any) -> FirstScreen | None:
        """The first screen made for ``blocks`` (by :func:`assistant.web.app.build_app`), if any."""
        return cls._of.get(blocks)

    def refresh(self) -> None:
        """Put the current values in the config the next page is made from (best effort)."""
        config = getattr(self.blocks, "config", None)
        if not config:
            return
        try:
            props = self.render()
        except Exception:  # the load event shows the page's state and its errors all the same
            log.warning("the first screen could not be rendered into the page", exc_info=True)
            return
        for component in config.get("components", ()):
            if component.get("id") in props:
                component.setdefault("props", {}).update(props[component["id"]])


def middleware(screen: FirstScreen | None) -> Any:
    """The ASGI middleware doing both jobs, for ``app_kwargs["middleware"]``."""
    from starlette.middleware import Middleware

    return Middleware(_FirstScreenGate, screen=screen)  # type: ignore[arg-type,unused-ignore]


class _FirstScreenGate:
    def __init__(self, app: ASGIApp, screen: FirstScreen | None) -> None:
        self.app = app
        self.screen = screen

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope.get("method") not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        # Not for HEAD: Gradio's launch checks itself with HEAD / and a 3 s timeout, before the
        # store is open (the first GET opens it; `serve` makes that GET before printing its URL).
        if path == "/" and scope["method"] == "GET" and self.screen is not None:
            import anyio.to_thread

            await anyio.to_thread.run_sync(self.screen.refresh)  # the listing may be read from disk
        elif _HASHED.match(path):
            send = _with_cache_header(send)
        await self.app(scope, receive, send)


def _with_cache_header(send: Any) -> Any:
    async def cached(message: Message) -> None:
        if message["type"] == "http.response.start" and message.get("status") == 200:
            headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control"]
            message["headers"] = [*headers, (b"cache-control", IMMUTABLE)]
        await send(message)

    return cached
