"""The state each browser keeps, and how to read it back safely.

A JSON dict ``{"scope": ALL | article_id, "chats": {scope: [turn, …]},
"pending": {"scope": …, "question": …} | None}`` where a turn is
``{"question": str, "answer": Answer.to_dict()}`` and ``pending`` is the
question in flight (so a refresh can show it as interrupted); ``library`` is
what the library panel shows (:class:`assistant.web.library.LibraryView`). It comes back
from the browser, so anything malformed is reset, never trusted.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from assistant.types import Citation, Turn
from assistant.web.library import LibraryView
from assistant.web.render import ALL

#: Turns kept per conversation in the browser, and turns sent as history.
MAX_TURNS = 40
HISTORY_TURNS = 6
#: A pending question longer than this from the browser is dropped (the page refuses far less).
MAX_PENDING_CHARS = 10_000


def normalise(state: Any) -> dict[str, Any]:
    """A well-formed copy of the browser state (anything malformed is reset)."""
    if not isinstance(state, dict):
        return {"scope": ALL, "chats": {}, "pending": None, "library": LibraryView().as_state()}
    chats = state.get("chats")
    if not isinstance(chats, dict):
        chats = {}
    chats = {str(k): list(v) for k, v in chats.items() if isinstance(v, list)}
    scope = state.get("scope")
    return {
        "scope": scope if isinstance(scope, str) and scope else ALL,
        "chats": copy.deepcopy(chats),
        "pending": _pending(state.get("pending")),
        "library": LibraryView.of(state.get("library")).as_state(),
    }


def _pending(value: Any) -> dict[str, str] | None:
    if not isinstance(value, dict):
        return None
    question, scope = value.get("question"), value.get("scope")
    if not isinstance(question, str) or not question.strip() or len(question) > MAX_PENDING_CHARS:
        return None
    if not isinstance(scope, str) or not scope:
        return None
    return {"question": question, "scope": scope}


def history(turns: Sequence[dict[str, Any]]) -> list[Turn]:
    """The stored turns as :class:`Turn` objects for ``Assistant.ask``."""
    result = []
    for t in turns[-HISTORY_TURNS:]:
        a = t["answer"]
        citations = tuple(Citation(**c) for c in a.get("citations", []))
        query = a.get("query") if isinstance(a.get("query"), str) else None
        result.append(Turn(t["question"], a["text"], citations, a.get("short_answer"), query))
    return result
