"""End to end: `article-assistant eval` on a slice of the dev split, through the real
Assistant, the real bundled model and real Chroma, with the LangChain baseline beside it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import evals
from assistant.cli import cli
from evals import predictions as predictions_io
from evals.dataset import load
from evals.metrics import overlaps, summarize

ROOT = Path(__file__).resolve().parents[2]
DEV = ROOT / "evals" / "data" / "dev.jsonl"
#: One article per source (and a second short PolNeAR one); the CoQA story has an unanswerable turn.
SLICE_ARTICLES = (
    "coqa-test:cnn_eead78f47b474ea4ea1d059a846601fa10efca39.story",
    "squadshifts-nyt:2015/03/27/business/dealbook/citigroup-report-chides-law-firms-for-silence-on-hackings.html",
    "polnear:politico_2016-09-30_flight-attendants-union-endorses",
    "polnear:politico_2016-09-28_axelrod-calls-on-dean-to-apologi",
)
CONFIGS = ("default", "baseline-langchain")
PREDICTION_KEYS = {"id", "answer", "abstained", "citations", "latency_ms"}
CITATION_KEYS = {"start", "end", "text", "sentence_id"}


def _slice(path: Path, articles: tuple[str, ...]) -> Path:
    lines = [
        line
        for line in DEV.read_text(encoding="utf-8").splitlines()
        if json.loads(line)["article_id"] in articles
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def dev_slice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _slice(tmp_path_factory.mktemp("slice") / "slice.jsonl", SLICE_ARTICLES)


@pytest.fixture(scope="module")
def eval_out(dev_slice: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("eval") / "results"
    result = CliRunner().invoke(
        cli, ["eval", str(dev_slice), "--out", str(out), "--compare", ",".join(CONFIGS)]
    )
    assert result.exit_code == 0, result.output + str(result.exception)
    assert "baseline-langchain" in result.output and "wrote" in result.output
    return out


def test_outputs_exist(eval_out: Path) -> None:
    for name in (
        "metrics.json",
        "report.md",
        "metrics.png",
        "metrics_by_source.png",
        "latency.png",
        "reliability.png",
    ):
        assert (eval_out / name).stat().st_size > 0, name
    for config in CONFIGS:
        assert (eval_out / config / "predictions.jsonl").exists()
    for png in eval_out.glob("*.png"):
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # Each config's predictions are written once, in its own folder (no top-level copy).
    assert not (eval_out / "predictions.jsonl").exists()
    report = (eval_out / "report.md").read_text()
    for heading in ("## Overall", "## Per source", "## Per question type", "10 worst misses: `default`"):
        assert heading in report
    assert "`baseline-langchain`" in report
    for row in ("| mode: evidence (closest sentences) |", "| sure and wrong (of all questions) |"):
        assert row in report
    assert not list(eval_out.parent.glob(".results.*")), "the staging folder was left behind"


def test_predictions_have_the_schema_and_offsets_slice_the_text(eval_out: Path, dev_slice: Path) -> None:
    records = {r.id: r for r in load(dev_slice)}
    for config in CONFIGS:
        lines = (eval_out / config / "predictions.jsonl").read_text().splitlines()
        assert [json.loads(line)["id"] for line in lines] == list(records)
        for line in lines:
            data = json.loads(line)
            # The project's answers carry their confidence (for the AUROC) and mode; the baseline neither.
            own = {"confidence", "mode"} if config == "default" else set()
            assert set(data) == PREDICTION_KEYS | own
            if config == "default":
                assert 0.0 <= data["confidence"] <= 1.0
                assert data["mode"] in {"answer", "evidence", "abstain"}
                assert (data["mode"] == "abstain") == data["abstained"]
            text = records[data["id"]].text
            for c in data["citations"]:
                assert set(c) == CITATION_KEYS
                assert text[c["start"] : c["end"]] == c["text"], (config, data["id"], c)


def test_metrics_equal_a_recomputation_from_predictions(eval_out: Path, dev_slice: Path) -> None:
    records = load(dev_slice)
    metrics = json.loads((eval_out / "metrics.json").read_text())
    assert metrics["configs"] == list(CONFIGS)
    assert metrics["dataset"]["questions"] == len(records)
    assert metrics["dataset"]["articles"] == len(SLICE_ARTICLES)
    for config in CONFIGS:
        preds = predictions_io.read(eval_out / config / "predictions.jsonl")
        stored = metrics["results"][config]
        assert {k: stored[k] for k in ("overall", "by_source", "by_question_type")} == summarize(
            records, preds
        )
        # hit@1 once more, by hand, without the metrics module's helpers
        by_id = {p.id: p for p in preds}
        hits = [
            float(bool(by_id[r.id].citations) and not by_id[r.id].abstained
                  and any(overlaps(by_id[r.id].citations[0].span, e) for e in r.evidence))
            for r in records if r.answerable and r.evidence
        ]  # fmt: skip
        assert stored["overall"]["hit_at_1"] == pytest.approx(sum(hits) / len(hits))
        assert set(stored["ingest"]["per_article_ms"]) == set(SLICE_ARTICLES)


def test_two_runs_give_the_same_predictions(tmp_path: Path) -> None:
    small = _slice(tmp_path / "small.jsonl", SLICE_ARTICLES[2:3])
    runs = [evals.run(small, tmp_path / f"run{i}", configs=["default"]) for i in range(2)]
    for config in CONFIGS:
        first, second = (
            [
                {**p.to_dict(), "latency_ms": None}
                for p in predictions_io.read(r.out / config / "predictions.jsonl")
            ]
            for r in runs
        )
        assert first == second and first


def test_a_malformed_line_is_a_one_line_error_and_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    good = DEV.read_text(encoding="utf-8").splitlines()[0]
    record = json.loads(good)
    record["evidence"] = [[10, 5]]
    bad.write_text(good + "\n" + json.dumps(record) + "\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["eval", str(bad), "--out", str(out)])
    assert result.exit_code == 1
    assert "line 2: field 'evidence'" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_an_unknown_config_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["eval", str(DEV), "--out", str(tmp_path / "o"), "--config", "nope"])
    assert result.exit_code == 1
    assert "Unknown eval config 'nope'" in result.output
