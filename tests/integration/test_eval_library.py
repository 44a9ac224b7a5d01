"""End to end: `article-assistant eval` on a library question set (``question_type ==
"library"``): one store holds every article (the set's and its one-article companion's),
questions are asked without an article scope, and citations are scored in their own article."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli import cli
from evals import predictions as predictions_io
from evals.dataset import load
from evals.metrics import summarize

TERMINAL = (
    "Port Lanby opens its new ferry terminal\n\n"
    "The Port Lanby ferry terminal opened on Monday after two years of construction. "
    "The terminal cost $45 million and has room for 600 passengers. "
    "Mina Osei, the harbor director, said the first boat left at 6 a.m. with 212 riders on board.\n"
)
STRIKE = (
    "Ferry crews in Port Lanby vote to strike\n\n"
    "Ferry crews in Port Lanby voted on Friday to strike next month "
    "because their pay has not risen since 2019. "
    "Mina Osei has been the harbor director of Port Lanby since 2015. "
    "The union said its talks with the city had failed.\n"
)
LIBRARY_HOURS = (
    "Lanby library extends its hours\n\n"
    "The Lanby public library will stay open until 9 p.m. on weekdays starting in June. "
    "Head librarian Tomas Reyes said evening visits had doubled since 2022.\n"
)
ARTICLES = {"terminal": TERMINAL, "strike": STRIKE, "hours": LIBRARY_HOURS}


def _span(article: str, sentence: str) -> list[int]:
    start = ARTICLES[article].index(sentence)
    return [start, start + len(sentence)]


def _record(qid: str, question: str, answers: list[str], evidence: dict[str, str]) -> dict[str, object]:
    first = next(iter(evidence), "terminal")
    library = [{"article_id": a, "evidence": [_span(a, s)]} for a, s in evidence.items()]
    return {
        "id": qid,
        "source": "mini-library",
        "article_id": first,
        "title": None,
        "text": ARTICLES[first],
        "question": question,
        "answers": answers,
        "evidence": library[0]["evidence"] if library else [],
        "question_type": "library",
        "library_evidence": library,
    }


QUESTIONS = [
    _record(
        "cost",
        "How much did the Port Lanby ferry terminal cost?",
        ["$45 million"],
        {"terminal": "The terminal cost $45 million and has room for 600 passengers."},
    ),
    _record(
        "osei",
        "Who is Mina Osei?",
        ["the harbor director"],
        {
            "terminal": "Mina Osei, the harbor director, said the first boat left at 6 a.m. "
            "with 212 riders on board.",
            "strike": "Mina Osei has been the harbor director of Port Lanby since 2015.",
        },
    ),
    _record(
        "strike",
        "Why did the ferry crews vote to strike?",
        ["their pay has not risen since 2019"],
        {
            "strike": "Ferry crews in Port Lanby voted on Friday to strike next month "
            "because their pay has not risen since 2019."
        },
    ),
    _record("unanswerable", "How many rooms does the new Port Lanby hotel have?", [], {}),
]


@pytest.fixture(scope="module")
def library_set(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("library")
    data = folder / "mini_library_tune.jsonl"
    data.write_text("".join(json.dumps(q) + "\n" for q in QUESTIONS), encoding="utf-8")
    # The companion one-article set gives the library's other articles (here, the library hours).
    hours = "The Lanby public library will stay open until 9 p.m. on weekdays starting in June."
    companion = {
        "id": "hours-q",
        "source": "mini-library",
        "article_id": "hours",
        "title": None,
        "text": LIBRARY_HOURS,
        "question": "Until when will the library stay open?",
        "answers": ["9 p.m."],
        "evidence": [_span("hours", hours)],
        "question_type": "fact",
    }
    (folder / "mini_tune.jsonl").write_text(json.dumps(companion) + "\n", encoding="utf-8")
    return data


@pytest.fixture(scope="module")
def eval_out(library_set: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("eval") / "results"
    result = CliRunner().invoke(cli, ["eval", str(library_set), "--out", str(out)])
    assert result.exit_code == 0, result.output + str(result.exception)
    return out


def test_one_store_holds_every_article_and_citations_name_theirs(eval_out: Path, library_set: Path) -> None:
    metrics = json.loads((eval_out / "metrics.json").read_text())
    assert metrics["dataset"]["articles"] == 3
    for config in metrics["configs"]:
        assert len(metrics["results"][config]["ingest"]["per_article_ms"]) == 3
        for line in (eval_out / config / "predictions.jsonl").read_text().splitlines():
            for c in json.loads(line)["citations"]:
                # Offsets index the cited article's own text.
                assert ARTICLES[c["article"]][c["start"] : c["end"]] == c["text"]


def test_library_questions_are_scored_in_their_articles(eval_out: Path, library_set: Path) -> None:
    records = load(library_set)
    metrics = json.loads((eval_out / "metrics.json").read_text())
    for config in metrics["configs"]:
        preds = predictions_io.read(eval_out / config / "predictions.jsonl")
        stored = metrics["results"][config]
        assert stored["overall"] == summarize(records, preds)["overall"]
    default = metrics["results"]["default"]["overall"]
    assert default["hit_at_3"] == 1.0  # each answerable question cites its evidence among the first three
    assert default["cites_both"] is not None and default["abstention_recall"] is not None
    report = (eval_out / "report.md").read_text()
    assert "cites both" in report and "hit@3" in report
