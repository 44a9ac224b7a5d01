"""Fitted tables live in assistant/data/weights/*.json with their provenance; settings default to them."""

import json
import sys
import tomllib
from pathlib import Path

import pytest

from assistant.settings import WEIGHTS_DIR, AbstainSettings, ConfidenceSettings, SupportSettings, fitted
from evals import weights

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", weights.NAMES)
def test_each_table_has_weights_provenance_and_a_report(name):
    table = json.loads((WEIGHTS_DIR / f"{name}.json").read_text(encoding="utf-8"))
    assert next(iter(table["weights"])) == "bias"
    assert all(isinstance(v, float) for v in table["weights"].values())
    provenance = table["provenance"]
    assert provenance["script"].startswith(f"python -m evals.{'calibrate' if name == 'confidence' else name}")
    assert provenance["commit"] and provenance["data"].startswith("half a")
    assert (ROOT / provenance["report"]).is_file()


def test_settings_defaults_are_the_tables():
    abstain, confidence, support = AbstainSettings(), ConfidenceSettings(), SupportSettings()
    assert abstain.evidence_weights == fitted("abstention")["weights"]
    assert abstain.evidence_threshold == fitted("abstention")["threshold"]
    assert confidence.weights == fitted("confidence")["weights"]
    assert support.weights == fitted("support")["weights"]
    assert support.low_support == fitted("support")["threshold"]
    # Each default is a fresh copy: changing one never changes the next.
    abstain.evidence_weights["bias"] = 99.0
    assert AbstainSettings().evidence_weights["bias"] != 99.0


def test_write_keeps_order_and_records_where_it_came_from(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "argv", ["evals/support.py", "evals/data/dev.jsonl", "--write"])
    path = weights.write(
        "support",
        "about",
        {"bias": 0.1, "lexical": 1.0, "dense": 0.5},
        threshold=0.7,
        data="half a of x",
        options={"l2": 1.0},
        out_dir=tmp_path,
    )
    table = json.loads(path.read_text(encoding="utf-8"))
    assert list(table["weights"]) == ["bias", "lexical", "dense"]
    assert table["threshold"] == 0.7
    assert table["provenance"]["script"].endswith("evals/data/dev.jsonl --write")
    assert table["provenance"]["report"] == "evals/results/weights/support.md"


def test_the_tables_are_package_data():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["assistant"]
    assert "data/weights/*.json" in patterns
