"""The library panel's own events: searching it and turning its pages.

Both re-render the library only (and the state that remembers what it shows); the
chat and the article view stay as they are. Wired up in :mod:`assistant.web.app`.
"""

from __future__ import annotations

from typing import Any

import gradio as gr  # type: ignore[import-untyped,unused-ignore]

from assistant.web.handlers import ChatHandlers
from assistant.web.library import MAX_QUERY_CHARS, LibraryView
from assistant.web.state import normalise


class LibraryEvents:
    """Search and paging over the library; outputs: the library HTML and the state."""

    def __init__(self, handlers: ChatHandlers) -> None:
        self.handlers = handlers

    def search(self, query: str | None, state: Any) -> tuple[Any, Any]:
        """Show the first page of what matches ``query`` (titles, sources, dates)."""
        state = normalise(state)
        state["library"] = LibraryView((query or "")[:MAX_QUERY_CHARS], 0).as_state()
        return self._library(state)

    def page(self, state: Any, event: gr.EventData) -> tuple[Any, Any]:
        """A paging button (``{"page": n}``): show that page of the current search."""
        state = normalise(state)
        page = (getattr(event, "_data", None) or {}).get("page")
        shown = LibraryView.of(state["library"])
        state["library"] = LibraryView.of({"query": shown.query, "page": page}).as_state()
        return self._library(state)

    def _library(self, state: dict[str, Any]) -> tuple[Any, Any]:
        h = self.handlers
        return ChatHandlers._guard(lambda: (h.library(state, h.assistant.summaries()), state))
