"""The people panel: who is quoted in the open article (or the library), and what each said.

A closed accordion under the library: opening it lists the people quoted in the scope the
browser has open (most quoted first, with how often and how the articles describe them);
picking one shows their statements with the article and sentence IDs to cite, and how their
mentions were merged when that was a guess. Everything comes from the quote index
(:meth:`Assistant.people`, :meth:`Assistant.quotes`), as the ``/quotes`` endpoint does.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import gradio as gr  # type: ignore[import-untyped,unused-ignore]

from assistant.api import Assistant
from assistant.library.quotes import AttributedQuote, QuoteIndex
from assistant.web.render import ALL, esc
from assistant.web.state import normalise
from index.errors import ArticleAssistantError

#: People listed at most in the picker.
MAX_PEOPLE = 200


def people_panel(assistant: Assistant, state: Any, private: dict[str, Any]) -> None:
    """Add the panel where it is called (inside a Blocks column), wired to the browser ``state``."""
    with gr.Accordion("People quoted", open=False, elem_id="people-panel") as panel:
        person = gr.Dropdown(choices=[], value=None, show_label=False, elem_id="people-pick",
                             allow_custom_value=False)
        shown = gr.HTML(elem_id="people-quotes")
    panel.expand(lambda s: gr.update(choices=choices(assistant, s), value=None), inputs=[state],
                 outputs=[person], **private)
    person.change(lambda p, s: quotes_html(assistant, p, s), inputs=[person, state], outputs=[shown],
                  **private)


def _scope(state: Any) -> str | None:
    scope = normalise(state)["scope"]
    return None if scope == ALL else scope


def _scoped(assistant: Assistant, state: Any) -> tuple[QuoteIndex, list[AttributedQuote], str | None]:
    """The quote index (read once per render), the statements in the browser's scope, and the scope:
    the library's when the open article was removed meanwhile."""
    index = assistant.quote_index()
    scope = _scope(state)
    if scope is not None:
        try:
            assistant.get(scope)
        except ArticleAssistantError:
            scope = None
    return index, index.find(article=scope), scope


def choices(assistant: Assistant, state: Any) -> list[tuple[str, str]]:
    """(label, person ID) of the people quoted in the browser's scope, most quoted there first.

    The count is of the statements in the scope: in one article, that article's only.
    """
    index, found, scope = _scoped(assistant, state)
    people = index.people if scope is None else index.in_article(scope)
    counts = Counter(q.person_id for q in found)
    ranked = sorted(people, key=lambda p: -counts[p.id])  # stable: ties keep the index's order
    out = []
    for p in ranked[:MAX_PEOPLE]:
        about = f" — {p.descriptions[0]}" if p.descriptions else ""
        out.append((f"{p.name} ({counts[p.id]}){about}", p.id))
    return out


def quotes_html(assistant: Assistant, person_id: str | None, state: Any) -> str:
    """The statements of ``person_id`` in the browser's scope, each with what to cite, as HTML."""
    if not person_id:
        return ""
    index, found, _ = _scoped(assistant, state)
    person = next((p for p in index.people if p.id == person_id), None)
    if person is None:
        return '<p class="people-none">Nobody by that ID is quoted any more.</p>'
    found = [q for q in found if q.person_id == person_id]
    parts = [f'<div class="people-head"><b>{esc(person.name)}</b>'
             + "".join(f'<div class="people-desc">{esc(d)}</div>' for d in person.descriptions) + "</div>"]
    if person.unsure:
        parts.append('<div class="people-unsure">Merged by a guess: '
                     + esc("; ".join(person.merges)) + "</div>")
    for q in found:
        cited = " ".join(s for _, s in q.cited)
        parts.append(
            f'<blockquote class="people-quote" data-article="{esc(q.article_id)}">{esc(q.text)}'
            f'<footer>{esc(q.kind)} · {esc(q.article_id)} {esc(cited)} · via “{esc(q.mention)}”</footer>'
            "</blockquote>"
        )
    return "".join(parts)
