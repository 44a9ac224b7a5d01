"""What the core reaches only through a lazy import or an entry point: the quote extraction the
write path runs, and the LangChain adapter (the layer above the core, found by its entry point)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from index.errors import ConfigError

if TYPE_CHECKING:
    from index.quotes import QuoteExtractor

#: Where the LangChain adapter registers itself (pyproject.toml): the core never imports it.
PLUGINS = "article_assistant.integrations"


def extractor() -> QuoteExtractor:
    """The quote extraction the write path runs on every new article (imported when adding)."""
    from assistant.analysis.quotes import extract_quotes

    return extract_quotes


def langchain() -> Any:
    """The LangChain adapter module (:mod:`assistant.integrations.langchain`), found through its
    entry point, so that the core never imports the integration layer above it."""
    from importlib.metadata import entry_points

    for found in entry_points(group=PLUGINS, name="langchain"):
        return found.load()
    raise ConfigError(
        "The LangChain integration is not registered: reinstall the package (pip install -e .)."
    )
