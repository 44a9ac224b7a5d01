"""ask(config=...) reports to LangChain callbacks: one chain run, a retriever run and an answer run inside.

Real embedded Chroma and the real bundled model; a fake chat model stands in
for an LLM answerer. Without a config, asking imports no LangChain.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage
from langchain_core.runnables import RunnableLambda

from assistant.answer.base import AnswerRequest, Draft
from index.errors import InputError
from tests.support import KIRBY_QUESTION, ROOT, SEED

KIRBY = "They’re using them effectively"


@dataclass
class Event:
    kind: str
    name: str | None
    run_id: UUID
    parent_run_id: UUID | None
    tags: list[str]
    payload: Any = None


class Recorder(BaseCallbackHandler):
    """Every start, end and error, with its run, parent run and tags."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self._names: dict[UUID, str | None] = {}

    def _add(self, kind: str, run_id: UUID, parent_run_id: UUID | None, payload: Any, kw: dict) -> None:
        if kind.endswith("_start"):
            self._names[run_id] = kw.get("name")
        self.events.append(
            Event(kind, self._names.get(run_id), run_id, parent_run_id, list(kw.get("tags") or []), payload)
        )

    def on_chain_start(self, serialized, inputs, *, run_id, parent_run_id=None, **kw):  # type: ignore[no-untyped-def]
        self._add("chain_start", run_id, parent_run_id, inputs, kw)

    def on_chain_end(self, outputs, *, run_id, parent_run_id=None, **kw):  # type: ignore[no-untyped-def]
        self._add("chain_end", run_id, parent_run_id, outputs, kw)

    def on_chain_error(self, error, *, run_id, parent_run_id=None, **kw):  # type: ignore[no-untyped-def]
        self._add("chain_error", run_id, parent_run_id, error, kw)

    def on_retriever_start(self, serialized, query, *, run_id, parent_run_id=None, **kw):  # type: ignore[no-untyped-def]
        self._add("retriever_start", run_id, parent_run_id, query, kw)

    def on_retriever_end(self, documents, *, run_id, parent_run_id=None, **kw):  # type: ignore[no-untyped-def]
        self._add("retriever_end", run_id, parent_run_id, documents, kw)

    def on_retriever_error(self, error, *, run_id, parent_run_id=None, **kw):  # type: ignore[no-untyped-def]
        self._add("retriever_error", run_id, parent_run_id, error, kw)

    def on_chat_model_start(self, serialized, messages, *, run_id, parent_run_id=None, **kw):  # type: ignore[no-untyped-def]
        self._add("chat_model_start", run_id, parent_run_id, messages, kw)

    def started(self, kind: str, name: str) -> Event:
        [event] = [e for e in self.events if e.kind == f"{kind}_start" and e.name == name]
        return event

    def ended(self, event: Event) -> Event:
        [end] = [e for e in self.events if e.run_id == event.run_id and not e.kind.endswith("_start")]
        return end

    def kinds(self) -> list[tuple[str, str | None]]:
        return [(e.kind, e.name) for e in self.events]


@pytest.fixture
def seeded(assistant, seed_path):  # type: ignore[no-untyped-def]
    return assistant, assistant.add(seed_path).article


def _check_ask_runs(recorder: Recorder, top_name: str, answer: Any, article_id: str) -> Event:
    top = recorder.started("chain", top_name)
    assert top.parent_run_id is None
    assert top.payload["question"] == KIRBY_QUESTION
    retrieve = recorder.started("retriever", "retrieve")
    assert retrieve.parent_run_id == top.run_id
    assert retrieve.payload == KIRBY_QUESTION
    documents = recorder.ended(retrieve).payload
    kirby = [d for d in documents if KIRBY in d.page_content]
    assert kirby and kirby[0].id == f"{article_id}:{kirby[0].metadata['sentence_id']}"
    answering = recorder.started("chain", "answer")
    assert answering.parent_run_id == top.run_id
    assert recorder.ended(answering).payload["text"] == answer.text
    end = recorder.ended(top)
    assert end.kind == "chain_end"
    assert end.payload["text"] == answer.text
    assert end.payload["citations"] == [c.to_dict() for c in answer.citations]
    assert recorder.kinds() == [
        ("chain_start", top_name),
        ("retriever_start", "retrieve"),
        ("retriever_end", "retrieve"),
        ("chain_start", "answer"),
        ("chain_end", "answer"),
        ("chain_end", top_name),
    ]
    return top


