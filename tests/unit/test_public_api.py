"""The public API is small and pinned."""

from __future__ import annotations

import assistant


def test_all_is_pinned():
    assert sorted(assistant.__all__) == [
        "Answer",
        "Article",
        "ArticleAssistantError",
        "Assistant",
        "AttributedQuote",
        "Citation",
        "Passage",
        "Person",
        "Sentence",
        "Settings",
        "Turn",
    ]
    for name in assistant.__all__:
        assert getattr(assistant, name) is not None


def test_settings_from_env(tmp_path):
    from assistant.settings import Settings

    env = {
        "ARTICLE_ASSISTANT_DATA_DIR": str(tmp_path),
        "ARTICLE_ASSISTANT_CHROMA_URL": "http://127.0.0.1:9000",
        "ARTICLE_ASSISTANT_TOP_K": "5",
    }
    s = Settings.from_env(env, **{"retrieval.top_k": None})
    assert (s.data_dir, s.chroma_url, s.retrieval.top_k) == (tmp_path, "http://127.0.0.1:9000", 5)
    assert Settings.from_env(env, **{"retrieval.top_k": 3}).retrieval.top_k == 3


def test_unknown_answerer_is_a_config_error():
    import pytest

    from assistant.registry import make_answerer
    from assistant.settings import Settings
    from index.errors import ConfigError

    with pytest.raises(ConfigError, match="Unknown answerer 'magic'"):
        make_answerer(Settings(answer={"answerer": "magic"}))
