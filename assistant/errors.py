"""Errors of the read path: a chat model that failed to answer.

The root stays :class:`index.errors.ArticleAssistantError` (re-exported
here), so the CLI's one-line handler and the web app's ``gr.Error`` catch
these too. Like paper-qa's errors, each class carries its policy:
``retryable`` tells the answerer's retry loop whether another attempt can
help, and ``partial`` keeps what a broken stream had already delivered.
"""

from __future__ import annotations

from index.errors import ArticleAssistantError, ConfigError, InputError


class LLMError(ArticleAssistantError):
    """The chat model gave no usable answer; the message says what to check."""

    #: Whether another attempt may succeed (a busy or flaky server), as opposed to a wrong setting.
    retryable: bool = False

    def __init__(self, message: str, *, partial: str = "", retry_after: float | None = None) -> None:
        super().__init__(message)
        #: Text already received (and shown) before the failure.
        self.partial = partial
        #: Seconds the server asked us to wait (HTTP ``Retry-After``), when it said.
        self.retry_after = retry_after


class LLMConnectionError(LLMError):
    """The model server could not be reached (refused, reset, DNS)."""

    retryable = True


class LLMTimeoutError(LLMError):
    """The model sent nothing for too long, or the answer's deadline passed."""

    retryable = True


class LLMRateLimitError(LLMError):
    """The server answered 429 Too Many Requests."""

    retryable = True


class LLMServerError(LLMError):
    """The server failed (HTTP 5xx, 408, 409)."""

    retryable = True


class LLMRequestError(LLMError):
    """The server refused the request (HTTP 4xx: API key, model name, URL); retrying cannot help."""


class LLMOutputError(LLMError):
    """The reply could not be read, or was empty."""

    retryable = True


class LLMStreamError(LLMError):
    """A streamed answer broke off after part of it was shown; ``partial`` holds that part."""


class AnswerStopped(ArticleAssistantError):
    """The reader stopped the answer (a Stop button, Ctrl-C, a closed page): not a failure.

    Whatever was already shown is the reader's to keep; the model's stream was closed.
    """

    def __init__(self, message: str = "The answer was stopped.") -> None:
        super().__init__(message)


class AssistantClosedError(ArticleAssistantError):
    """The Assistant was closed (:meth:`~assistant.api.Assistant.close`, or its ``with`` block ended)."""

    def __init__(self, message: str = "") -> None:
        super().__init__(message or "This Assistant was closed (close() was called, or its `with` block "
                         "ended), so it can no longer be used: make a new Assistant(...) to go on.")


__all__ = [
    "AnswerStopped",
    "AssistantClosedError",
    "ArticleAssistantError",
    "ConfigError",
    "InputError",
    "LLMConnectionError",
    "LLMError",
    "LLMOutputError",
    "LLMRateLimitError",
    "LLMRequestError",
    "LLMServerError",
    "LLMStreamError",
    "LLMTimeoutError",
]
