"""The write path: read, clean, split, embed and store articles."""

from index.build import AddResult, add_article, article_id, prepare
from index.errors import ArticleAssistantError
from index.ingest import RawArticle, read_source, read_text
from index.models import Article, Passage, Sentence

__all__ = [
    "AddResult",
    "Article",
    "ArticleAssistantError",
    "Passage",
    "RawArticle",
    "Sentence",
    "add_article",
    "article_id",
    "prepare",
    "read_source",
    "read_text",
]