def test_ask_with_callbacks_tags_and_run_name(seeded):
    assistant, article = seeded
    recorder = Recorder()
    config = {"callbacks": [recorder], "tags": ["reader-7"], "run_name": "my-ask"}
    answer = assistant.ask(KIRBY_QUESTION, config=config)  # type: ignore[arg-type]
    assert "John Kirby" in answer.text
    _check_ask_runs(recorder, "my-ask", answer, article.id)
    assert all("reader-7" in e.tags for e in recorder.events if e.kind.endswith("_start"))


def test_ask_stream_with_callbacks(seeded):
    assistant, article = seeded
    recorder = Recorder()
    *pieces, answer = assistant.ask_stream(KIRBY_QUESTION, config={"callbacks": [recorder]})
    assert "".join(pieces) == answer.text
    _check_ask_runs(recorder, "article_assistant", answer, article.id)


def test_the_chain_is_one_run_in_a_users_chain(seeded):
    assistant, article = seeded
    recorder = Recorder()
    pick = RunnableLambda(lambda x: x["text"], name="pick")
    answer = (pick | assistant.chain()).invoke({"text": KIRBY_QUESTION}, config={"callbacks": [recorder]})
    sequence = next(e for e in recorder.events if e.kind == "chain_start" and e.parent_run_id is None)
    ours = recorder.started("chain", "article_assistant")  # exactly one: no run around the ask's run
    assert ours.parent_run_id == sequence.run_id
    assert recorder.started("retriever", "retrieve").parent_run_id == ours.run_id
    assert recorder.started("chain", "answer").parent_run_id == ours.run_id
    assert recorder.ended(ours).payload["text"] == answer.text


def test_a_failed_ask_is_reported_as_errors(seeded):
    assistant, _ = seeded
    recorder = Recorder()
    with pytest.raises(InputError, match="The question is empty"):
        assistant.ask("   ", config={"callbacks": [recorder]})
    assert recorder.kinds() == [
        ("chain_start", "article_assistant"),
        ("retriever_start", "retrieve"),
        ("retriever_error", "retrieve"),
        ("chain_error", "article_assistant"),
    ]
    assert isinstance(recorder.events[-1].payload, InputError)


class ChatAnswerer:
    """An answerer that asks a LangChain chat model and cites the best candidate."""

    name = "fake-chat"

    def __init__(self, model: GenericFakeChatModel) -> None:
        self.model = model

    def answer(self, request: AnswerRequest) -> Draft:
        best = request.hits[0]
        sentence = request.articles[best.article_id].sentence(best.sentence_id)
        reply = self.model.invoke(f"Answer {request.question!r} from: {sentence.text}")
        return Draft(text=str(reply.content), cited=(best.ref,), abstained=False, confidence=0.9)


def test_a_chat_model_inside_the_answerer_is_a_child_of_the_answer_run(settings, embedder, seed_path):
    from assistant.api import Assistant

    model = GenericFakeChatModel(messages=iter([AIMessage("Kirby."), AIMessage("Kirby again.")]))
    assistant = Assistant(settings, embedder=embedder, answerer=ChatAnswerer(model))
    assistant.add(seed_path)
    recorder = Recorder()
    answer = assistant.ask(KIRBY_QUESTION, config={"callbacks": [recorder], "tags": ["t"]})
    assert answer.text == "Kirby."
    [chat] = [e for e in recorder.events if e.kind == "chat_model_start"]
    assert chat.parent_run_id == recorder.started("chain", "answer").run_id
    assert "t" in chat.tags
    # Without a config the model still answers, reporting to no one.
    assert assistant.ask(KIRBY_QUESTION).text == "Kirby again."


def test_asking_without_a_config_imports_no_langchain(tmp_path):
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from assistant.api import Assistant\n"
        "from assistant.settings import Settings\n"
        f"a = Assistant(Settings(data_dir=Path({str(tmp_path)!r})))\n"
        f"a.add({str(SEED)!r})\n"
        f"answer = a.ask({KIRBY_QUESTION!r})\n"
        "*_, streamed = a.ask_stream('Who is John Kirby?')\n"
        "print('KIRBY' if 'Kirby' in answer.text else 'NO')\n"
        "print('LOADED:' + ','.join(sorted(m for m in sys.modules if m.startswith('langchain'))))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "KIRBY" in out.stdout
    assert out.stdout.rsplit("LOADED:", 1)[1].strip() == ""
