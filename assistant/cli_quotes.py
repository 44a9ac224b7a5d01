"""How ``article-assistant quotes`` shows the quote index: people with their quotes, or JSON."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import click

from assistant.terminal import safe


def print_quotes(quotes: Sequence[Any], people: Sequence[Any], unindexed: Sequence[str]) -> None:
    """Each person (name, descriptions, merge doubts) with their quotes and citations, for people."""
    by_person: dict[str, list[Any]] = {}
    for quote in quotes:
        by_person.setdefault(quote.person_id, []).append(quote)
    shown = {p.id: p for p in people}
    for person_id, theirs in by_person.items():
        person = shown[person_id]
        about = f" — {'; '.join(person.descriptions)}" if person.descriptions else ""
        click.echo(click.style(safe(f"{person.name}{about}"), bold=True) + f"  [{person.id}]")
        for merge in person.merges:  # how the mentions were merged (or kept apart), a guess flagged
            click.echo(click.style(("  unsure: " if person.unsure else "  ") + safe(merge), dim=True))
        for quote in theirs:
            cited = " ".join(s for _, s in quote.cited)
            click.echo(f"  {quote.kind:8} {safe(quote.text)}")
            where = f"           [{quote.article_id} {cited}] via {safe(quote.mention)!r}"
            click.echo(click.style(where, dim=True))
    if not quotes:
        click.echo("No attributed statements found.")
    if unindexed:
        click.echo(f"{len(unindexed)} article(s) stored before the quote index are not included: "
                   "run `article-assistant check --repair` to index them.")
