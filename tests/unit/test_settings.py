"""Nested, validated settings: env names, one-line errors before the store is touched."""

from __future__ import annotations

import pytest

from assistant.settings import AbstainSettings, Settings, describe
from index.errors import ConfigError


def test_nested_env_names_and_json_values(tmp_path):
    env = {
        "ARTICLE_ASSISTANT_DATA_DIR": str(tmp_path),
        "ARTICLE_ASSISTANT_RETRIEVAL__CANDIDATES": "12",
        "ARTICLE_ASSISTANT_RERANK__FOLLOW_ON": "[0.5, 0.25]",
        "ARTICLE_ASSISTANT_FETCH__ALLOW_PRIVATE": "true",
        "ARTICLE_ASSISTANT_AUTH": "user:pass",  # the CLI's own, not a setting: ignored here
    }
    s = Settings.from_env(env)
    assert s.retrieval.candidates == 12
    assert s.rerank.follow_on == (0.5, 0.25)
    assert s.fetch.allow_private is True
    assert s.data_dir == tmp_path


def test_first_release_flat_names_still_work(tmp_path):
    s = Settings.from_env({"ARTICLE_ASSISTANT_TOP_K": "5", "ARTICLE_ASSISTANT_PASSAGE_WINDOW": "2"})
    assert (s.retrieval.top_k, s.index.passage_window) == (5, 2)


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"ARTICLE_ASSISTANT_TOP_K": "abc"}, "ARTICLE_ASSISTANT_RETRIEVAL__TOP_K"),
        ({"ARTICLE_ASSISTANT_PASSAGE_WINDOW": "7"}, "ARTICLE_ASSISTANT_INDEX__PASSAGE_WINDOW"),
        ({"ARTICLE_ASSISTANT_RETRIEVAL__FUSION": "max"}, "ARTICLE_ASSISTANT_RETRIEVAL__FUSION"),
        ({"ARTICLE_ASSISTANT_RETRIEVAL__TOPK": "4"}, "ARTICLE_ASSISTANT_RETRIEVAL__TOPK"),
    ],
)
def test_a_bad_value_is_one_line_naming_the_setting_and_value(env, named):
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(env)
    message = str(caught.value)
    assert named in message
    assert "\n" not in message
    value = next(iter(env.values()))
    assert repr(value) in message or "Unknown setting" in message


def test_overrides_take_dotted_or_nested_names():
    s = Settings.from_env({}, **{"retrieval.top_k": 3}, answer={"quote_margin": 0.2})
    assert s.retrieval.top_k == 3
    assert s.answer.quote_margin == 0.2
    # the rest of the section keeps its defaults
    assert s.answer.abstain.min_window_coverage == AbstainSettings().min_window_coverage
    assert s.with_(**{"rerank.phrase": 0.3}).rerank.phrase == 0.3


def test_settings_are_frozen():
    s = Settings()
    with pytest.raises(Exception):  # noqa: B017 (pydantic's ValidationError for frozen instances)
        s.retrieval.top_k = 3  # type: ignore[misc]


def test_every_setting_is_described():
    rows = describe(Settings())
    assert len(rows) >= 30
    assert all(r["description"] for r in rows), [r["name"] for r in rows if not r["description"]]
    assert {"rerank.answer_type", "answer.abstain.min_dense", "answer.confidence.weights"} <= {
        r["name"] for r in rows
    }


def test_cli_bad_env_value_is_one_line_and_touches_no_store(tmp_path):
    from click.testing import CliRunner

    from assistant.cli import cli

    data = tmp_path / "data"
    seed = tmp_path / "a.txt"
    seed.write_text("One sentence about a council vote. Another about the mayor's budget plan today.")
    result = CliRunner().invoke(
        cli, ["--data-dir", str(data), "add", str(seed)], env={"ARTICLE_ASSISTANT_PASSAGE_WINDOW": "7"}
    )
    assert result.exit_code == 1
    assert "ARTICLE_ASSISTANT_INDEX__PASSAGE_WINDOW" in result.output
    assert "Traceback" not in result.output
    assert not data.exists(), "the store must not be created with a rejected setting"


def test_config_command_shows_effective_values(tmp_path):
    import json

    from click.testing import CliRunner

    from assistant.cli import cli

    result = CliRunner().invoke(
        cli,
        ["--data-dir", str(tmp_path), "config", "--json"],
        env={"ARTICLE_ASSISTANT_RETRIEVAL__TOP_K": "6"},
    )
    assert result.exit_code == 0, result.output
    values = json.loads(result.output)
    assert values["retrieval.top_k"] == 6
    assert values["data_dir"] == str(tmp_path)
