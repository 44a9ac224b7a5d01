"""Run one config over a question set: ingest each article once, ask each question.

Every config gets a fresh temporary data dir. Articles are ingested in the
order they first appear, each once, and timed; then every question is asked
in file order, scoped to its article and with its dataset ``history``, and
timed. Nothing is random, but Python's hash seed orders some sets that feed
float sums: two runs give the same predictions (latencies aside) under one
``PYTHONHASHSEED``; otherwise ``confidence`` may differ in its last bits. The
predicted answer is the Assistant's answer text as a reader sees
it: the short answer (a speaker, date, number…) on its first line when one was
extracted, then the supporting sentence. Citations are mapped
to offsets into the record's ``text`` and checked to slice it exactly.

Library mode: when the records are library-wide questions (``question_type ==
"library"``), every article (the records' and the extra ``articles`` given) goes
into the one store and each question is asked without an article scope; each
citation then names the dataset ``article_id`` it cites and its offsets index
that article's text.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from evals.configs import EvalConfig
from evals.dataset import EvalRecord
from evals.predictions import OffsetMismatchError, PredictedCitation, Prediction, check_offsets

log = logging.getLogger(__name__)

#: Called after each step with a short label ("default: ingest").
Tick = Callable[[str], None]


class System(Protocol):
    """What the harness drives: the project's Assistant or the baseline."""

    def warm_up(self) -> None:
        """Load models before anything is timed."""
        ...

    def ingest(self, record: EvalRecord) -> str:
        """Store the record's article; return the key to scope questions to."""
        ...

    def ask(self, record: EvalRecord, key: str | None) -> tuple[str, bool, list[PredictedCitation]]:
        """Answer text, whether it abstained, and the cited sentences of the stored article
        (``key`` None: of the whole library, each citation naming its article's key)."""
        ...

    def close(self) -> None:
        """Release the store's files and clients (the temporary store is removed next)."""
        ...


@dataclass(frozen=True, slots=True)
class ConfigRun:
    """Everything one config produced."""

    config: EvalConfig
    predictions: tuple[Prediction, ...]
    #: Milliseconds to ingest each article, by dataset ``article_id``.
    ingest_ms: dict[str, float] = field(default_factory=dict)
    #: Milliseconds to load models before the first timed step.
    warm_up_ms: float = 0.0
    #: Seconds for the whole config, warm-up included.
    wall_s: float = 0.0


class AssistantSystem:
    """The project's :class:`~assistant.api.Assistant`, as the CLI and web app use it."""

    def __init__(self, config: EvalConfig, data_dir: Path) -> None:
        from assistant.api import Assistant

        self.assistant = Assistant(config.settings(data_dir))
        #: The last answer's chat-model counters (None when no model was asked).
        self.last_llm: dict[str, Any] | None = None
        #: The last answer's confidence (for the AUROC and risk-coverage of the report).
        self.last_confidence: float | None = None
        #: The last answer's mode ("answer", "evidence", "abstain"), for the report's mode mix.
        self.last_mode: str | None = None

    def warm_up(self) -> None:
        self.assistant.embedder.embed(["warm up"])

    def close(self) -> None:
        self.assistant.close()

    def ingest(self, record: EvalRecord) -> str:
        article = self.assistant.add_text(record.text, title=record.title, source=record.article_id).article
        if article.text != record.text:
            raise OffsetMismatchError(
                f"Article {record.article_id!r} was stored with a text that differs from the "
                "record's text, so citation offsets cannot be mapped to the record. "
                "add_text must keep the text as given."
            )
        return article.id

    def ask(self, record: EvalRecord, key: str | None) -> tuple[str, bool, list[PredictedCitation]]:
        history = [turn.as_dict() for turn in record.history]
        answer = self.assistant.ask(record.question, article=key, history=history)
        self.last_llm = llm_counters(answer)
        self.last_confidence = float(answer.confidence)
        self.last_mode = answer.mode
        for c in answer.citations:
            if key is not None and c.article_id != key:
                raise OffsetMismatchError(
                    f"Question {record.id!r} was scoped to article {key} but cites {c.article_id}."
                )
        article = (lambda c: None) if key is not None else (lambda c: c.article_id)
        cited = [
            PredictedCitation(c.start, c.end, c.text, c.sentence_id, article(c)) for c in answer.citations
        ]
        # The text as shown: the short answer (when one was extracted) on its first
        # line, then the supporting sentence. metrics.lead() takes the first line for EM/F1.
        return answer.text, answer.abstained, cited


