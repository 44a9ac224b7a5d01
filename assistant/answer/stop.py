"""Stopping an answer while the model writes it, and hanging up on the model server at once.

A :class:`StopSignal` is made by whoever watches an answer come (the web page's
Stop button or a closed page, Ctrl-C in ``chat``) and travels in the
:class:`~assistant.answer.base.AnswerRequest`; the answerer wakes on it at once,
not at the model's next token, and raises :class:`~assistant.errors.AnswerStopped`.

:class:`Hangup` closes the connections one model call is using. A chat model built by
the registry uses :func:`http_client`, which keeps connections alive (one TLS handshake per
server, not per question) and whose connections report each request they carry to the
hang-up of the thread that makes it;
:func:`assistant.answer.calls.timed_stream` hangs up when its consumer goes (a
stop, Ctrl-C, a stall, an early close), so the server sees the stream closed
(llama.cpp, vLLM and Ollama stop generating) even while the model has not sent a
token yet, e.g. while it reads a long prompt.
"""

from __future__ import annotations

import contextlib
import functools
import socket
import threading
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any

#: The hang-up of the model call the current thread is making (set in the stream's worker thread).
_CURRENT: ContextVar[Hangup | None] = ContextVar("article_assistant_hangup", default=None)
#: The stop of the question being prepared (a follow-up's model rewrite runs under it).
_STOP: ContextVar[StopSignal | None] = ContextVar("article_assistant_stop", default=None)


@contextlib.contextmanager
def stopping(signal: StopSignal | None) -> Iterator[None]:
    """Run the steps before the answer (a model's rewrite of a follow-up) under ``signal``: a
    rewriter's signature is the question and the history, so the signal travels beside them."""
    token = _STOP.set(signal)
    try:
        yield
    finally:
        _STOP.reset(token)


def current_stop() -> StopSignal | None:
    """The stop the current step runs under (:func:`stopping`), if any."""
    return _STOP.get()


class StopSignal:
    """Set once to stop an answer; thread-safe. Watchers run at once in the thread that stops it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stopped = False
        self._watchers: list[Callable[[], None]] = []

    @property
    def stopped(self) -> bool:
        """Whether :meth:`stop` was called."""
        return self._stopped

    def stop(self) -> None:
        """Stop the answer (again: nothing more happens)."""
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
            watchers, self._watchers = self._watchers, []
        for watcher in watchers:
            watcher()

    def watch(self, watcher: Callable[[], None]) -> Callable[[], None]:
        """Run ``watcher`` on stop (at once when already stopped); returns a function that unwatches."""
        with self._lock:
            if not self._stopped:
                self._watchers.append(watcher)
                return lambda: self._unwatch(watcher)
        watcher()
        return lambda: None

    def _unwatch(self, watcher: Callable[[], None]) -> None:
        with self._lock, contextlib.suppress(ValueError):
            self._watchers.remove(watcher)


class Hangup:
    """The connections one model call is using; :meth:`close` shuts them (a later one is shut on arrival).

    A pooled connection serves one request at a time: it belongs to the hang-up of the call whose
    request it carried last, and :meth:`close` shuts only those still its own, so a connection that
    went back to the pool and on to another reader's request is never cut.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._streams: dict[int, _Tracked] = {}
        self._closed = False

    def enter(self) -> None:
        """Make this the hang-up of the calling thread's model requests."""
        _CURRENT.set(self)

    def add(self, stream: _Tracked) -> None:
        """``stream`` carries this call's request now."""
        stream.owner = self
        with self._lock:
            if not self._closed:
                self._streams[id(stream)] = stream
                return
        stream.shut()

    def release(self) -> None:
        """The reply was read to its end: its connection goes back to the pool, never to be shut here."""
        for stream in self._end():
            stream.owner = None

    def close(self) -> None:
        """Shut the call's connections: the blocked read ends, the server sees the stream closed."""
        for stream in self._end():
            stream.shut()

    def _end(self) -> list[_Tracked]:
        """End the call; its connections that are still its own (not gone on to another request)."""
        with self._lock:
            self._closed = True
            streams, self._streams = self._streams, {}
        return [stream for stream in streams.values() if stream.owner is self]


