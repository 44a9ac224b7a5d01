"""article-assistant: answers about news articles, citing the exact sentences."""

from assistant.api import Assistant
from assistant.models import Answer, Citation, Turn
from assistant.settings import Settings
from index.errors import ArticleAssistantError
from index.models import Article, Passage, Sentence

__all__ = [
    "Answer",
    "Article",
    "ArticleAssistantError",
    "Assistant",
    "Citation",
    "Passage",
    "Sentence",
    "Settings",
    "Turn",
]
