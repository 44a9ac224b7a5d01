"""``article-assistant ask`` through a running ``serve``: no models to load, an answer in ~0.1 s.

A cold ``ask`` spends 2-3 s starting Python, importing chromadb and onnxruntime and loading
the models before it answers. When ``serve`` runs on the same store it has all of that loaded
and advertises itself (:mod:`assistant.serve_link`); :func:`answer_from_serve` sends it the
question with this CLI's settings, and the server answers only when they make the same answers
(:mod:`assistant.web.local_ask`). Otherwise, or when the server is gone, slow, or fails, the
CLI answers itself as before; with ``-v`` it says why on stderr.

This module and what it imports are the CLI's fast path: standard library and click only (no
pydantic, numpy, chromadb or torch); ``tests/unit/test_imports.py`` keeps it so.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant import serve_link
from index.errors import ArticleAssistantError

#: The ``ARTICLE_ASSISTANT_*`` variables that are settings: nested names (``RETRIEVAL__TOP_K``) and
#: these flat ones (``assistant.settings_env.LEGACY_ENV`` and the top-level fields). Nothing else
#: is sent: an API key in ``ARTICLE_ASSISTANT_LLM_API_KEY`` stays here.
FLAT_SETTINGS = frozenset(
    {"DATA_DIR", "CACHE_DIR", "CHROMA_URL", "TOP_K", "PASSAGE_WINDOW", "EMBEDDER", "ANSWERER"}
)
ENV_PREFIX = "ARTICLE_ASSISTANT_"
#: ``cli.reuse_serve`` and ``cli.serve_wait_s`` as env vars, read here without the settings schema.
REUSE_ENV = "ARTICLE_ASSISTANT_CLI__REUSE_SERVE"
WAIT_ENV = "ARTICLE_ASSISTANT_CLI__SERVE_WAIT_S"
#: Seconds to reach the server: it is on this machine, so a slow connect means it is stuck.
CONNECT_S = 2.0
#: ``cli.serve_wait_s``'s default (``tests/unit/test_cli_warm.py`` keeps the two equal).
DEFAULT_WAIT_S = 120.0
_TRUE = {"1", "true", "t", "yes", "y", "on"}


@dataclass(frozen=True)
class SettingsRequest:
    """The settings ``ask`` was given, not yet validated: building :class:`~assistant.settings.Settings`
    imports pydantic (~0.3 s), which a question answered by ``serve`` does without."""

    data_dir: Path | None
    chroma_url: str | None
    overrides: tuple[tuple[str, Any], ...] = ()

    def with_(self, **changes: Any) -> SettingsRequest:
        """These settings with some changed (dotted names), as :meth:`Settings.with_`."""
        return SettingsRequest(self.data_dir, self.chroma_url, (*self.overrides, *changes.items()))

    def build(self) -> Any:
        """The validated :class:`~assistant.settings.Settings` (:class:`ConfigError` when not valid)."""
        from assistant.settings import Settings

        settings = Settings.from_env(data_dir=self.data_dir, chroma_url=self.chroma_url)
        return settings.with_(**dict(self.overrides)) if self.overrides else settings

    def resolved_data_dir(self) -> Path:
        """The data dir as the settings would have it (flag, env, then the user's default)."""
        from assistant.paths import default_data_dir

        chosen = self.data_dir or os.environ.get(f"{ENV_PREFIX}DATA_DIR") or default_data_dir()
        return Path(chosen).expanduser()


def served_answer(request: SettingsRequest, question: str, article: str | None, verbosity: int) -> Any:
    """:func:`answer_from_serve` as an :class:`~assistant.types.Answer` (None: answer here); with
    ``-v`` (``verbosity`` > 0) a line on stderr says who answered or why this process will."""
    import click

    from assistant.terminal import safe
    from assistant.types import Answer

    def say(line: str) -> None:
        if verbosity > 0:
            click.echo(f"note: {safe(line)}", err=True)

    served = answer_from_serve(request, question, article, say)
    return None if served is None else Answer.from_dict(served)


def answer_from_serve(
    request: SettingsRequest, question: str, article: str | None, say: Callable[[str], None]
) -> dict[str, Any] | None:
    """The answer (``Answer.to_dict()`` form) of a running ``serve`` on this store, or None when
    there is none, it may not answer for these settings, or it failed (then ``say`` why).

    The question's own errors (no such article, a question too long) are raised as the package's
    errors, as answering here would.
    """
    wait = _wait_s()
    if wait is None or not _reuse():
        return None
    data_dir = request.resolved_data_dir()
    advert = serve_link.find(data_dir)
    if advert is None:
        return None
    body = json.dumps({
        "question": question,
        "article": article,
        "data_dir": str(data_dir),
        "chroma_url": request.chroma_url,
        "overrides": dict(request.overrides),
        "env": settings_env(os.environ),
        "key": serve_link.key_fingerprint(os.environ, dict(request.overrides).get("llm.api_key_env")
                                          or os.environ.get(f"{ENV_PREFIX}LLM__API_KEY_ENV") or None),
    }).encode()
    where = f"the running serve (pid {advert.pid}, port {advert.port})"
    try:
        status, data = _post(advert, body, wait)
    except (OSError, ValueError) as e:
        say(f"{where} did not answer ({type(e).__name__}: {e}); answering here")
        return None
    if status == 200 and isinstance(data.get("answer"), dict):
        say(f"answered by {where}")
        answer: dict[str, Any] = data["answer"]
        return answer
    if status == 422 and isinstance(data.get("error"), dict):
        raise package_error(data["error"].get("type", ""), str(data["error"].get("message", "")))
    say(f"{where} did not answer: {data.get('fallback') or data.get('error') or status}; answering here")
    return None


def settings_env(environ: dict[str, str] | os._Environ[str]) -> dict[str, str]:
    """The ``ARTICLE_ASSISTANT_*`` variables that are settings (see :data:`FLAT_SETTINGS`)."""
    out = {}
    for key, value in environ.items():
        rest = key[len(ENV_PREFIX):] if key.startswith(ENV_PREFIX) else ""
        if rest and ("__" in rest or rest in FLAT_SETTINGS):
            out[key] = value
    return out


def package_error(name: str, message: str) -> ArticleAssistantError:
    """The package's error class ``name`` (:mod:`assistant.errors`, :mod:`index.errors`) with the
    server's message; the root class for a name this version does not know."""
    import assistant.errors
    import index.errors

    for module in (assistant.errors, index.errors):
        cls = getattr(module, name, None)
        if isinstance(cls, type) and issubclass(cls, ArticleAssistantError):
            error = cls.__new__(cls)  # some take other arguments (an ID): the message is made already
            Exception.__init__(error, message)
            return error
    return ArticleAssistantError(message)


def _post(advert: serve_link.Advert, body: bytes, wait: float) -> tuple[int, dict[str, Any]]:
    """POST the signed question; the status and the reply, whose signature must be the server's.

    One HTTP/1.1 request on a plain socket (``Connection: close``): ``http.client`` would import
    ``ssl`` and ``email``, a fifth of this path's imports, for a loopback request."""
    nonce = serve_link.new_nonce()
    shown = f"[{advert.host}]" if ":" in advert.host else advert.host
    head = (
        f"POST {serve_link.PATH} HTTP/1.1\r\nHost: {shown}:{advert.port}\r\nConnection: close\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        f"{serve_link.NONCE_HEADER}: {nonce}\r\n"
        f"{serve_link.SIGNATURE_HEADER}: {serve_link.sign(advert.token, nonce, body, 'request')}\r\n\r\n"
    )
    with socket.create_connection((advert.host, advert.port), timeout=CONNECT_S) as sock:
        sock.settimeout(wait)
        sock.sendall(head.encode("ascii") + body)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    status, headers, reply = _parse(b"".join(chunks))
    proof = headers.get(serve_link.SIGNATURE_HEADER.lower(), "")
    if not serve_link.verify(advert.token, nonce, reply, "answer", proof):
        raise ValueError(f"the reply (HTTP {status}) was not signed with the server's token")
    data = json.loads(reply)
    if not isinstance(data, dict):
        raise ValueError("the reply is not a JSON object")
    return status, data


def _parse(response: bytes) -> tuple[int, dict[str, str], bytes]:
    """Status, headers (lower-case names) and body of a whole HTTP/1.1 response."""
    head, sep, body = response.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if not sep or len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
        raise ValueError("the reply is not an HTTP response (cut off?)")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = headers.get("content-length")
    if length is None or not length.isdigit() or int(length) != len(body):
        raise ValueError("the reply was cut off")
    return int(parts[1]), headers, body


def _reuse() -> bool:
    value = os.environ.get(REUSE_ENV, "").strip().lower()
    # Anything but a true value answers here: a value that is not valid is then named by the settings.
    return value == "" or value in _TRUE


def _wait_s() -> float | None:
    value = os.environ.get(WAIT_ENV, "").strip()
    try:
        wait = float(value) if value else DEFAULT_WAIT_S
    except ValueError:
        return None
    return wait if 0 < wait <= 3600 else None
