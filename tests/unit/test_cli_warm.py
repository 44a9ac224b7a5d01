"""The CLI's fast path to a running `serve`: what it sends, what it rebuilds, what it imports."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from assistant import cli_warm, serve_link
from assistant.settings import Settings
from assistant.settings_env import LEGACY_ENV
from assistant.types import Answer, Citation, Claim, Diagnostics, claims_of
from index.errors import ArticleNotFoundError, ConfigError
from tests.support import ROOT

#: What the fast path must not import: each costs 0.1-1 s of a question that takes ~0.1 s.
HEAVY = ("pydantic", "numpy", "chromadb", "onnxruntime", "torch", "spacy", "gradio", "langchain_core")


def test_the_cli_module_and_its_fast_path_import_nothing_heavy():
    code = ("import sys, assistant.cli, assistant.cli_warm, assistant.types\n"
            f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""


def test_the_defaults_read_without_the_schema_are_the_schemas():
    assert Settings.model_fields["cli"].default_factory().serve_wait_s == cli_warm.DEFAULT_WAIT_S
    top_level = {name.upper() for name, f in Settings.model_fields.items()
                 if not isinstance(f.default_factory, type)}
    assert set(LEGACY_ENV) | top_level <= cli_warm.FLAT_SETTINGS


def test_the_api_key_is_compared_by_its_hash_where_the_registry_reads_it():
    from assistant.registry import API_KEY_ENVS

    assert serve_link.API_KEY_ENVS == API_KEY_ENVS
    env = {"OPENAI_API_KEY": "k1", "MINE": "k2"}
    assert serve_link.key_fingerprint(env, None) == serve_link.key_fingerprint({"OPENAI_API_KEY": "k1"}, None)
    assert serve_link.key_fingerprint(env, "MINE") not in (None, serve_link.key_fingerprint(env, None))
    assert serve_link.key_fingerprint(env, "UNSET") is None


def test_only_settings_are_sent_not_keys_or_passwords():
    env = {"ARTICLE_ASSISTANT_RETRIEVAL__TOP_K": "4", "ARTICLE_ASSISTANT_TOP_K": "5",
           "ARTICLE_ASSISTANT_LLM_API_KEY": "secret", "ARTICLE_ASSISTANT_AUTH": "u:p", "HOME": "/x"}
    assert cli_warm.settings_env(env) == {
        "ARTICLE_ASSISTANT_RETRIEVAL__TOP_K": "4", "ARTICLE_ASSISTANT_TOP_K": "5",
    }


def test_an_answer_comes_back_as_it_went():
    cites = (Citation("a1", "s3", 10, 20, "Kirby said.", low_support=False, support=0.8123456, page=2),
             Citation("a1", "s4", 21, 30, "Not quite.", low_support=True))
    answer = Answer("Kirby said so.", cites, False, confidence=0.712345, short_answer="Kirby",
                    timings={"total": 12.3456}, mode="evidence",
                    diagnostics=Diagnostics(query="who?", fallback="extractive", notes=("n",), model="m"),
                    claims=claims_of("Kirby said so.", cites))
    data = answer.to_dict()
    assert Answer.from_dict(data).to_dict() == data
    assert Answer.from_dict(data).claims == (Claim("Kirby said so.", 0, 14, (0, 1), True),)


def test_the_servers_error_is_the_package_error_it_named():
    error = cli_warm.package_error("ArticleNotFoundError", "No article with ID 'x'.")
    assert isinstance(error, ArticleNotFoundError) and str(error) == "No article with ID 'x'."
    assert isinstance(cli_warm.package_error("ConfigError", "bad"), ConfigError)
    assert type(cli_warm.package_error("NoSuchError", "m")).__name__ == "ArticleAssistantError"
    assert type(cli_warm.package_error("Exception", "m")).__name__ == "ArticleAssistantError"


@pytest.mark.parametrize("response", [
    b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nabc",  # cut off
    b"HTTP/1.1 200 OK\r\n\r\n{}",  # no length
    b"garbage",
])
def test_a_reply_that_is_not_whole_is_refused(response):
    with pytest.raises(ValueError):
        cli_warm._parse(response)


def test_signatures_bind_token_nonce_body_and_side():
    token, nonce = "ab" * 32, serve_link.new_nonce()
    signature = serve_link.sign(token, nonce, b"x", "request")
    assert serve_link.verify(token, nonce, b"x", "request", signature)
    assert not serve_link.verify(token, nonce, b"x", "answer", signature)
    assert not serve_link.verify(token, nonce, b"y", "request", signature)
    assert not serve_link.verify("cd" * 32, nonce, b"x", "request", signature)
    assert serve_link.fresh(nonce) and not serve_link.fresh("0:abc") and not serve_link.fresh("x")


def test_an_advert_others_can_read_is_ignored(tmp_path):
    advert = serve_link.advertise(tmp_path, "127.0.0.1", 1, "0")
    assert serve_link.find(tmp_path) == advert
    (tmp_path / serve_link.FILENAME).chmod(0o644)
    assert serve_link.find(tmp_path) is None
    serve_link.withdraw(tmp_path, advert)
    assert not (tmp_path / serve_link.FILENAME).exists()