def llm_counters(answer: Any) -> dict[str, Any] | None:
    """What a chat model did for one answer (see :func:`evals.metrics.llm_metrics`); None without one."""
    d = answer.diagnostics
    if d.model is None:
        return None
    return {
        "invented_citations": d.invented_citations,
        "model_citations": d.model_citations,
        "answer_sentences": d.answer_sentences,
        "unsupported_sentences": len(d.unsupported),
        "fallback": d.fallback,
        "tokens_in": d.tokens_in,
        "tokens_out": d.tokens_out,
        "supported_claims": supported_claims(answer),
        "notes": list(d.notes),
    }


def supported_claims(answer: Any) -> int:
    """The model's claims with at least one citation not flagged low support (0 when a fallback answered)."""
    d = answer.diagnostics
    if d.fallback is not None or answer.abstained:
        return 0
    strong = {(c.article_id, c.sentence_id) for c in answer.citations if not c.low_support}
    return len({text for ref, text in d.claims if ref in strong})


def make_system(config: EvalConfig, data_dir: Path) -> System:
    """The system a config names."""
    if config.kind == "baseline":
        from evals.baseline import LangChainBaseline

        return LangChainBaseline(data_dir)
    return AssistantSystem(config, data_dir)


def run_config(
    config: EvalConfig,
    records: Sequence[EvalRecord],
    tick: Tick | None = None,
    articles: Sequence[EvalRecord] = (),
) -> ConfigRun:
    """Evaluate ``config`` on ``records`` in a fresh temporary store; library questions are asked
    of all the records' articles and ``articles`` (records of other questions, for their texts)."""
    tick = tick or (lambda label: None)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix=f"aa-eval-{config.name}-", ignore_cleanup_errors=True) as tmp:
        system = make_system(config, Path(tmp))
        try:
            t0 = time.perf_counter()
            system.warm_up()
            warm_up_ms = (time.perf_counter() - t0) * 1000
            every = [*records, *articles]
            keys, ingest_ms = _ingest_all(system, every, lambda: tick(f"{config.name}: ingest"))
            texts = {r.article_id: r.text for r in distinct_articles(every)}
            names = {key: article_id for article_id, key in keys.items()}
            predictions = []
            for record in records:
                key = None if record.library else keys[record.article_id]
                predictions.append(_ask(system, record, key, names, texts))
                tick(f"{config.name}: ask")
        finally:
            system.close()  # before the temporary store is removed
    wall_s = time.perf_counter() - started
    log.info("%s: %d questions in %.1f s", config.name, len(records), wall_s)
    return ConfigRun(config, tuple(predictions), ingest_ms, round(warm_up_ms, 3), round(wall_s, 3))


def distinct_articles(records: Sequence[EvalRecord]) -> list[EvalRecord]:
    """The first record of each article, in order of first appearance."""
    firsts: dict[str, EvalRecord] = {}
    for r in records:
        firsts.setdefault(r.article_id, r)
    return list(firsts.values())


def _ingest_all(
    system: System, records: Sequence[EvalRecord], tick: Callable[[], None]
) -> tuple[dict[str, str], dict[str, float]]:
    keys: dict[str, str] = {}
    ingest_ms: dict[str, float] = {}
    for record in distinct_articles(records):
        t0 = time.perf_counter()
        keys[record.article_id] = system.ingest(record)
        ingest_ms[record.article_id] = round((time.perf_counter() - t0) * 1000, 3)
        tick()
    return keys, ingest_ms


def _ask(
    system: System, record: EvalRecord, key: str | None, names: dict[str, str], texts: dict[str, str]
) -> Prediction:
    t0 = time.perf_counter()
    text, abstained, citations = system.ask(record, key)
    # A library question's citations name the system's article key: give the dataset's article_id.
    citations = [c if c.article is None else replace(c, article=names[c.article]) for c in citations]
    latency_ms = round((time.perf_counter() - t0) * 1000, 3)
    llm = getattr(system, "last_llm", None)
    confidence = getattr(system, "last_confidence", None)  # the baseline has none
    mode = getattr(system, "last_mode", None)
    prediction = Prediction(record.id, text, abstained, tuple(citations), latency_ms, llm, confidence, mode)
    check_offsets(prediction, record.text, texts)
    return prediction
