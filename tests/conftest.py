"""Shared fixtures: the real bundled model, real Chroma (embedded and server)."""

from __future__ import annotations

import os

# Before any library import: no hub, no telemetry, no analytics.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import SEED


@pytest.fixture(scope="session")
def seed_path() -> Path:
    return SEED


@pytest.fixture(scope="session")
def embedder():  # type: ignore[no-untyped-def]
    """The real bundled all-MiniLM-L6-v2, loaded once per test session."""
    from index.embed.sentence_transformers import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder()


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `chroma run` server on a free loopback port; yields its URL."""
    from evals.bench_server import chroma_server as run

    path = tmp_path_factory.mktemp("chroma-server")
    with run(path / "db", path / "server.log") as (url, _):
        yield url


@pytest.fixture
def clean_server(chroma_server: str) -> str:
    """The session's Chroma server with this project's collections dropped."""
    from index.store import ARTICLES, PASSAGES, make_client

    client = make_client(url=chroma_server)
    existing = {c.name for c in client.list_collections()}
    for name in (PASSAGES, ARTICLES):
        if name in existing:
            client.delete_collection(name)
    return chroma_server


@pytest.fixture
def settings(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Settings on a fresh embedded store in a temporary data dir."""
    from assistant.settings import Settings

    return Settings(data_dir=tmp_path / "data")


@pytest.fixture
def assistant(settings, embedder):  # type: ignore[no-untyped-def]
    """A real Assistant on an empty embedded store."""
    from assistant.api import Assistant

    return Assistant(settings, embedder=embedder)
