"""article-assistant: answers about news articles, citing the exact sentences.

The names below load on first use, so ``import assistant`` does no work.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.analysis.library_people import Person
    from assistant.api import Assistant
    from assistant.library.quotes import AttributedQuote
    from assistant.settings import Settings
    from assistant.types import Answer, Citation, Turn
    from index.errors import ArticleAssistantError
    from index.models import Article, Passage, Sentence

_HOMES = {
    "Answer": "assistant.types",
    "Article": "index.models",
    "ArticleAssistantError": "index.errors",
    "Assistant": "assistant.api",
    "AttributedQuote": "assistant.library.quotes",
    "Person": "assistant.analysis.library_people",
    "Citation": "assistant.types",
    "Passage": "index.models",
    "Sentence": "index.models",
    "Settings": "assistant.settings",
    "Turn": "assistant.types",
}

__all__ = [
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


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'assistant' has no attribute {name!r}")
