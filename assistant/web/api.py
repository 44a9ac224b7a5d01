"""The web app's named API: plain functions over the Assistant, for scripts and AI assistants.

``/ask``, ``/articles``, ``/add_url`` and ``/quotes`` are the only endpoints a client can
call (``gradio_client.Client(url).predict(..., api_name="/ask")``); the UI's
own events are private. With ``serve --mcp`` the same functions are MCP tools.
Removal is not offered here: it needs the confirmation the page shows.
"""

from __future__ import annotations

import logging
from typing import Any

import gradio as gr  # type: ignore[import-untyped,unused-ignore]

from assistant.api import Assistant
from assistant.types import article_summary
from assistant.web.render import esc
from index.errors import ArticleAssistantError

log = logging.getLogger(__name__)


class WebAPI:
    """The endpoints, bound to one Assistant."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant

    def ask(
        self, question: str, article_id: str | None = None, history: list[list[str]] | None = None
    ) -> dict:
        """Answer a question about one stored article (or all), citing the article's sentences.

        Args:
            question: The question, e.g. "Who said cluster munitions are effective?".
            article_id: The article to answer from (see /articles); empty for all articles.
            history: Earlier turns as [question, answer] pairs, oldest first, for follow-ups.

        Returns:
            The answer: text, short_answer, abstained, confidence, and citations, each with
            article_id, sentence_id, start, end (offsets into the article text), text and support.
        """
        turns = [{"question": str(q), "answer": str(a)} for q, a in _pairs(history)]
        return self._call(lambda: self.assistant.ask(question, article=article_id or None, history=turns)
                          .to_dict())

    def articles(self) -> list[dict]:
        """The stored articles: id, title, source, url, date, sentences (count), added_at.

        ``source`` is the link for a web page and the file's name for a file.
        """
        return self._call(lambda: [_public(article_summary(a)) for a in self.assistant.summaries()])

    def add_url(self, url: str) -> dict:
        """Add the news article at an http(s) link; returns the stored article (or says why not).

        Args:
            url: A link to the article's own page, starting with https://.
        """
        def add() -> dict[str, Any]:
            result = self.assistant.add_url(url)
            return {**_public(article_summary(result.article)), "created": result.created}

        return self._call(add)

    def quotes(
        self, person: str | None = None, article_id: str | None = None, topic: str | None = None
    ) -> dict:
        """Who said what: the attributed statements in the stored articles, and who said them.

        Args:
            person: Only this person's statements: a name ("John Kirby"), a surname ("Kirby": everyone
                of that name the library keeps apart) or a person ID; empty for everyone.
            article_id: Only statements in this article (see /articles); empty for all articles.
            topic: Only statements about these words, best match first; empty for all.

        Returns:
            people: the people concerned (id, name, descriptions, articles, quotes, unsure, merges: how
            their mentions were merged); quotes: each statement's text, kind (direct or reported),
            person_id, speaker, mention, description, article_id, sentence_ids, attribution_id and cited
            (the [article_id, sentence_id] pairs to cite).
        """
        def find() -> dict[str, Any]:
            found = self.assistant.quotes(person=person or None, article=article_id or None,
                                          topic=topic or None)
            return self.assistant.quote_index().report(found)

        return self._call(find)

    @staticmethod
    def _call(run: Any) -> Any:
        try:
            return run()
        except ArticleAssistantError as e:
            raise gr.Error(esc(str(e))) from e
        except Exception as e:
            log.exception("web API call failed")
            raise gr.Error("Something went wrong on the server; the details are in its log.") from e


def _public(summary: dict[str, Any]) -> dict[str, Any]:
    """``summary`` without the server's own paths: a file's source is its name only.

    The operator's folders (user names, layout) are nothing the web's readers need.
    """
    source = summary.get("source")
    if isinstance(source, str) and "://" not in source:
        summary["source"] = source.replace("\\", "/").rsplit("/", 1)[-1]
    return summary


def _pairs(history: Any) -> list[tuple[Any, Any]]:
    if not history:
        return []
    if not isinstance(history, list) or not all(isinstance(t, list | tuple) and len(t) == 2 for t in history):
        raise gr.Error("history must be a list of [question, answer] pairs.")
    return [(t[0], t[1]) for t in history]
