"""Stopping an answer: the model's HTTP stream is closed at the server, at once.

The scripted OpenAI-compatible server plays a slow stream and records a client
that hangs up (its socket reaches end-of-file while the server waits to send
more), so these tests see the connection closed from the server's side: after
the first tokens, and before the first one (the model still reading its prompt).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace

import pytest

from assistant.answer.llm import LLMAnswerer
from assistant.answer.stop import StopSignal
from assistant.errors import AnswerStopped
from assistant.registry import chat_model
from assistant.settings import LLMSettings
from tests.llm_fakes import SEED_LIKE, article, request
from tests.llm_servers import Reply, ScriptedServer
from tests.support import wait_until

pytestmark = pytest.mark.timeout(60)

LONG = "John Kirby said they are effective [s2]. " * 40


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as s:
        yield s


def _answerer(url: str) -> LLMAnswerer:
    settings = LLMSettings(base_url=url, model="scripted", timeout_s=30, deadline_s=60, retries=0,
                           rewrite=False)
    return LLMAnswerer(chat_model(settings), settings)


def _asked(signal: StopSignal):  # type: ignore[no-untyped-def]
    return replace(request("Who said they are effective?", article(SEED_LIKE)), stop=signal)


def _stop_once_asked(server: ScriptedServer, signal: StopSignal, timeout: float = 20) -> None:
    """Press Stop (from another thread) as soon as a request reaches the server."""

    def stop_when_asked() -> None:
        wait_until(lambda: server.requests, timeout=timeout, what="the request to reach the server")
        signal.stop()

    threading.Thread(target=stop_when_asked, daemon=True).start()


def test_stop_after_the_first_tokens_closes_the_stream_at_the_server(server: ScriptedServer) -> None:
    server.script(Reply(kind="slow", text=LONG, seconds=0.05))
    signal = StopSignal()
    shown = ""
    with pytest.raises(AnswerStopped):
        for piece in _answerer(server.url).stream(_asked(signal)):
            assert isinstance(piece, str)
            shown += piece
            if shown.strip():
                signal.stop()  # the reader presses Stop while the answer streams
    assert shown.strip() and len(shown) < len(LONG)
    wait_until(lambda: server.hangups, timeout=10, what="the server to see the client hang up")
    assert server.hangups[0] < len(LONG) and server.finished == 0


def test_stop_before_the_first_token_hangs_up_at_once(server: ScriptedServer) -> None:
    """The server has not sent even its headers (a long prompt being read): the stop still closes it."""
    server.script(Reply(kind="slow", text=LONG, seconds=30))
    signal = StopSignal()

    _stop_once_asked(server, signal)
    with pytest.raises(AnswerStopped):
        list(_answerer(server.url).stream(_asked(signal)))
    # Well before the server's 30 s wait ends: it saw the connection close while it waited.
    wait_until(lambda: server.hangups, timeout=10, what="the server to see the client hang up")
    assert server.hangups == [0] and server.finished == 0


def test_a_stopped_answer_does_not_fall_back(server: ScriptedServer) -> None:
    """A stop is the reader's wish, not a failure: no retry, no extractive answer in its place."""
    server.script(Reply(kind="slow", text=LONG, seconds=0.05))
    signal = StopSignal()
    signal.stop()
    with pytest.raises(AnswerStopped):
        list(_answerer(server.url).stream(_asked(signal)))
    assert len(server.requests) <= 1


def test_an_unstopped_slow_stream_plays_to_the_end(server: ScriptedServer) -> None:
    server.script(Reply(kind="slow", text="They are effective [s2].", seconds=0.01))
    pieces = list(_answerer(server.url).stream(_asked(StopSignal())))
    assert pieces[-1].cited  # type: ignore[union-attr]
    assert server.finished == 1 and server.hangups == []


def test_stop_during_a_follow_ups_model_rewrite_ends_it_and_asks_nothing_more(
    server: ScriptedServer, tmp_path, embedder, seed_path  # type: ignore[no-untyped-def]
) -> None:
    """A follow-up is first rewritten by the model: a stop then closes that request, and the answer
    is never asked for."""
    from assistant.api import Assistant
    from assistant.settings import Settings
    from tests.support import KIRBY_QUESTION

    settings = Settings(data_dir=tmp_path).with_(**{
        "answer.answerer": "llm", "llm.base_url": server.url, "llm.model": "scripted", "llm.retries": 0,
        "llm.rewrite": True, "llm.rewrite_deadline_s": 60, "llm.timeout_s": 60})
    assistant = Assistant(settings, embedder=embedder)
    article = assistant.add(str(seed_path)).article
    server.script(Reply(kind="slow", text="What else did John Kirby say?", seconds=30))
    signal = StopSignal()

    _stop_once_asked(server, signal, timeout=60)
    with pytest.raises(AnswerStopped):
        assistant.ask("What else did he say?", article=article.id,
                      history=[(KIRBY_QUESTION, "John Kirby said so.")], stop=signal)
    wait_until(lambda: server.hangups, timeout=10, what="the server to see the rewrite hung up")
    assert server.hangups == [0] and len(server.requests) == 1  # the answer was never asked for


def test_consecutive_questions_reuse_one_connection(server: ScriptedServer) -> None:
    """The model's connection is kept alive between answers: one handshake per server, not per question."""
    server.script(Reply(text="They are effective [s2]."))
    answerer = _answerer(server.url)
    for _ in range(2):
        assert answerer.answer(_asked(StopSignal())).cited
    assert len(server.requests) == 2 and server.connections == 1


def test_stop_on_a_reused_connection_hangs_up_and_the_next_question_still_answers(
    server: ScriptedServer,
) -> None:
    """A stop before the first token on a kept-alive connection shuts that connection (the server sees
    it close); the next question gets a new one and is answered."""
    answerer = _answerer(server.url)
    server.script(Reply(text="They are effective [s2]."))
    assert answerer.answer(_asked(StopSignal())).cited
    server.script(Reply(kind="slow", text=LONG, seconds=30), Reply(text="They are effective [s2]."))
    signal = StopSignal()

    _stop_once_asked(server, signal)
    with pytest.raises(AnswerStopped):
        list(answerer.stream(_asked(signal)))
    wait_until(lambda: server.hangups, timeout=10, what="the server to see the client hang up")
    assert server.hangups == [0] and server.connections == 1  # the stopped request was on the kept one
    assert answerer.answer(_asked(StopSignal())).cited
    assert server.connections == 2


def test_a_stop_never_cuts_another_readers_stream(server: ScriptedServer) -> None:
    """Two answers stream at once through one client: stopping one leaves the other to finish."""
    answerer = _answerer(server.url)
    server.respond = lambda body: Reply(kind="slow", text="They are effective [s2]. " * 8, seconds=0.05)
    signal = StopSignal()
    other: list[object] = []
    reader = threading.Thread(target=lambda: other.extend(answerer.stream(_asked(StopSignal()))))
    reader.start()
    wait_until(lambda: server.requests, timeout=20, what="the other reader's request")
    with pytest.raises(AnswerStopped):
        for piece in answerer.stream(_asked(signal)):
            if isinstance(piece, str) and piece.strip():
                signal.stop()
    reader.join(timeout=30)
    assert other and other[-1].cited  # type: ignore[attr-defined]
    assert server.finished == 1 and len(server.hangups) == 1
