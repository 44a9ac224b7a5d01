"""What the CLI prints: answers with their citations and notes, add results and check reports.

The commands in :mod:`assistant.cli` parse, call the Assistant and hand the result here.
"""

from __future__ import annotations

from typing import Any

import click

from assistant.answer.base import StreamingAnswerer
from assistant.terminal import safe


def print_answer(answer: Any, shown: str | None = None, question: str | None = None) -> None:
    """The answer (unless ``shown``, the streamed text, already was it), how the question was
    understood when a follow-up was rewritten, its citations and notes."""
    for note in answer.diagnostics.notes:
        click.echo(click.style(f"note: {safe(note)}", fg="yellow"), err=True)
    if answer.mode == "evidence":
        # Not sure: the sentences are the closest the article has, not an answer (they follow, cited).
        click.echo(click.style("Not sure. Closest sentences:", fg="yellow"))
    elif shown is None or shown.strip() != answer.text.strip():
        click.echo(click.style(safe(answer.text), bold=not answer.abstained, dim=answer.abstained))
    query = answer.diagnostics.query
    if question and query and query.strip() != question.strip():
        click.echo(click.style(f"(understood as: {safe(query)})", dim=True))
    for n, c in enumerate(answer.citations, start=1):
        flag = " (low support)" if c.low_support else ""
        support = "" if c.support is None else f" support {c.support:.2f}"
        click.echo(f"  [{n}] {c.article_id}/{c.sentence_id}{flag}{support}: {safe(c.text)}")
    for sentence in answer.diagnostics.unsupported if not answer.diagnostics.fallback else ():
        click.echo(click.style(f"  no valid citation for: {safe(sentence)}", dim=True))
    click.echo(click.style(f"  mode {answer.mode}, confidence {answer.confidence:.2f}", dim=True))


def streamed(assistant: Any, question: str, article_id: str | None, history: list[Any]) -> tuple[Any, str]:
    """Ask with ``ask_stream``, printing the text as it arrives; the Answer and the text shown.

    An answerer that does not stream is asked whole, so that nothing is printed before the
    answer's mode is known (an unsure answer's header goes before its sentences)."""
    if not isinstance(assistant.answerer, StreamingAnswerer):
        return assistant.ask(question, article=article_id, history=history), ""
    shown = ""
    answer = None
    try:
        for piece in assistant.ask_stream(question, article=article_id, history=history):
            if isinstance(piece, str):
                click.echo(safe(piece), nl=False)
                shown += piece
            else:
                answer = piece
    finally:
        if shown:
            click.echo()
    return answer, shown


def add_summary(result: Any) -> dict[str, Any]:
    """An :class:`~index.build.AddResult` as the JSON ``add --json`` prints."""
    return {
        "id": result.article.id,
        "created": result.created,
        "title": result.article.label,
        "sentences": len(result.article.sentences),
        "dropped": [{"text": d.text, "reason": d.reason} for d in result.dropped],
    }


def check_report(found: Any, repair: bool) -> dict[str, Any]:
    """A :class:`~index.writes.StoreCheck` as the JSON ``check --json`` prints."""
    return {
        "orphaned_passages": dict(found.orphans),
        "incomplete_articles": {i: {"passages": p, "sentences": n} for i, (p, n) in found.incomplete.items()},
        "unfinished_writes": found.unfinished,
        "consistent": found.consistent,
        "repaired": repair,
    }


def print_check(found: Any, repair: bool) -> None:
    """A :class:`~index.writes.StoreCheck` for people: what was found (or repaired) and what to do."""
    if found.consistent:
        click.echo("The store is consistent.")
    for article_id, count in sorted(found.orphans.items()):
        verb = "removed" if repair else "found"
        click.echo(f"{verb} {count} passages of missing article {article_id}")
    for article_id, (passages, sentences) in sorted(found.incomplete.items()):
        if repair:
            click.echo(f"embedded again the passages of article {article_id} "
                       f"({passages} of {sentences} were stored)")
        else:
            click.echo(f"article {article_id} has {passages} passages for {sentences} sentences")
    if found.unfinished:
        click.echo(f"{found.unfinished} add(s) or removal(s) are under way in other processes; not checked.")
    if not found.consistent and not repair:
        click.echo("Run `article-assistant check --repair` to remove orphaned passages and embed "
                   "missing ones again (or `article-assistant remove ID` and add the article again).")
