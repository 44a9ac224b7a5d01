"""The endpoint through which ``article-assistant ask`` reuses a running ``serve``.

:class:`LocalAsk` is an ASGI middleware behind the host check and before the login check
(:func:`assistant.web.guard.middleware`): it answers ``POST /cli/ask`` itself and passes
every other request on. It answers only a client on loopback whose request is signed with
the token of this server's advert (:mod:`assistant.serve_link`), so neither another machine
nor another local user (who cannot read the 0600 advert) can use it; a signed request stands
in for the web login, which is for browsers.

The CLI's question is answered only when the settings that make answers (everything but
fetching, the web page, the CLI's own and the models the page offers) are the CLI's too: the
CLI sends its ``ARTICLE_ASSISTANT_*`` settings and flags, the server validates them as the
CLI would and compares. Otherwise, or on any failure that is not the question's, it says
why and the CLI answers itself.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import threading
from pathlib import Path
from typing import Any

from assistant import serve_link
from assistant.api import Assistant
from assistant.settings import Settings
from assistant.web.guard import ASGIApp, Receive, Scope, Send
from index.errors import ArticleAssistantError, ConfigError

log = logging.getLogger(__name__)

#: A question with its settings is a few KB; anything much larger is not the CLI's.
MAX_BODY = 256 * 1024
#: Sections and fields that do not change an answer: a CLI differing only there is served.
IGNORED = ("fetch", "web", "cli")


class ServeLink:
    """This server's side of the link: its advert and how many CLI questions it answered."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        self.advert: serve_link.Advert | None = None
        self.answered = 0
        self._lock = threading.Lock()

    def advertise(self, host: str, port: int) -> None:
        """Write the advert, when the server can be reached on loopback (else the CLI cannot)."""
        local = loopback_address(host)
        if local is None:
            log.info("not offering answers to the CLI: %s is not reachable on loopback", host)
            return
        from importlib.metadata import version

        self.advert = serve_link.advertise(self._data_dir, local, port, version("article-assistant"))
        _terminate_as_interrupt()


    def middleware(self) -> Any:
        """:class:`LocalAsk` over this link, for :func:`assistant.web.guard.middleware`."""
        from starlette.middleware import Middleware

        return Middleware(LocalAsk, link=self)  # type: ignore[arg-type,unused-ignore]

    def withdraw(self) -> None:
        """Remove the advert (on exit)."""
        if self.advert is not None:
            serve_link.withdraw(self._data_dir, self.advert)
            self.advert = None

    @property
    def _data_dir(self) -> Path:
        return self.assistant.settings.data_dir

    def answer(self, request: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """(HTTP status, body) for a verified request: the answer, a refusal to answer here, or the
        question's own error (which the CLI shows as it would its own)."""
        try:
            theirs = Settings.from_env(
                environ=request.get("env") or {}, data_dir=request.get("data_dir"),
                chroma_url=request.get("chroma_url"), **(request.get("overrides") or {}),
            )
        except ConfigError as e:
            return 409, {"fallback": f"the CLI's settings are not valid here: {e}"}
        ours = self.assistant.settings
        differ = different(comparable(theirs), comparable(ours))
        if ours.answer.answerer == "llm" and request.get("key") != serve_link.key_fingerprint(
            os.environ, ours.llm.api_key_env
        ):
            differ.append("the chat model's API key")
        if differ:
            return 409, {"fallback": "the server's settings differ: " + ", ".join(differ[:5])}
        question, article = request.get("question"), request.get("article")
        if not isinstance(question, str) or not (article is None or isinstance(article, str)):
            return 400, {"fallback": "malformed request"}
        try:
            answer = self.assistant.ask(question, article=article or None)
        except ArticleAssistantError as e:
            return 422, {"error": {"type": type(e).__name__, "message": str(e)}}
        except Exception:
            log.exception("answering a CLI question failed")
            return 500, {"fallback": "the server failed; the details are in its log"}
        with self._lock:
            self.answered += 1
            count = self.answered
        log.info("answered a CLI question (%d so far)", count)
        return 200, {"answer": answer.to_dict(), "answered": count}


def _terminate_as_interrupt() -> None:
    """SIGTERM (``kill``, a service manager) ends ``serve`` as Ctrl-C does, so the advert is removed
    on the way out; by default Python would die at once and leave it (then found stale)."""
    import signal

    if threading.current_thread() is threading.main_thread() and (
        signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    ):
        signal.signal(signal.SIGTERM, signal.default_int_handler)


def loopback_address(host: str) -> str | None:
    """The loopback address a client on this machine reaches a server bound to ``host`` at."""
    if host in ("0.0.0.0", "localhost", ""):
        return "127.0.0.1"
    if host == "::":
        return "::1"
    try:
        return host if ipaddress.ip_address(host).is_loopback else None
    except ValueError:
        return None


def comparable(settings: Settings) -> dict[str, Any]:
    """The settings that make answers, as plain values (paths resolved)."""
    values: dict[str, Any] = settings.model_dump(mode="json", exclude=set(IGNORED))
    values["llm"].pop("choices", None)
    for key in ("data_dir", "cache_dir"):
        values[key] = str(Path(values[key]).resolve())
    return values


def different(a: dict[str, Any], b: dict[str, Any], prefix: str = "") -> list[str]:
    """Dotted names whose values differ between ``a`` and ``b``."""
    out = []
    for key in sorted(set(a) | set(b)):
        x, y = a.get(key), b.get(key)
        if isinstance(x, dict) and isinstance(y, dict):
            out += different(x, y, f"{prefix}{key}.")
        elif x != y:
            out.append(prefix + key)
    return out


class LocalAsk:
    """Answers the CLI's signed questions on loopback; passes every other request on."""

    def __init__(self, app: ASGIApp, link: ServeLink) -> None:
        self.app = app
        self.link = link

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != serve_link.PATH:
            await self.app(scope, receive, send)
            return
        from starlette.concurrency import run_in_threadpool
        from starlette.datastructures import Headers

        advert = self.link.advert
        client = (scope.get("client") or ("", 0))[0]
        if scope.get("method") != "POST" or advert is None or not _is_loopback(client):
            await _reply(send, 404, {"error": "Not Found"})
            return
        body = await _body(receive)
        headers = Headers(scope=scope)
        nonce = headers.get(serve_link.NONCE_HEADER, "")
        signature = headers.get(serve_link.SIGNATURE_HEADER, "")
        if body is None or not serve_link.fresh(nonce) or not serve_link.verify(
            advert.token, nonce, body, "request", signature
        ):
            log.warning("refused a CLI request from %s: not signed with this server's token", client)
            await _reply(send, 401, {"error": "not signed with this server's token"})
            return
        try:
            request = json.loads(body)
            if not isinstance(request, dict):
                raise ValueError("not an object")
        except ValueError:
            status, answer = 400, {"fallback": "malformed request"}
        else:
            status, answer = await run_in_threadpool(self.link.answer, request)
        await _reply(send, status, answer, (advert.token, nonce))


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


async def _body(receive: Receive) -> bytes | None:
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


async def _reply(
    send: Send, status: int, data: dict[str, Any], signed: tuple[str, str] | None = None
) -> None:
    """A JSON reply; ``signed`` (token, nonce): with the answer's signature, which the CLI checks."""
    body = json.dumps(data, ensure_ascii=False).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if signed is not None:
        proof = serve_link.sign(signed[0], signed[1], body, "answer")
        headers.append((serve_link.SIGNATURE_HEADER.lower().encode(), proof.encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
