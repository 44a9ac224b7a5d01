"""Deployments sharing one Chroma server (or data dir) see and delete only their own articles."""

from __future__ import annotations

import pytest

from tests.support import SEED

OTHER = (
    "The city council of Riverton voted 5 to 2 on Tuesday to approve a new budget for road repairs. "
    "Council member Dana Whitfield voted against the plan, saying it ignored the east side."
)


def _assistant(settings, embedder, **store):  # type: ignore[no-untyped-def]
    from assistant.api import Assistant

    return Assistant(settings.with_(**{f"store.{k}": v for k, v in store.items()}), embedder=embedder)


@pytest.mark.parametrize(
    "separation", [{"collection_prefix": "newsroom_"}, {"database": "newsroom_db"}, {"tenant": "newsroom"}]
)
def test_two_deployments_on_one_server_are_apart(separation, clean_server, settings, embedder):
    shared = settings.with_(chroma_url=clean_server)
    first = _assistant(shared, embedder)
    second = _assistant(shared, embedder, **separation)
    seed = first.add(str(SEED)).article
    other = second.add_text(OTHER).article
    assert [a.id for a in first.articles()] == [seed.id]
    assert [a.id for a in second.articles()] == [other.id]
    with pytest.raises(Exception, match="No article with ID"):
        second.remove(seed.id)
    assert [a.id for a in first.articles()] == [seed.id]
    second.remove(other.id)
    if "database" in separation or "tenant" in separation:
        from assistant.api import Assistant

        # A third deployment on the same server, same prefix, in the default database, sees only the first's.
        assert [a.id for a in Assistant(shared, embedder=embedder).articles()] == [seed.id]


def test_prefixes_separate_libraries_in_one_data_dir(settings, embedder):
    first = _assistant(settings, embedder)
    second = _assistant(settings, embedder, collection_prefix="b_")
    first.add(str(SEED))
    assert second.articles() == []


def test_a_chroma_url_with_a_path_is_refused_with_the_fix(settings):
    from assistant.api import Assistant
    from index.errors import ConfigError

    with pytest.raises(ConfigError, match="STORE__DATABASE"):
        _ = Assistant(settings.with_(chroma_url="http://127.0.0.1:9/deployment-a")).store


def test_mismatch_on_a_server_suggests_another_prefix(clean_server, settings, embedder):
    from index.errors import StoreMismatchError

    shared = settings.with_(chroma_url=clean_server)
    _assistant(shared, embedder).add(str(SEED))
    with pytest.raises(StoreMismatchError, match="COLLECTION_PREFIX"):
        _ = _assistant(shared.with_(**{"index.passage_window": 2}), embedder).store
