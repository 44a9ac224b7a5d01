"""Stopping an answer while the model writes it, and hanging up on the model server at once.

A :class:`StopSignal` is made by whoever watches an answer come (the web page's
Stop button or a closed page, Ctrl-C in ``chat``) and travels in the
:class:`~assistant.answer.base.AnswerRequest`; the answerer wakes on it at once,
not at the model's next token, and raises :class:`~assistant.errors.AnswerStopped`.

:class:`Hangup` closes the connections one model call opened. A chat model built by
the registry uses :func:`http_client`, whose requests report each new connection
(httpcore's ``trace`` extension) to the hang-up of the thread that makes them;
:func:`assistant.answer.calls.timed_stream` hangs up when its consumer goes (a
stop, Ctrl-C, a stall, an early close), so the server sees the stream closed
(llama.cpp, vLLM and Ollama stop generating) even while the model has not sent a
token yet, e.g. while it reads a long prompt.
"""

from __future__ import annotations

import contextlib
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
    """The sockets one model call opened; :meth:`close` shuts them (a later one is shut on arrival)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._closed = False

    def enter(self) -> None:
        """Make this the hang-up of the calling thread's model requests."""
        _CURRENT.set(self)

    def add(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self._lock:
            if not self._closed:
                self._sockets.append(sock)
                return
        _shut(sock)

    def close(self) -> None:
        """Shut every connection of the call: the blocked read ends, the server sees the stream closed."""
        with self._lock:
            self._closed = True
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    # shutdown, not close: it wakes a read blocked in another thread and sends the FIN now.
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


def _trace(event: str, info: dict[str, Any]) -> None:
    """httpcore's trace hook: a new connection's socket goes to the current call's hang-up."""
    if event not in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
        return
    hangup = _CURRENT.get()
    stream = info.get("return_value")
    if hangup is not None and stream is not None:
        hangup.add(stream.get_extra_info("socket"))


def _add_trace(request: Any) -> None:
    request.extensions = {**request.extensions, "trace": _trace}


def http_client(timeout: float) -> Any:
    """An ``httpx.Client`` for a chat model whose calls can be hung up on.

    No kept-alive connections: every request opens its own, which its trace reports (a
    reused connection would not be), and a hang-up never cuts another reader's request.
    """
    import httpx

    return httpx.Client(
        timeout=timeout,
        limits=httpx.Limits(max_keepalive_connections=0),
        event_hooks={"request": [_add_trace]},
    )
