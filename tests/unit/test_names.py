"""The collection-prefix rule has one home (index.names) that settings use and the store agrees with."""

import pytest

from assistant.settings import Settings
from index import names, store
from index.errors import ConfigError


def test_settings_take_the_rule_and_defaults_from_index_names():
    s = Settings().store
    assert (s.collection_prefix, s.tenant, s.database) == (
        names.DEFAULT_PREFIX,
        names.DEFAULT_TENANT,
        names.DEFAULT_DATABASE,
    )
    assert Settings(store={"collection_prefix": "newsroom_"}).store.collection_prefix == "newsroom_"
    with pytest.raises(ConfigError, match="collection_prefix"):
        Settings(store={"collection_prefix": "_bad"})


def test_the_store_takes_its_names_from_index_names():
    with pytest.raises(ConfigError, match="1 to 63 letters"):
        store.ChromaStore(None, store.StoreFingerprint("m", 3, 1), prefix="_bad")
    assert (store.DEFAULT_PREFIX, store.DEFAULT_TENANT, store.DEFAULT_DATABASE) == (
        names.DEFAULT_PREFIX,
        names.DEFAULT_TENANT,
        names.DEFAULT_DATABASE,
    )
    assert names.collection_names() == (store.PASSAGES, store.ARTICLES)


@pytest.mark.parametrize("prefix", ["", "_x", "a" * 64, "a b", "a/b"])
def test_bad_prefixes_are_refused_with_the_rule(prefix):
    with pytest.raises(ConfigError, match="1 to 63 letters"):
        names.check_prefix(prefix)
    with pytest.raises(ConfigError):
        Settings(store={"collection_prefix": prefix})


def test_collection_names():
    assert names.collection_names("b_") == ("b_passages", "b_articles")
