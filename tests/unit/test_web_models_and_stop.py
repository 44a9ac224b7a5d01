"""The web page's model picker and Stop, as plain functions: what the browser sends is checked, a
session's stop reaches only its own answer, and a stopped answer is rendered and kept as such."""

from __future__ import annotations

import threading
from types import SimpleNamespace

from assistant.registry import answerer_choices
from assistant.settings import Settings
from assistant.web.models_picker import ModelPicker
from assistant.web.render import render_chat
from assistant.web.render_llm import STOPPED_NOTE, generating, stopped_answer
from assistant.web.stopping import Runs


class _Assistant:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def answerer_choices(self):  # type: ignore[no-untyped-def]
        return answerer_choices(self.settings)


def _picker() -> ModelPicker:
    settings = Settings().with_(**{"answer.answerer": "llm", "llm.base_url": "http://10.0.0.5:8000/v1",
                                   "llm.model": "qwen", "llm.choices": ["llama@http://10.0.0.6:11434/v1"]})
    return ModelPicker(_Assistant(settings))  # type: ignore[arg-type]


def test_the_picker_offers_the_configured_models_and_the_offline_answerer_by_key_only() -> None:
    picker = _picker()
    assert [(c.key, c.label) for c in picker.choices] == [
        ("llm:qwen", "qwen"), ("llm:llama", "llama"), ("extractive", "Offline (extractive)")]
    assert picker.choice("llm:llama").base_url == "http://10.0.0.6:11434/v1"
    # Anything else the browser sends (a URL, a made-up key, junk) is the default, never a new address.
    for forged in ("http://169.254.169.254/v1", "llm:gpt-4@http://evil.example/v1", None, 7, ""):
        assert picker.choice(forged) == picker.default
    html = str(picker.dropdown().get_config())
    assert "10.0.0.5" not in html and "10.0.0.6" not in html  # the servers' addresses stay on the server


def test_a_stop_reaches_only_its_own_sessions_answer() -> None:
    runs = Runs()
    mine, other = SimpleNamespace(session_hash="a"), SimpleNamespace(session_hash="b")
    with runs.run(mine) as signal, runs.run(other) as theirs:
        assert runs.running() == 2
        runs.stop(mine)
        assert signal.stopped and not theirs.stopped
    assert runs.running() == 0
    runs.stop(mine)  # nothing running: nothing happens


def test_a_new_question_stops_the_sessions_previous_answer() -> None:
    runs = Runs()
    me = SimpleNamespace(session_hash="a")
    with runs.run(me) as first:
        with runs.run(me) as second:
            assert first.stopped and not second.stopped
        assert runs.running() == 0


def test_the_stop_signal_wakes_its_watchers_once_from_any_thread() -> None:
    from assistant.answer.stop import StopSignal

    signal, seen = StopSignal(), []
    unwatch = signal.watch(lambda: seen.append("a"))
    signal.watch(lambda: seen.append("b"))
    unwatch()
    thread = threading.Thread(target=signal.stop)
    thread.start()
    thread.join()
    signal.stop()
    assert seen == ["b"]
    signal.watch(lambda: seen.append("late"))  # already stopped: at once
    assert seen == ["b", "late"]


def test_a_stopped_answer_keeps_what_was_shown_marked_stopped() -> None:
    answer = stopped_answer("John Kirby said [s5] that they", "qwen")
    assert answer["text"] == "John Kirby said that they" and answer["stopped"] is True
    assert answer["citations"] == [] and answer["notes"] == [STOPPED_NOTE]
    html = render_chat([{"question": "Who?", "answer": answer}], "the article", {})
    assert "stopped-badge" in html and "Partial answer from <code>qwen</code>" in html
    assert "John Kirby said that they" in html and "[s5]" not in html
    empty = render_chat([{"question": "Who?", "answer": stopped_answer(None, "qwen")}], "the article", {})
    assert "before anything was written" in empty


def test_generating_names_the_model_and_escapes_it() -> None:
    assert generating({"model": "<b>m</b>"}) == ('<div class="answered-by generating" role="status">'
                                                  "Generating with <code>&lt;b&gt;m&lt;/b&gt;</code>…</div>")
    assert generating({"model": None}) == "" and generating({"model": "m", "interrupted": True}) == ""
    html = render_chat([], "the article", {}, pending={"question": "Who?", "text": None, "model": "qwen"})
    assert "Generating with <code>qwen</code>" in html


def test_an_unknown_answerer_key_is_refused_by_the_assistant(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import pytest

    from assistant.components import Components
    from index.errors import InputError

    settings = Settings(data_dir=tmp_path).with_(**{
        "answer.answerer": "llm", "llm.base_url": "http://127.0.0.1:9/v1", "llm.model": "a",
        "llm.choices": ["b"]})
    components = Components(settings)
    assert components.answering(None) == components.answering("llm:a")  # the default
    chosen, _ = components.answering("llm:b")
    assert getattr(chosen, "model_name", None) == "b"
    assert components.answering("llm:b")[0] is chosen  # built once
    assert components.answering("extractive")[0].name == "extractive"
    with pytest.raises(InputError, match="There is no answerer 'llm:c' here; choose one of: a, b, Offline"):
        components.answering("llm:c")
