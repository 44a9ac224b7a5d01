"""The benchmark runs end to end at a tiny size (it reports timings; nothing here asserts one)."""

from __future__ import annotations

import json

from click.testing import CliRunner

from evals.cli import bench


def test_bench_command_writes_its_table_json_and_plot(tmp_path):
    out = tmp_path / "out"
    args = ["--sizes", "1,3", "--repeats", "1", "--one-at-a-time", "2", "--textbook", "2", "--out", str(out),
            "--work-dir", str(tmp_path), "--sweep", "2,9"]
    result = CliRunner().invoke(bench, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    data = json.loads((out / "bench.json").read_text())
    assert set(data["sizes"]) == {"1", "3"}
    three = data["sizes"]["3"]
    assert three["ingest"]["bulk"]["articles"] == 3 and three["ingest"]["one_at_a_time"]["articles"] == 2
    assert three["textbook_ingest"]["bulk"]["articles"] == 2
    for key in ("library_warm_p50", "scoped_warm_p50", "first_library_after_open", "ask_after_add_p50"):
        assert three["ask_ms"][key] > 0
    assert three["ratios"]["bulk"] > 0 and three["peak_rss_mb"] > 0
    for way in ("bulk", "one_at_a_time"):  # ingest over the encoder's own time on the same passages
        assert three["ingest"][way]["encoder_ratio"] > 0
    assert set(data["sweep"]) == {"2", "9"}  # add-then-ask on one library grown to 2, then 9 articles
    assert data["sweep"]["9"]["articles"] == 9 and data["sweep"]["9"]["ask_after_add_p50"] > 0
    assert three["cold"]["heavy_imports_on_ask"] == []  # the ONNX encoder serves: no torch
    warm = three["warm_cli"]  # CLI asks while `serve` runs on the library: all answered by it
    assert warm["served"] == warm["asks"] == 11 and warm["heavy_imports_on_served_ask"] == []
    assert warm["scoped_s_median"] > 0 and warm["library_s_median"] > 0
    assert "second CLI ask with a running `serve`" in result.output
    served = three["server"]  # the same library again through `chroma run` on loopback
    assert served["ask_ms"]["library_warm_p50"] > 0 and served["server_peak_rss_mb"] > 0
    assert "| ingest, bulk: sentences/s |" in result.output
    assert "Add one article, then ask library-wide" in result.output
    assert (out / "latency_vs_size.png").stat().st_size > 1000
