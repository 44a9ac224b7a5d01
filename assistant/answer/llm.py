"""The generative answerer: any LangChain chat model, citations it cannot invent.

``LLMAnswerer(chat_model, settings, fallback)`` shows the model the article
(see :mod:`assistant.answer.prompts`), streams its reply through a
:class:`~assistant.answer.markers.MarkerFilter` (an ID it was not shown is
dropped and counted, even mid-stream) and validates the end result:

* every kept citation names a sentence that exists and was shown; the
  Assistant resolves it to the stored text (:mod:`assistant.cite`);
* a sentence of the answer without a valid citation is listed as unsupported
  (``Diagnostics.unsupported``);
* "The article doesn't say." is an abstention;
* an answer with no valid citation is not shown: the ``fallback`` answerer
  (the extractive one, composed by the registry) answers instead, labelled
  ``Diagnostics.fallback`` with a note; without a fallback, it abstains.

Failures (refused connection, stall, 429, 5xx, unreadable or empty reply) are
retried ``settings.retries`` times with doubling backoff (a 429's Retry-After
wins) within ``settings.deadline_s`` for the whole answer; then the fallback
answers, or, without one, the :class:`~assistant.errors.LLMError` is raised.
A stream that breaks after part of the answer was shown raises
:class:`~assistant.errors.LLMStreamError` holding that part: it is not
retried, as the reader already saw it. An answer longer than
``max_answer_chars`` is cut at its last full sentence, with a note. The
request's stop signal closes the model's stream at once and raises
:class:`~assistant.errors.AnswerStopped` (no retry, no fallback).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from langchain_core.language_models import BaseChatModel
from langchain_core.runnables import Runnable

from assistant.answer.base import Answerer, AnswerRequest, Draft
from assistant.answer.calls import Stalled, Stopped, Usage, chunk_text, classify, timed_stream
from assistant.answer.markers import MarkerFilter, Reading, cut_at_sentence, is_abstention, read_answer
from assistant.answer.prompts import Context, Message, answer_messages, build_context, rewrite_messages
from assistant.answer.stop import StopSignal, current_stop
from assistant.answer.structured import (
    JsonSink,
    StructuredReply,
    StructuredReplyError,
    is_cut,
    is_refusal,
    read_reply,
)
from assistant.answer.structured import response_format as structured_format
from assistant.errors import AnswerStopped, LLMError, LLMOutputError, LLMStreamError, LLMTimeoutError
from assistant.settings import LLMSettings
from assistant.types import Diagnostics, SentenceRef, Turn

log = logging.getLogger(__name__)


class _Sink(Protocol):
    """Collects a reply's text: the marker filter for answers, plain text for rewrites."""

    @property
    def text(self) -> str: ...

    @property
    def length(self) -> int: ...

    def feed(self, chunk: str) -> str: ...

    def finish(self) -> str: ...


@dataclass(slots=True)
class _Plain:
    """A one-line reply (a rewrite): reading stops at the end of its first non-empty line."""

    text: str = ""

    @property
    def length(self) -> int:
        return len(self.text)

    @property
    def done(self) -> bool:
        return "\n" in self.text.lstrip()

    def feed(self, chunk: str) -> str:
        self.text += chunk
        return chunk

    def finish(self) -> str:
        return ""


@dataclass(slots=True)
class _Call:
    """One answer's calls to the model: the deadline, attempts made, tokens used."""

    deadline: float
    retries: int
    usage: Usage = field(default_factory=Usage)
    attempts: int = 0
    truncated: bool = False
    #: The reader's stop (the stream is closed at once); None: nobody can stop it.
    stop: StopSignal | None = None


