"""Stop with the REAL llama.cpp server (xllamacpp + SmolLM2-135M): the stream is closed at the server.

llama.cpp's own log says so ("cancel task", then the slot's "stop processing"), and its one slot
is free again (``/slots``): the next question is answered at once, not after the stopped one.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from assistant.answer.llm import LLMAnswerer
from assistant.answer.stop import StopSignal
from assistant.errors import AnswerStopped
from assistant.registry import chat_model
from assistant.settings import LLMSettings
from tests.llm_fakes import SEED_LIKE, article, request
from tests.llm_servers import local_llm
from tests.support import wait_until

pytestmark = pytest.mark.timeout(300)
LONG = "Write a very long essay about everything in the article, sentence by sentence."


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    log = tmp_path_factory.mktemp("local-llm-stop") / "server.log"
    for url in local_llm(log):
        yield url, log


def _busy(url: str) -> bool:
    with urllib.request.urlopen(url.removesuffix("/v1") + "/slots", timeout=5) as r:
        return any(slot.get("is_processing") for slot in json.loads(r.read()))


def test_stop_cancels_the_generation_at_the_llama_cpp_server(server: tuple[str, Path]) -> None:
    url, log = server
    settings = LLMSettings(base_url=url, model="smollm2", max_tokens=2000, max_answer_chars=100_000,
                           rewrite=False)
    answerer = LLMAnswerer(chat_model(settings), settings)
    signal = StopSignal()
    pieces: list[str] = []
    with pytest.raises(AnswerStopped):
        for piece in answerer.stream(replace(request(LONG, article(SEED_LIKE)), stop=signal)):
            pieces.append(str(piece))
            if len(pieces) == 3:
                signal.stop()  # the reader stops it after the first few tokens
    assert len(pieces) == 3
    wait_until(lambda: "cancel task" in log.read_text(), timeout=60, what="llama.cpp to cancel the task")
    wait_until(lambda: not _busy(url), timeout=60, what="the server's slot to be free")
    # The worker is free: a question asked now is answered (its one slot is not still writing).
    short = LLMSettings(base_url=url, model="smollm2", max_tokens=20, rewrite=False)
    draft = LLMAnswerer(chat_model(short), short).answer(request("Who said it?", article(SEED_LIKE)))
    assert draft.diagnostics.model == "smollm2"
