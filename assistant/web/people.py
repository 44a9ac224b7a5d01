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
from assistant.web.render import ALL, esc
from assistant.web.state import normalise

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


def choices(assistant: Assistant, state: Any) -> list[tuple[str, str]]:
    """(label, person ID) of the people quoted in the browser's scope, most quoted there first.

    The count is of the statements in the scope: in one article, that article's only.
    """
    scope = _scope(state)
    try:
        people = assistant.people(article=scope)
        counts = Counter(q.person_id for q in assistant.quotes(article=scope))
    except Exception:  # an article removed meanwhile: the library's people instead
        people = assistant.people()
        counts = Counter({p.id: p.quotes for p in people})
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
    scope = _scope(state)
    people = {p.id: p for p in assistant.people()}
    person = people.get(person_id)
    if person is None:
        return '<p class="people-none">Nobody by that ID is quoted any more.</p>'
    try:
        found = [q for q in assistant.quotes(article=scope) if q.person_id == person_id]
    except Exception:  # the open article was removed meanwhile: the library's quotes instead
        found = [q for q in assistant.quotes() if q.person_id == person_id]
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
