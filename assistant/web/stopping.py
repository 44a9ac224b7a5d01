"""Stopping answers from the page: each browser session's answer in flight, and its stop signal.

The Stop button and a page that goes away (Gradio's ``unload``: the tab was
closed or lost its connection) stop the answer of that session only: the
answer's :class:`~assistant.answer.stop.StopSignal` is set, the model's stream
is closed at the server at once and the handler that was streaming ends (its
worker is free again), keeping what was shown as a stopped answer.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

from assistant.answer.stop import StopSignal


class Runs:
    """The stop signals of the answers being written, by browser session."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: dict[str, StopSignal] = {}

    @contextlib.contextmanager
    def run(self, request: Any) -> Iterator[StopSignal]:
        """A new answer for ``request``'s session; a previous one still running there is stopped."""
        session = _session(request)
        signal = StopSignal()
        with self._lock:
            previous = self._running.get(session)
            self._running[session] = signal
        if previous is not None:
            previous.stop()
        try:
            yield signal
        finally:
            with self._lock:
                if self._running.get(session) is signal:
                    del self._running[session]

    def stop(self, request: Any) -> None:
        """Stop the answer ``request``'s session is waiting for (nothing when there is none)."""
        with self._lock:
            signal = self._running.get(_session(request))
        if signal is not None:
            signal.stop()

    def running(self) -> int:
        """How many answers are being written (the tests' view of freed workers)."""
        with self._lock:
            return len(self._running)


def _session(request: Any) -> str:
    # Without a request (a direct call, the tests) every caller shares one session.
    return str(getattr(request, "session_hash", None) or "")
