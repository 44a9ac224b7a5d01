"""Model servers for the LLM tests, on 127.0.0.1 only.

* :class:`ScriptedServer`: a small OpenAI-compatible ``/v1/chat/completions``
  (JSON and SSE streaming) that plays scripted replies: text, an HTTP status
  with headers, a stall, a stream cut mid-way (chunked body never finished),
  unreadable JSON. It records every request body. This covers what a real
  model cannot be made to do on demand.
* :func:`local_llm`: the real llama.cpp server (``python -m assistant.local_llm``,
  xllamacpp + SmolLM2-135M) in a subprocess, stopped with SIGTERM.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.support import ROOT, free_port, stop, wait_until


@dataclass
class Reply:
    """One scripted answer to a chat-completions request."""

    #: "text" | "status" | "stall" | "cut" | "garbage" | "slow"
    kind: str = "text"
    text: str = ""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    #: "stall": seconds to wait before answering (ended early when the server stops);
    #: "slow": seconds before the headers and between chunks, watching for the client hanging up.
    seconds: float = 0.0
    #: "cut": characters sent before the connection drops.
    after: int = 0
    usage: tuple[int, int] = (20, 5)
    #: The stream's finish_reason ("length": the reply hit max_tokens).
    finish: str = "stop"


class ScriptedServer:
    """Plays ``replies`` in order (the last one repeats); ``requests`` holds the JSON bodies received."""

    def __init__(self) -> None:
        self.replies: list[Reply] = []
        self.requests: list[dict[str, Any]] = []
        #: Chunks of slow replies sent so far (a client is reading the stream).
        self.streamed = 0
        self.respond: Callable[[dict[str, Any]], Reply] | None = None
        #: "slow" replies: characters sent when the client hung up, and how many played to the end.
        self.hangups: list[int] = []
        #: What ``GET /v1/models`` lists.
        self.models: list[str] = ["scripted"]
        self.finished = 0
        #: TCP connections accepted (a client that keeps its connection alive makes one for many requests).
        self.connections = 0
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def setup(self) -> None:  # once per accepted connection, however many requests it carries
                super().setup()
                with server._lock:
                    server.connections += 1

            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                """``/v1/models``: the models in ``server.models``."""
                if not self.path.rstrip("/").endswith("/models"):
                    self.send_error(404)
                    return
                listed = [{"id": m, "object": "model", "created": 0, "owned_by": "scripted"}
                          for m in server.models]
                payload = json.dumps({"object": "list", "data": listed}).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("content-length") or 0)) or b"{}")
                reply = server._next(body)
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    if reply.kind == "slow":
                        _slow(self, reply, server)
                    else:
                        _play(self, reply, body, server._stopping)

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._http.daemon_threads = True
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._http.server_address[1]}/v1"

    def script(self, *replies: Reply) -> ScriptedServer:
        with self._lock:
            self.replies = list(replies)
            self.requests.clear()
        return self

    def _next(self, body: dict[str, Any]) -> Reply:
        with self._lock:
            self.requests.append(body)
            if self.respond is not None:
                return self.respond(body)
            if len(self.replies) > 1:
                return self.replies.pop(0)
            return self.replies[0] if self.replies else Reply(text="The article doesn't say.")

    def __enter__(self) -> ScriptedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()
        self._http.shutdown()
        self._http.server_close()


def _play(h: BaseHTTPRequestHandler, reply: Reply, body: dict[str, Any], stopping: threading.Event) -> None:
    if reply.kind == "stall":
        stopping.wait(reply.seconds)
        reply = Reply(text=reply.text or "Too late [s1].")
    if reply.kind == "status":
        message = reply.text or f"scripted {reply.status}"
        payload = json.dumps({"error": {"message": message, "type": "scripted"}}).encode()
        h.send_response(reply.status)
        for k, v in {"content-type": "application/json", **reply.headers}.items():
            h.send_header(k, v)
        h.send_header("content-length", str(len(payload)))
        h.end_headers()
        h.wfile.write(payload)
        return
    if not body.get("stream"):
        _whole(h, reply)
        return
    h.send_response(200)
    h.send_header("content-type", "text/event-stream")
    h.send_header("transfer-encoding", "chunked")
    h.end_headers()
    if reply.kind == "garbage":
        _chunk(h, b"data: {this is not json\n\n")
        _chunk(h, b"data: [DONE]\n\n")
        h.wfile.write(b"0\r\n\r\n")
        return
    text = reply.text if reply.kind != "cut" else reply.text[: reply.after]
    _chunk(h, _event({"delta": {"role": "assistant", "content": ""}, "finish_reason": None}))  # as servers do
    for i in range(0, len(text), 4):
        _chunk(h, _event({"delta": {"content": text[i : i + 4]}, "finish_reason": None}))
    if reply.kind == "cut":
        h.wfile.flush()
        h.close_connection = True
        h.connection.shutdown(2)  # the chunked body never ends: the client sees a broken stream
        return
    _chunk(h, _event({"delta": {}, "finish_reason": reply.finish}))
    if (body.get("stream_options") or {}).get("include_usage"):
        usage = {"prompt_tokens": reply.usage[0], "completion_tokens": reply.usage[1],
                 "total_tokens": sum(reply.usage)}
        _chunk(h, b"data: " + json.dumps({**_base(), "choices": [], "usage": usage}).encode() + b"\n\n")
    _chunk(h, b"data: [DONE]\n\n")
    h.wfile.write(b"0\r\n\r\n")


def _slow(h: BaseHTTPRequestHandler, reply: Reply, server: ScriptedServer) -> None:
    """A stream that takes its time, before the headers and between chunks; a client that hangs up
    meanwhile is recorded in ``server.hangups`` (the characters it had been sent)."""
    sent = 0
    if _hung_up(h, reply.seconds, server._stopping):
        server.hangups.append(sent)
        return
    h.send_response(200)
    h.send_header("content-type", "text/event-stream")
    h.send_header("transfer-encoding", "chunked")
    h.end_headers()
    for i in range(0, len(reply.text), 4):
        try:
            _chunk(h, _event({"delta": {"content": reply.text[i : i + 4]}, "finish_reason": None}))
        except (BrokenPipeError, ConnectionResetError):
            server.hangups.append(sent)
            return
        sent = i + 4
        server.streamed += 1
        if _hung_up(h, reply.seconds, server._stopping):
            server.hangups.append(sent)
            return
    _chunk(h, _event({"delta": {}, "finish_reason": "stop"}))
    _chunk(h, b"data: [DONE]\n\n")
    h.wfile.write(b"0\r\n\r\n")
    server.finished += 1


def _hung_up(h: BaseHTTPRequestHandler, seconds: float, stopping: threading.Event) -> bool:
    """Wait ``seconds``; True as soon as the client closes its end (its request was read whole, so
    anything readable now is the end of the connection)."""
    import selectors
    import socket

    if stopping.is_set():
        return False
    # epoll, not select(): late in a full test run this process holds more than 1,024 descriptors,
    # and select() refuses those ("filedescriptor out of range").
    with selectors.DefaultSelector() as waiting:
        waiting.register(h.connection, selectors.EVENT_READ)
        if not waiting.select(seconds):
            return False
    try:
        return h.connection.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True


def _base() -> dict[str, Any]:
    return {"id": "chatcmpl-scripted", "object": "chat.completion.chunk", "created": 0, "model": "scripted"}


def _event(choice: dict[str, Any]) -> bytes:
    return b"data: " + json.dumps({**_base(), "choices": [{"index": 0, **choice}]}).encode() + b"\n\n"


def _chunk(h: BaseHTTPRequestHandler, data: bytes) -> None:
    h.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
    h.wfile.flush()


def _whole(h: BaseHTTPRequestHandler, reply: Reply) -> None:
    if reply.kind == "garbage":
        payload = b"{this is not json"
    else:
        payload = json.dumps({
            "id": "chatcmpl-scripted", "object": "chat.completion", "created": 0, "model": "scripted",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": reply.text},
                         "finish_reason": "stop"}],
            "usage": {"prompt_tokens": reply.usage[0], "completion_tokens": reply.usage[1],
                      "total_tokens": sum(reply.usage)},
        }).encode()
    h.send_response(200)
    h.send_header("content-type", "application/json")
    h.send_header("content-length", str(len(payload)))
    h.end_headers()
    h.wfile.write(payload)


def local_llm(log_path: os.PathLike[str] | str) -> Iterator[str]:
    """Start the real local model server; yield its ``/v1`` URL; stop it with SIGTERM."""
    import urllib.request

    port = free_port()
    env = {**os.environ, "OMP_WAIT_POLICY": "PASSIVE", "PYTHONPATH": str(ROOT)}
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "assistant.local_llm", "serve", "--port", str(port), "--threads", "1"],
            stdout=log, stderr=subprocess.STDOUT, env=env, cwd=ROOT,
        )
        try:
            wait_until(
                lambda: urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2).status == 200,
                timeout=60, what="the local llama.cpp server",
            )
            yield f"http://127.0.0.1:{port}/v1"
        finally:
            stop(proc)  # type: ignore[arg-type]
