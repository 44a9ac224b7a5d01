"""HTML for who answered: the chat model, the fallback and why, an answer being generated or stopped.

Split from :mod:`assistant.web.render` (same rules: everything from a model, an
article or a user goes through :func:`~assistant.web.render.esc`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

#: A chat model's raw marker while its answer streams (``[s12]``, ``[a2:s7]``): never shown.
RAW_MARKER = re.compile(r"\s*\[(?:a\d+:)?s\d+\]")
#: The note a stopped answer carries (the page, the Markdown copy, the JSON of the turn).
STOPPED_NOTE = "Stopped: the answer is incomplete, and its citations were not checked."


def _esc(text: object) -> str:
    from assistant.web.render import esc  # render imports this module: resolved at call time

    return esc(text)


def answered_by(answer: Mapping[str, Any]) -> str:
    """Who answered: the chat model, the fallback and why, or a stopped model (nothing for the
    offline answerer)."""
    fallback, model = answer.get("fallback"), answer.get("model")
    if answer.get("stopped"):
        who = f" from <code>{_esc(model)}</code>" if model else ""
        empty = "" if answer.get("text") else " before anything was written"
        return (f'<div class="answered-by stopped" role="note"><span class="stopped-badge">stopped</span> '
                f"Partial answer{who}{empty}; its citations were not checked.</div>")
    if fallback:
        reason = f": {answer['notes'][-1]}" if answer.get("notes") else ""
        label = "Extractive fallback" if fallback == "extractive" else f"Fallback ({fallback})"
        return f'<div class="answered-by fallback" role="note">{_esc(label + reason)}</div>'
    if model:
        return f'<div class="answered-by">Answered by <code>{_esc(model)}</code></div>'
    return ""


def generating(pending: Mapping[str, Any]) -> str:
    """"Generating with MODEL…" over an answer a chat model is writing (nothing for the offline one)."""
    model = pending.get("model")
    if not model or pending.get("interrupted"):
        return ""
    return (f'<div class="answered-by generating" role="status">Generating with '
            f"<code>{_esc(model)}</code>…</div>")


def stopped_answer(shown: str | None, model: str | None) -> dict[str, Any]:
    """The stored answer of a turn the reader stopped: the text shown so far (markers removed), no
    citations (they were never checked), marked ``stopped`` (the JSON shape of ``Answer.to_dict``)."""
    return {
        "text": RAW_MARKER.sub("", shown or "").strip(),
        "mode": "answer",
        "short_answer": None,
        "abstained": False,
        "confidence": 0.0,
        "citations": [],
        "claims": [],
        "timings": {},
        "model": model,
        "fallback": None,
        "notes": [STOPPED_NOTE],
        "query": None,
        "stopped": True,
    }
