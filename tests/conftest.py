"""Shared fixtures: the real bundled model, real Chroma (embedded and server)."""

from __future__ import annotations

import os
import shutil
import tempfile

# Before any library import: no hub, no telemetry, no analytics.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
# Every run starts with an empty cache dir (ONNX export, BM25 segments, vector files, listings):
# a test that passed only because an earlier run had warmed the user's cache hid a first-use
# bug (issue 19, finding 4). One dir for the whole session, so the export happens once per run.
# XDG_CACHE_HOME moves the default of Settings() and OnnxEmbedder() (platformdirs); the
# ARTICLE_ASSISTANT_ variable names the same folder for Settings.from_env and the CLI and serve
# subprocesses, which inherit both.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="article-assistant-test-cache-")
os.environ["ARTICLE_ASSISTANT_CACHE_DIR"] = os.path.join(os.environ["XDG_CACHE_HOME"], "article-assistant")

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.llm_servers import ScriptedServer
from tests.support import SEED

COLD_CACHE = Path(os.environ["XDG_CACHE_HOME"])


@pytest.fixture(scope="session", autouse=True)
def _remove_the_cold_cache() -> Iterator[None]:
    yield
    shutil.rmtree(COLD_CACHE, ignore_errors=True)


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
    from index.store import ARTICLES, DEFAULT_PREFIX, PASSAGES, make_client

    client = make_client(url=chroma_server)
    existing = {c.name for c in client.list_collections()}
    for name in (PASSAGES, ARTICLES, DEFAULT_PREFIX + "journal"):
        if name in existing:
            client.delete_collection(name)
    return chroma_server


@pytest.fixture(scope="module")
def scripted_server() -> Iterator[ScriptedServer]:
    """A scripted OpenAI-compatible server on loopback, one per test module (integration and e2e)."""
    with ScriptedServer() as s:
        yield s


@pytest.fixture
def settings(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Settings on a fresh embedded store in a temporary data dir."""
    from assistant.settings import Settings

    return Settings(data_dir=tmp_path / "data")


@pytest.fixture
def assistant(settings, embedder):  # type: ignore[no-untyped-def]
    """A real Assistant on an empty embedded store (closed after the test)."""
    from assistant.api import Assistant

    with Assistant(settings, embedder=embedder) as made:
        yield made


@pytest.fixture(scope="module", autouse=True)
def _close_assistants() -> Iterator[None]:
    """Close, at the end of each test module, every Assistant its tests and fixtures made and left
    open: the suite makes hundreds, and each held a Chroma client's descriptors until the garbage
    collector ran (the process once passed 1,024). Closing twice is harmless."""
    import weakref

    from assistant.api import Assistant

    made: weakref.WeakSet[Assistant] = weakref.WeakSet()
    init = Assistant.__init__

    def tracked(self: Assistant, *args: object, **kwargs: object) -> None:
        init(self, *args, **kwargs)  # type: ignore[arg-type]
        made.add(self)

    Assistant.__init__ = tracked  # type: ignore[method-assign]
    try:
        yield
    finally:
        Assistant.__init__ = init  # type: ignore[method-assign]
        for assistant in list(made):
            assistant.close()
