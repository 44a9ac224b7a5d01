"""Fixtures shared by the integration tests of the LLM path (the scripted server: tests/conftest.py)."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(scope="module")
def seeded_store(tmp_path_factory, embedder, seed_path) -> tuple[Any, Any]:  # type: ignore[no-untyped-def]
    """Settings on a fresh data dir holding the seed article, and that article."""
    from assistant.api import Assistant
    from assistant.settings import Settings

    settings = Settings(data_dir=tmp_path_factory.mktemp("seeded"))
    with Assistant(settings, embedder=embedder) as writer:
        article = writer.add(str(seed_path)).article
    return settings, article
