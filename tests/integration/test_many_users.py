"""Many users at once: no global lock, and other processes' writes seen at the next call."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

from tests.support import KIRBY_QUESTION, ROOT

SECOND = (
    "The city council of Riverton voted 5 to 2 on Tuesday to approve a new budget for road repairs. "
    "Council member Dana Whitfield voted against the plan, saying it ignored the east side."
)


def _cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "assistant", "--data-dir", str(data_dir), *args],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )


def test_another_process_adds_and_removes_are_seen_at_the_next_call(assistant, settings, tmp_path, seed_path):
    seed = assistant.add(str(seed_path)).article
    assert [a.id for a in assistant.articles()] == [seed.id]
    assistant.ask(KIRBY_QUESTION)  # builds and caches the library-wide index
    other = tmp_path / "council.txt"
    other.write_text(SECOND, encoding="utf-8")

    added = _cli(settings.data_dir, "add", "--json", str(other))
    assert added.returncode == 0, added.stderr
    ids = [a.id for a in assistant.articles()]
    assert len(ids) == 2 and seed.id in ids
    new_id = next(i for i in ids if i != seed.id)
    answer = assistant.ask("Who voted against the plan?")
    assert {c.article_id for c in answer.citations} == {new_id}

    removed = _cli(settings.data_dir, "remove", new_id)
    assert removed.returncode == 0, removed.stderr
    assert [a.id for a in assistant.articles()] == [seed.id]
    assert all(c.article_id == seed.id for c in assistant.ask("Who voted against the plan?").citations)


class _SlowDocuments:
    """The real embedder, but embedding an article's passages waits until released."""

    def __init__(self, real):  # type: ignore[no-untyped-def]
        self.real, self.name, self.dimension = real, real.name, real.dimension
        self.started, self.release = threading.Event(), threading.Event()

    def embed(self, texts):  # type: ignore[no-untyped-def]
        if len(texts) > 1:  # an article's passages, not a question
            self.started.set()
            self.release.wait(timeout=60)
        return self.real.embed(texts)


def test_a_slow_add_does_not_hold_up_a_question(settings, embedder, seed_path, tmp_path):
    from assistant.api import Assistant

    slow = _SlowDocuments(embedder)
    assistant = Assistant(settings, embedder=slow)
    slow.release.set()
    seed = assistant.add(str(seed_path)).article
    slow.release.clear()
    other = tmp_path / "council.txt"
    other.write_text(SECOND, encoding="utf-8")
    adding = threading.Thread(target=assistant.add, args=(str(other),))
    adding.start()
    try:
        assert slow.started.wait(timeout=60)
        answer = assistant.ask(KIRBY_QUESTION, article=seed.id)  # while the add is stuck embedding
        assert adding.is_alive(), "the add must still be in progress"
        assert (answer.short_answer or "").startswith("John Kirby")
    finally:
        slow.release.set()
        adding.join(timeout=60)
    assert len(assistant.articles()) == 2


def test_concurrent_questions_get_the_answers_of_serial_ones(assistant, seed_path):
    article = assistant.add(str(seed_path)).article
    asked = [KIRBY_QUESTION, "How many countries have banned cluster munitions?", "Who posted the video?"]
    questions = asked * 4
    serial = {q: assistant.ask(q, article=article.id).to_dict()["citations"] for q in set(questions)}
    results: dict[int, object] = {}

    def ask(i: int, q: str) -> None:
        results[i] = assistant.ask(q, article=article.id).to_dict()["citations"]

    threads = [threading.Thread(target=ask, args=(i, q)) for i, q in enumerate(questions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert all(results[i] == serial[q] for i, q in enumerate(questions))


def test_the_same_text_added_from_three_threads_is_created_once(assistant, seed_path) -> None:  # type: ignore[no-untyped-def]
    """One link pasted in three tabs at once: one add stores it, the others find it stored."""
    start = threading.Barrier(3)
    results = []
    errors: list[BaseException] = []

    def add() -> None:
        start.wait()
        try:
            results.append(assistant.add(str(seed_path)))
        except BaseException as e:  # reported below, not lost in the thread
            errors.append(e)

    threads = [threading.Thread(target=add) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(r.created for r in results) == [False, False, True]
    assert len({r.article.id for r in results}) == 1 and len(assistant.articles()) == 1