class _Tracked:
    """A connection of the pool (an httpcore network stream) that tells the current call's hang-up
    when it carries a request: a new connection and a kept-alive one alike."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self.owner: Hangup | None = None
        self._claim()

    def _claim(self) -> None:
        hangup = _CURRENT.get()
        if hangup is not None:
            hangup.add(self)

    def shut(self) -> None:
        # shutdown, not close: it wakes a read blocked in another thread and sends the FIN now.
        sock = self._stream.get_extra_info("socket")
        if isinstance(sock, socket.socket):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._claim()
        self._stream.write(buffer, timeout)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return bytes(self._stream.read(max_bytes, timeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> _Tracked:
        return _Tracked(self._stream.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _TrackingBackend:
    """httpcore's network backend, its connections wrapped in :class:`_Tracked`."""

    def __init__(self, backend: Any) -> None:
        self._backend = backend

    def connect_tcp(self, *args: Any, **kwargs: Any) -> _Tracked:
        return _Tracked(self._backend.connect_tcp(*args, **kwargs))

    def connect_unix_socket(self, *args: Any, **kwargs: Any) -> _Tracked:
        return _Tracked(self._backend.connect_unix_socket(*args, **kwargs))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def http_client(timeout: float) -> Any:
    """An ``httpx.Client`` for a chat model whose calls can be hung up on, keeping connections alive.

    Each connection of its pools (the default one and any proxy's from the environment) reports the
    call it carries a request for to that call's :class:`Hangup`. httpx has no public way to choose
    the network backend of its pools, so it is wrapped in place; should that ever fail (another
    httpx), the client keeps no connection alive and reports each new one, as before.
    """
    import httpx

    client = httpx.Client(timeout=timeout, event_hooks={"response": [_finish_after_done]})
    pools: list[Any] = [getattr(t, "_pool", None) for t in (client._transport, *client._mounts.values())]
    if all(p is not None and hasattr(p, "_network_backend") for p in pools):
        for pool in pools:
            pool._network_backend = _TrackingBackend(pool._network_backend)
        return client
    client.close()
    return httpx.Client(timeout=timeout, limits=httpx.Limits(max_keepalive_connections=0),
                        event_hooks={"request": [_add_trace]})


def _finish_after_done(response: Any) -> None:
    """httpx's response hook: a stream reads its last bytes after ``[DONE]``, so its connection can
    be kept (the OpenAI client closes a stream at ``[DONE]``, before the body's end, which made
    httpcore drop the connection; its async client drains the rest for this reason)."""
    response.stream = _finishing()(response.stream)


@functools.cache
def _finishing() -> type:
    """:class:`Finishing`, made on first use: httpx is imported only by a chat model's client."""
    import httpx

    class Finishing(httpx.SyncByteStream):
        """A response body that, closed right after the server's ``data: [DONE]``, reads the few
        bytes left (the chunked body's end) first; closed at any other point, it is cut as before."""

        #: Bytes read after [DONE] at most; a server that sends more is cut off.
        LIMIT = 65536

        def __init__(self, stream: Any) -> None:
            self._stream = stream
            self._chunks = iter(stream)
            self._tail = b""

        def __iter__(self) -> Iterator[bytes]:
            for chunk in self._chunks:
                self._tail = (self._tail + chunk)[-64:]
                yield chunk

        def close(self) -> None:
            if self._tail.rstrip().endswith(b"data: [DONE]"):
                read = 0
                with contextlib.suppress(Exception):  # a broken end: the connection is dropped, as before
                    for chunk in self._chunks:
                        read += len(chunk)
                        if read > self.LIMIT:
                            break
            self._stream.close()

    return Finishing


def _trace(event: str, info: dict[str, Any]) -> None:
    """httpcore's trace hook (the fallback): a new connection goes to the current call's hang-up."""
    done = event in ("connection.connect_tcp.complete", "connection.start_tls.complete")
    if done and info.get("return_value") is not None:
        _Tracked(info["return_value"])  # claimed by the current call's hang-up, if any


def _add_trace(request: Any) -> None:
    request.extensions = {**request.extensions, "trace": _trace}
