"""The llm settings, the registry's ChatOpenAI and the CLI flags (no server needed)."""

from __future__ import annotations

import sys

import pytest
from click.testing import CliRunner

from assistant.settings import Settings, describe
from index.errors import ConfigError


def test_llm_settings_come_from_env_vars(tmp_path):  # type: ignore[no-untyped-def]
    env = {
        "ARTICLE_ASSISTANT_ANSWER__ANSWERER": "llm",
        "ARTICLE_ASSISTANT_ANSWER__FALLBACK": "abstain",
        "ARTICLE_ASSISTANT_LLM__BASE_URL": "http://127.0.0.1:8080/v1",
        "ARTICLE_ASSISTANT_LLM__MODEL": "smollm2",
        "ARTICLE_ASSISTANT_LLM__DEADLINE_S": "12",
        "ARTICLE_ASSISTANT_LLM_API_KEY": "not a setting",  # read by the registry, not a Settings field
    }
    s = Settings.from_env(env, data_dir=tmp_path)
    assert (s.answer.answerer, s.answer.fallback) == ("llm", "abstain")
    assert (s.llm.base_url, s.llm.model, s.llm.deadline_s) == ("http://127.0.0.1:8080/v1", "smollm2", 12.0)


def test_every_llm_and_support_setting_is_described(tmp_path):  # type: ignore[no-untyped-def]
    prefixes = ("llm.", "answer.fallback", "answer.support")
    rows = [r for r in describe(Settings(data_dir=tmp_path)) if r["name"].startswith(prefixes)]
    assert len(rows) >= 15
    assert all(r["description"] for r in rows)
    envs = {r["env"] for r in rows}
    assert {"ARTICLE_ASSISTANT_LLM__BASE_URL", "ARTICLE_ASSISTANT_ANSWER__FALLBACK"} <= envs


@pytest.mark.parametrize("bad", [{"answer.fallback": "maybe"}, {"llm.retries": -1}, {"llm.deadline_s": 0}])
def test_bad_llm_values_are_config_errors(tmp_path, bad):  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError):
        Settings(data_dir=tmp_path).with_(**bad)


def _llm(tmp_path, **llm):  # type: ignore[no-untyped-def]
    changes = {"answer.answerer": "llm", **{f"llm.{k}": v for k, v in llm.items()}}
    return Settings(data_dir=tmp_path).with_(**changes)


def test_the_registry_builds_chat_openai_without_its_own_retries(tmp_path):  # type: ignore[no-untyped-def]
    from langchain_openai import ChatOpenAI

    from assistant.answer.llm import LLMAnswerer
    from assistant.registry import make_answerer

    settings = _llm(tmp_path, base_url="http://127.0.0.1:9/v1", model="smollm2", timeout_s=7, max_tokens=123)
    answerer = make_answerer(settings)
    assert isinstance(answerer, LLMAnswerer)
    model = answerer.chat_model
    assert isinstance(model, ChatOpenAI)
    assert (model.model_name, model.openai_api_base) == ("smollm2", "http://127.0.0.1:9/v1")
    assert (model.max_retries, model.request_timeout) == (0, 7.0)
    assert (model.max_tokens, model.temperature, model.stream_usage) == (123, 0.0, True)
    assert answerer.fallback is not None and answerer.fallback.name == "extractive"
    abstaining = make_answerer(settings.with_(**{"answer.fallback": "abstain"}))
    assert isinstance(abstaining, LLMAnswerer) and abstaining.fallback is None


def test_api_key_order(tmp_path):  # type: ignore[no-untyped-def]
    from assistant.registry import NO_KEY, api_key

    local = _llm(tmp_path, base_url="http://127.0.0.1:9/v1", model="m").llm
    both = {"ARTICLE_ASSISTANT_LLM_API_KEY": "mine", "OPENAI_API_KEY": "openai"}
    assert api_key(local, both) == "mine"
    assert api_key(local, {"OPENAI_API_KEY": "openai"}) == "openai"
    assert api_key(local, {}) == NO_KEY  # a local server needs none
    named = _llm(tmp_path, base_url="http://127.0.0.1:9/v1", model="m", api_key_env="MY_KEY").llm
    assert api_key(named, {"MY_KEY": "k", **both}) == "k"
    with pytest.raises(ConfigError, match="MY_KEY"):
        api_key(named, both)
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        api_key(_llm(tmp_path, model="gpt-x").llm, {})


def test_the_llm_answerer_needs_a_model_name(tmp_path):  # type: ignore[no-untyped-def]
    from assistant.registry import check

    with pytest.raises(ConfigError, match="--llm-model"):
        check(_llm(tmp_path, base_url="http://127.0.0.1:9/v1"))


def test_a_missing_langchain_openai_gives_the_install_command(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    from assistant.registry import chat_model

    monkeypatch.setitem(sys.modules, "langchain_openai", None)
    with pytest.raises(ConfigError, match=r"pip install 'article-assistant\[llm\]'"):
        chat_model(_llm(tmp_path, base_url="http://127.0.0.1:9/v1", model="m").llm)


@pytest.mark.parametrize("command", ["ask", "chat", "serve"])
def test_ask_chat_and_serve_take_the_llm_flags(command):  # type: ignore[no-untyped-def]
    from assistant.cli import cli

    out = CliRunner().invoke(cli, [command, "--help"])
    assert out.exit_code == 0
    for flag in ("--answerer", "--llm-base-url", "--llm-model", "--llm-api-key-env"):
        assert flag in out.output


def test_the_eval_command_takes_the_llm_flags():
    from evals.cli import eval_

    out = CliRunner().invoke(eval_, ["--help"])
    for flag in ("--answerer", "--llm-base-url", "--llm-model", "--llm-api-key-env"):
        assert flag in out.output


def test_flags_without_a_model_are_a_one_line_error(tmp_path):  # type: ignore[no-untyped-def]
    from assistant.cli import cli

    out = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "ask", "Who?", "--answerer", "llm",
                                   "--llm-base-url", "http://127.0.0.1:9/v1"])
    assert out.exit_code == 1
    assert out.output.strip().splitlines() == [
        "error: The 'llm' answerer needs a model name: pass --llm-model NAME "
        "(or set ARTICLE_ASSISTANT_LLM__MODEL)."
    ]
