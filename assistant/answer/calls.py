"""Calling a chat model without ever hanging: a deadline on every wait, failures classified.

:func:`timed_stream` runs the model's stream in a worker thread and waits for
each chunk at most as long as the caller allows, so a stalled server (or a
model that ignores its own timeout) cannot block an answer past its deadline;
a :class:`~assistant.answer.stop.StopSignal` ends the wait at once, and the
model's connection is hung up whenever the consumer leaves early.
:func:`classify` turns whatever the model's client raised into an
:class:`~assistant.errors.LLMError` that says whether a retry can help,
reading only the public shape of the exception (``status_code``,
``response.headers``, the class names), so any LangChain chat model works.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

from assistant.answer.stop import Hangup, StopSignal
from assistant.errors import (
    LLMConnectionError,
    LLMError,
    LLMOutputError,
    LLMRateLimitError,
    LLMRequestError,
    LLMServerError,
    LLMTimeoutError,
)

log = logging.getLogger(__name__)
T = TypeVar("T")
_END = object()


class Stalled(Exception):
    """No chunk came within the wait :func:`timed_stream` was given."""


class Stopped(Exception):
    """The stream's :class:`~assistant.answer.stop.StopSignal` was set."""


def timed_stream(
    start: Callable[[], Iterator[T]], wait: Callable[[], float], signal: StopSignal | None = None
) -> Iterator[T]:
    """The items of ``start()``, each waited for at most ``wait()`` seconds (else :class:`Stalled`);
    :class:`Stopped` as soon as ``signal`` is set.

    When the consumer leaves before the end (stop, stall, Ctrl-C, close), the call's connections
    are hung up (:class:`~assistant.answer.stop.Hangup`), so the server stops generating and the
    worker thread ends now; a model whose client is not the registry's stops at its next item.
    """
    items: queue.Queue[tuple[bool, Any]] = queue.Queue()
    stop = threading.Event()
    hangup = Hangup()
    unwatch = signal.watch(lambda: items.put((False, Stopped()))) if signal else (lambda: None)

    def work() -> None:
        hangup.enter()
        try:
            stream = start()
            for item in stream:
                if stop.is_set():
                    close = getattr(stream, "close", None)
                    if close:
                        close()
                    return
                items.put((True, item))
            hangup.release()  # read to its end: the connection is the pool's again, never to be shut
            items.put((True, _END))
        except BaseException as e:  # handed to the consumer, which classifies it
            items.put((False, e))

    threading.Thread(target=work, name="chat-model-stream", daemon=True).start()
    try:
        while True:
            if signal is not None and signal.stopped:  # before any chunk already queued
                raise Stopped()
            seconds = wait()
            if seconds <= 0:
                raise Stalled()
            try:
                ok, item = items.get(timeout=seconds)
            except queue.Empty:
                raise Stalled() from None
            if not ok:
                raise item
            if item is _END:
                return
            yield item
    finally:
        unwatch()
        stop.set()
        hangup.close()  # after a complete reply nothing happens: the worker released the connection


def classify(error: BaseException, where: str) -> LLMError:
    """An LLMError for what the model client raised; ``where`` names the server for messages."""
    if isinstance(error, LLMError):
        return error
    detail = _one_line(error)
    status = getattr(error, "status_code", None)
    if isinstance(status, int):
        if status == 429:
            after = retry_after(error)
            wait = f"; it asks to wait {after:g} s" if after is not None else ""
            return LLMRateLimitError(f"The model server {where} is rate-limiting (HTTP 429){wait}.",
                                     retry_after=after)
        if status >= 500 or status in (408, 409):
            return LLMServerError(f"The model server {where} failed (HTTP {status}): {detail}",
                                  retry_after=retry_after(error))
        hint = {
            401: "check the API key (llm.api_key_env)",
            403: "check the API key and its permissions",
            404: "check --llm-base-url (it usually ends in /v1) and --llm-model",
        }.get(status, "check --llm-model and the server's logs")
        return LLMRequestError(f"The model server {where} refused the request (HTTP {status}): {hint}. "
                               f"{detail}")
    names = " ".join(c.__name__ for c in type(error).__mro__)
    if "LengthFinishReasonError" in names:  # a structured reply cut at max_tokens: the same again on retry
        cut = LLMOutputError(f"The model's reply from {where} was cut at the token limit (llm.max_tokens).")
        cut.retryable = False
        return cut
    if "Timeout" in names:
        return LLMTimeoutError(f"The model server {where} timed out: {detail}")
    if "Connect" in names:
        # The client's own text often ends in a period ("Connection error."): no double stop.
        return LLMConnectionError(
            f"Could not reach the model server {where} ({detail.rstrip('.')}). "
            "Is it running? Check --llm-base-url."
        )
    return LLMOutputError(
        f"The model's reply from {where} could not be read: {type(error).__name__}: {detail}"
    )


def retry_after(error: BaseException) -> float | None:
    """Seconds from an HTTP ``Retry-After`` header (seconds or a date) on the error's response."""
    headers = getattr(getattr(error, "response", None), "headers", None)
    value = headers.get("retry-after") if headers is not None else None
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        from datetime import UTC, datetime

        return max(0.0, (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds())
    except (TypeError, ValueError):
        return None


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= 300 else text[:297] + "…"


@dataclass(slots=True)
class Usage:
    """Tokens the model reported, summed over chunks and attempts (None: it never said)."""

    tokens_in: int | None = None
    tokens_out: int | None = None

    def add(self, chunk: Any) -> None:
        usage = getattr(chunk, "usage_metadata", None)
        if not usage:
            return
        self.tokens_in = (self.tokens_in or 0) + int(usage.get("input_tokens") or 0)
        self.tokens_out = (self.tokens_out or 0) + int(usage.get("output_tokens") or 0)


def chunk_text(chunk: Any) -> str:
    """The text of a message chunk (string content, or the text of content blocks)."""
    content = getattr(chunk, "content", "")
    if isinstance(content, str):
        return content
    text = getattr(chunk, "text", "")
    return text() if callable(text) else str(text or "")
