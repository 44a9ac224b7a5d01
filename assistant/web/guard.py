"""What the web server answers, and to whom: checks in front of every route Gradio serves.

Two ASGI middlewares on the FastAPI app that ``Blocks.launch`` builds (passed
in ``app_kwargs["middleware"]``, so they wrap every route, Gradio's queue,
SSE and upload routes and the MCP server included):

- :class:`HostGate` refuses a request whose ``Host`` header names another
  server. A web page can point a name of its own at 127.0.0.1 (DNS
  rebinding) and then read and drive the local app as same-origin; its
  requests still say ``Host: evil.example``, so they get a 400 and nothing
  else.
- :class:`LoginGate` (only with ``serve --auth``) answers nothing but the
  login page, the login route and the static files that page needs until the
  request carries the session cookie Gradio's ``/login`` sets. Gradio checks
  credentials on its data routes only; its page embeds the API description,
  and heartbeats, cancel, reset and the MCP server answer anyone.
"""

from __future__ import annotations

import ipaddress
import json
import logging
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

from starlette.middleware import Middleware
from starlette.requests import HTTPConnection

from index.errors import ConfigError

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Names that always reach a server on this machine: Gradio's own start-up checks use them.
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")

#: Answered without credentials under ``--auth``: what the login page loads, and the login itself.
#: Gradio calls ``startup-events`` on itself during launch, before anyone can sign in.
_OPEN_PATHS = {
    ("POST", "/login"), ("POST", "/login/"),
    ("GET", "/favicon.ico"), ("GET", "/theme.css"), ("GET", "/gradio_api/startup-events"),
}
#: Gradio's built frontend (scripts, styles, fonts): the same files for every Gradio install.
_OPEN_PREFIXES = ("/assets/", "/static/")


def host_name(header: str) -> str:
    """The name in a ``Host`` header: port, IPv6 brackets and a final dot removed, lower case."""
    header = header.strip().lower()
    if header.startswith("["):  # [::1]:7860
        return header[1:].partition("]")[0]
    if header.count(":") == 1:  # a bare IPv6 address has several colons and no port
        header = header.partition(":")[0]
    return header.rstrip(".")


def allowed_hosts(bound: str, extra: Iterable[str] = ()) -> frozenset[str]:
    """The ``Host`` names served: the loopback names, the address bound, and ``extra``.

    :class:`ConfigError` for an ``extra`` that is not a host name or address.
    """
    names = {*LOOPBACK_NAMES, host_name(bound)}
    for value in extra:
        name = host_name(value)
        if not name or "/" in value or "@" in value or " " in name or not _plausible(name):
            raise ConfigError(
                f"--allowed-host takes a host name or address as clients type it (e.g. "
                f"chat.example.org or 192.0.2.7), not {value!r}."
            )
        names.add(name)
    return frozenset(names)


def _plausible(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        return all(part and len(part) <= 63 and part.replace("-", "").replace("_", "").isalnum()
                   for part in name.split("."))


def middleware(
    hosts: frozenset[str], auth: tuple[str, str] | None, local: Middleware | None = None
) -> list[Middleware]:
    """The checks for ``launch(app_kwargs={"middleware": …})``, the host check outermost.

    ``local`` (:class:`assistant.web.local_ask.LocalAsk`) goes between the host check and the
    login: the CLI's requests carry their own proof (a signature made with the token only the
    user can read), not a browser's session.
    """
    stack = [Middleware(HostGate, hosts=hosts)]  # type: ignore[arg-type]
    if local is not None:
        stack.append(local)
    if auth is not None:
        stack.append(Middleware(LoginGate))  # type: ignore[arg-type]
    return stack


class HostGate:
    """Refuses requests whose ``Host`` header is not one of ``hosts`` (400), on every route."""

    def __init__(self, app: ASGIApp, hosts: frozenset[str]) -> None:
        self.app = app
        self.hosts = hosts
        self.refused: set[str] = set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        header = HTTPConnection(scope).headers.get("host", "")
        if host_name(header) in self.hosts:
            await self.app(scope, receive, send)
            return
        # Once per name: the operator learns which name to allow, and a page retrying all day
        # (as DNS rebinding does) cannot flood the log.
        shown = header[:100]
        if len(self.refused) < 100 and shown not in self.refused:
            self.refused.add(shown)
            log.warning("refused requests for host %r (answered: %s)", shown, ", ".join(sorted(self.hosts)))
        message = ("This server does not answer for that host name. If it is the server's own name, "
                   "restart it with: article-assistant serve --allowed-host NAME")
        await _refuse(scope, send, 400, message)


class LoginGate:
    """Under ``--auth``: until a session has signed in, only the login answers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        conn = HTTPConnection(scope)
        method = scope.get("method", "GET")
        path = scope["path"]
        if self._signed_in(conn) or _is_open(method, path):
            await self.app(scope, receive, send)
            return
        if path == "/" and method in ("GET", "HEAD"):
            await _login_page(scope, receive, send)
            return
        await _refuse(scope, send, 401, "Not signed in: sign in at / first.")

    def _signed_in(self, conn: HTTPConnection) -> bool:
        gradio_app = conn.scope.get("app")  # Starlette sets it before any middleware runs
        tokens = getattr(gradio_app, "tokens", None) or {}
        cookie_id = getattr(gradio_app, "cookie_id", None)
        for name in (f"access-token-{cookie_id}", f"access-token-unsecure-{cookie_id}"):
            token = conn.cookies.get(name)
            if token and token in tokens:
                return True
        return False


def _is_open(method: str, path: str) -> bool:
    read = "GET" if method == "HEAD" else method
    return (read, path) in _OPEN_PATHS or (read == "GET" and path.startswith(_OPEN_PREFIXES))


async def _login_page(scope: Scope, receive: Receive, send: Send) -> None:
    """Gradio's own page in its signed-out form, without the API description it would embed."""
    from fastapi import Request
    from gradio import route_utils
    from gradio.routes import templates  # type: ignore[attr-defined,unused-ignore]

    request = Request(scope, receive)
    gradio_app = scope["app"]
    blocks = gradio_app.get_blocks()
    root = route_utils.get_root_url(request=request, route_path="/", root_path=gradio_app.root_path)
    config = {
        "auth_required": True, "auth_message": blocks.auth_message, "space_id": blocks.space_id,
        "root": root, "page": {"": {"layout": {}}}, "pages": [""], "components": [],
        "dependencies": [], "current_page": "",
    }
    response = templates.TemplateResponse(
        request=request, name="frontend/index.html",
        context={"base_url": "./", "config": config, "gradio_api_info": {}},
    )
    await response(scope, receive, send)


async def _refuse(scope: Scope, send: Send, status: int, message: str) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008})
        return
    body = json.dumps({"error": message}).encode()
    await send({
        "type": "http.response.start", "status": status,
        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
    })
    await send({"type": "http.response.body", "body": body})