@dataclass(frozen=True)
class LLMAnswerer:
    """Answers with a LangChain chat model; see the module docstring for the rules."""

    chat_model: BaseChatModel
    settings: LLMSettings = field(default_factory=LLMSettings)
    fallback: Answerer | None = None
    name: str = "llm"
    #: A model writes the answer: the pipeline asks it even where the quote index could answer.
    generative: bool = True
    #: Waits between retries (tests pass a recorder).
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic

    @property
    def model_name(self) -> str:
        m = self.chat_model
        return str(getattr(m, "model_name", None) or getattr(m, "model", None) or type(m).__name__)

    @property
    def where(self) -> str:
        """The server, for messages (``at URL`` when the model has a base URL)."""
        url = getattr(self.chat_model, "openai_api_base", None) or getattr(self.chat_model, "base_url", None)
        return f"at {url}" if url else f"({self.model_name})"

    def close(self) -> None:
        """Close the chat model's pooled connections (its ``http_client``, when it has one); the
        Assistant calls this on close for the answerers it built."""
        close = getattr(getattr(self.chat_model, "http_client", None), "close", None)
        if close is not None:
            close()

    def answer(self, request: AnswerRequest) -> Draft:
        for item in self._generate(request, live=False):
            if isinstance(item, Draft):
                return item
        raise AssertionError("the answer stream ended without a draft")  # pragma: no cover

    def stream(self, request: AnswerRequest) -> Iterator[str | Draft]:
        yield from self._generate(request, live=True)

    # -- one answer ------------------------------------------------------------

    def _generate(self, request: AnswerRequest, live: bool) -> Iterator[str | Draft]:
        s = self.settings
        context = build_context(request, s.context_budget_tokens, s.neighbours)
        messages = answer_messages(request, context, s.history_turns)
        call = _Call(self.clock() + s.deadline_s, s.retries, stop=request.stop)
        notes: tuple[str, ...] = ()
        try:
            if s.citations == "structured" and context.labels:
                reply, notes = self._structured(request, context, call)
                if reply is not None:
                    if live and reply.text:
                        yield reply.text
                    yield self._verdict(request, reply.text, reply, reply.valid, reply.invented, call, notes)
                    return
            sink = yield from self._run(messages, lambda: MarkerFilter(context), call, live)
        except LLMStreamError:
            raise
        except LLMError as e:
            # Info, not a warning: the answer's note (or the raised error) already tells the user.
            log.info("chat model failed after %d attempt(s): %s", call.attempts, e)
            if self.fallback is None:
                raise
            why = replace(self._diagnostics(request, call), notes=notes)
            yield self._instead(request, f"The model failed: {e}", why)
            return
        assert isinstance(sink, MarkerFilter)
        yield self._judge(request, context, sink, call, notes)

    def _structured(
        self, request: AnswerRequest, context: Context, call: _Call
    ) -> tuple[StructuredReply | None, tuple[str, ...]]:
        """The JSON reply read, or None with the note saying why inline markers are asked for instead."""
        s = self.settings
        messages = answer_messages(request, context, s.history_turns, structured=True)
        model = self.chat_model.bind(response_format=structured_format(context))
        runner = self._run(messages, JsonSink, call, live=False, model=model)
        try:
            while True:
                next(runner)
        except StopIteration as done:
            raw = str(done.value.text)
        except LLMError as e:
            if is_cut(e):
                return None, ("The model's structured reply was cut at llm.max_tokens before its JSON "
                              "ended, so the model cited inline instead.",)
            if not is_refusal(e):
                raise
            log.info("the model server refused response_format: %s", e)
            return None, (f"The model server {self.where} refused structured citations "
                          f"(response_format), so the model cited inline instead: {e}",)
        try:
            return read_reply(raw, context), ()
        except StructuredReplyError as e:
            log.info("unreadable structured reply: %s", e)
            call.truncated = False
            return None, (f"The model's structured reply could not be read ({e}), "
                          "so the model cited inline instead.",)

    def propose_rewrite(self, question: str, history: Sequence[Turn]) -> str:
        """The model's standalone form of a follow-up (checked by :class:`assistant.chat.ModelRewriter`)."""
        messages = rewrite_messages(question, history, self.settings.history_turns)
        call = _Call(self.clock() + self.settings.rewrite_deadline_s, retries=0, stop=current_stop())
        runner = self._run(messages, _Plain, call, live=False)
        while True:
            try:
                next(runner)
            except StopIteration as done:
                return str(done.value.text)

    def _run(
        self, messages: list[Message], make_sink: Callable[[], _Sink], call: _Call, live: bool,
        model: Runnable[list[Message], Any] | None = None,
    ) -> Generator[str, None, _Sink]:
        """Stream one reply into a fresh sink per attempt, retrying what can be retried; returns the sink."""
        while True:
            if call.stop is not None and call.stop.stopped:  # stopped during a retry's wait
                raise AnswerStopped()
            call.attempts += 1
            sink = make_sink()
            shown = False
            try:
                for piece in self._attempt(messages, sink, call, model or self.chat_model):
                    if live and piece:
                        shown = True
                        yield piece
                return sink
            except Stopped:
                raise AnswerStopped() from None
            except Exception as e:  # classified here; GeneratorExit is not an Exception
                error = self._classify(e, call)
                if shown:
                    raise LLMStreamError(
                        f"The model's answer broke off after {len(sink.text)} characters: {error}",
                        partial=sink.text,
                    ) from e
                pause = self._pause(error, call)
                if pause is None:
                    raise error from e
                log.info("retrying the chat model in %.2f s: %s", pause, error)
                self.sleep(pause)

    def _attempt(
        self, messages: list[Message], sink: _Sink, call: _Call, model: Runnable[list[Message], Any]
    ) -> Iterator[str]:
        """One request: pieces of the reply as they pass the sink; stops at the length cap."""
        cap = self.settings.max_answer_chars

        def wait() -> float:
            return min(self.settings.timeout_s, call.deadline - self.clock())

        for chunk in timed_stream(lambda: model.stream(messages), wait, call.stop):
            call.usage.add(chunk)
            yield sink.feed(chunk_text(chunk))
            if sink.length > cap:
                call.truncated = True
                break
            if getattr(sink, "done", False):
                break
        yield sink.finish()
        if not sink.text.strip():
            raise LLMOutputError(f"The model {self.where} sent an empty reply.")

    def _classify(self, error: Exception, call: _Call) -> LLMError:
        if isinstance(error, Stalled):
            if call.deadline - self.clock() <= 0:
                return LLMTimeoutError(
                    f"The model {self.where} did not answer within the {self.settings.deadline_s:g} s "
                    f"deadline ({call.attempts} attempt(s)); raise llm.deadline_s or use a faster model."
                )
            return LLMTimeoutError(
                f"The model {self.where} sent nothing for {self.settings.timeout_s:g} s (llm.timeout_s)."
            )
        return classify(error, self.where)

    def _pause(self, error: LLMError, call: _Call) -> float | None:
        """Seconds to wait before the next attempt, or None to give up."""
        if not error.retryable or call.attempts > call.retries:
            return None
        pause = self.settings.backoff_s * 2 ** (call.attempts - 1)
        if error.retry_after is not None:
            pause = max(pause, error.retry_after)
        if self.clock() + pause >= call.deadline:
            return None
        return pause

    # -- the verdict -------------------------------------------------------------

    def _diagnostics(self, request: AnswerRequest, call: _Call) -> Diagnostics:
        return Diagnostics(
            query=request.query,
            ranked=tuple(h.ref for h in request.hits),
            model=self.model_name,
            tokens_in=call.usage.tokens_in,
            tokens_out=call.usage.tokens_out,
        )

    def _judge(
        self, request: AnswerRequest, context: Context, sink: MarkerFilter, call: _Call,
        notes: tuple[str, ...],
    ) -> Draft:
        """The validated draft of a finished inline reply, or the fallback's when nothing valid remains."""
        text = cut_at_sentence(sink.text) if call.truncated else sink.text
        if call.truncated:
            notes = (*notes, f"The model's answer was cut at {self.settings.max_answer_chars:,} characters.")
        reading = read_answer(text, context)
        return self._verdict(request, text, reading, sink.valid, sink.invented, call, notes)

    def _verdict(
        self, request: AnswerRequest, text: str, reading: Reading | StructuredReply,
        valid: Sequence[SentenceRef], invented: int, call: _Call, notes: tuple[str, ...],
    ) -> Draft:
        """The draft of a read reply (inline or structured): the same checks for both."""
        cited = tuple(dict.fromkeys(ref for ref, _ in reading.claims))
        why = replace(
            self._diagnostics(request, call),
            invented_citations=invented,
            model_citations=len(valid),
            answer_sentences=reading.sentences,
            unsupported=reading.unsupported,
            claims=reading.claims,
            spans=reading.spans,
            notes=notes,
        )
        if not cited and is_abstention(text):
            return Draft.abstention(why)
        if not cited:
            reason = (
                f"The model cited {invented} sentence ID(s) it was not shown and none it was"
                if invented
                else "The model's answer cited no sentence of the article"
            )
            return self._instead(request, reason, why)
        supported = reading.sentences - len(reading.unsupported)
        confidence = supported / reading.sentences if reading.sentences else 0.0
        # The answer's text is clean prose: the claims' spans carry its citations.
        prose = reading.prose if isinstance(reading, StructuredReply) else reading.text
        return Draft(prose, cited, abstained=False, confidence=confidence, diagnostics=why)

    def instead(self, request: AnswerRequest, reason: str, why: Diagnostics) -> Draft:
        """The fallback's answer (or an abstention) in place of a generated one, labelled with ``reason``
        (the pipeline's call when no claim of the answer is supported)."""
        return self._instead(request, reason, why)

    def _instead(self, request: AnswerRequest, reason: str, why: Diagnostics) -> Draft:
        """The fallback's answer (or an abstention), labelled with the reason."""
        why = replace(why, spans=())  # the model's claims are not the fallback's
        if self.fallback is None:
            note = f"{reason}, so the assistant abstains."
            return Draft.abstention(replace(why, fallback="abstain", notes=(*why.notes, note)))
        draft = self.fallback.answer(request)
        note = f"{reason.rstrip('.')}; this is the {self.fallback.name} answer instead."
        mine = replace(
            why,
            ranked=draft.diagnostics.ranked or why.ranked,
            features=draft.diagnostics.features,
            abstain_reason=draft.diagnostics.abstain_reason,
            fallback=self.fallback.name,
            notes=(*why.notes, note),
        )
        return replace(draft, diagnostics=mine)
