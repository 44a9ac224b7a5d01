"""LangChain's own conformance suite for retrievers, run against ArticleRetriever.

The real embedded Chroma store in a temporary data dir, seeded with the seed
article, and the real bundled model. The suite builds the retriever from plain
keyword arguments, as a user would.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from langchain_tests.integration_tests import RetrieversIntegrationTests

from assistant.integrations.langchain import ArticleRetriever
from tests.support import KIRBY_QUESTION, SEED


class TestArticleRetrieverStandard(RetrieversIntegrationTests):
    data_dir: Path

    @pytest.fixture(scope="class", autouse=True)
    def _seeded_store(self, request: pytest.FixtureRequest, tmp_path_factory, embedder) -> None:  # type: ignore[no-untyped-def]
        """A data dir holding the seed article, made before the suite builds any retriever."""
        from assistant.api import Assistant
        from assistant.settings import Settings

        data_dir = tmp_path_factory.mktemp("standard-retriever")
        Assistant(Settings(data_dir=data_dir), embedder=embedder).add(SEED)
        request.cls.data_dir = data_dir

    @property
    def retriever_constructor(self) -> type[ArticleRetriever]:
        return ArticleRetriever

    @property
    def retriever_constructor_params(self) -> dict[str, Any]:
        return {"data_dir": self.data_dir, "k": 4}

    @property
    def retriever_query_example(self) -> str:
        return KIRBY_QUESTION
