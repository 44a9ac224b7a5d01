"""What the CLI prints: answers with their citations and notes, add results and check reports.

The commands in :mod:`assistant.cli` parse, call the Assistant and hand the result here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import click

from assistant.terminal import safe
from assistant.types import numbered

#: A citation marker as the chat model's stream shows it: ``[s12]``, ``[a2:s7]``.
_STREAM_MARKER = re.compile(r"\[((?:a\d+:)?s\d+)\]")
_NUMBERS = re.compile(r"\s*\[\d+\]|\s*\(unsupported\)|\s+")


def numbered_text(answer: Any) -> str:
    """The answer text with ``[n]`` (the listed citation's number) after each claim, and
    "(unsupported)" after a claim whose citations are all low-support (or that has none)."""
    return numbered(answer.text, [c.to_dict() for c in answer.claims])


def who_answered(answer: Any) -> str | None:
    """"answered by MODEL", or "FALLBACK fallback: REASON" when the chat model's answer was not used."""
    d = answer.diagnostics
    if d.fallback:
        reason = d.notes[-1] if d.notes else "the model's answer was not used"
        return f"{d.fallback} fallback: {reason}"
    return f"answered by {d.model}" if d.model else None


def print_answer(answer: Any, shown: str | None = None, question: str | None = None) -> None:
    """The answer with numbered markers (unless ``shown``, the streamed text, already was it), how
    the question was understood when a follow-up was rewritten, who answered, its citations and notes."""
    notes = answer.diagnostics.notes
    if answer.diagnostics.fallback:
        notes = notes[:-1]  # the fallback's reason is said once, in the "who answered" line below
    for note in notes:
        click.echo(click.style(f"note: {safe(note)}", fg="yellow"), err=True)
    text = numbered_text(answer)
    if answer.mode == "evidence":
        # Not sure: the sentences are the closest the article has, not an answer (they follow, cited).
        click.echo(click.style("Not sure. Closest sentences:", fg="yellow"))
    elif shown is None or _NUMBERS.sub("", shown) != _NUMBERS.sub("", text):
        if shown:
            click.echo(click.style("Answer, checked:", dim=True))
        click.echo(click.style(safe(text), bold=not answer.abstained, dim=answer.abstained))
    query = answer.diagnostics.query
    if question and query and query.strip() != question.strip():
        click.echo(click.style(f"(understood as: {safe(query)})", dim=True))
    if who := who_answered(answer):
        click.echo(click.style(safe(who), fg="yellow" if answer.diagnostics.fallback else None, dim=True))
    for n, c in enumerate(answer.citations, start=1):
        flag = " (low support)" if c.low_support else ""
        support = "" if c.support is None else f" support {c.support:.2f}"
        page = "" if c.page is None else f" (p. {c.page})"
        click.echo(f"  [{n}] {c.article_id}/{c.sentence_id}{page}{flag}{support}: {safe(c.text)}")
    click.echo(click.style(f"  mode {answer.mode}, confidence {answer.confidence:.2f}", dim=True))


def renumber(piece: str, numbers: dict[str, int]) -> str:
    """A streamed piece with its ``[sN]`` markers as ``[n]``, numbered in order of first appearance
    (the order of the answer's citations)."""

    def number(m: re.Match[str]) -> str:
        return f"[{numbers.setdefault(m[1].lower(), len(numbers) + 1)}]"

    return _STREAM_MARKER.sub(number, piece)


def hear_ctrl_c() -> None:
    """Make Ctrl-C raise KeyboardInterrupt again if this process was started ignoring it.

    A non-interactive shell starts its background jobs with SIGINT ignored, and Python then keeps
    ignoring it: the chat's "Ctrl-C stops an answer" would silently not hold (seen in CI).
    """
    import signal

    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def streamed(
    assistant: Any, question: str, article_id: str | None, history: Sequence[Any]
) -> tuple[Any, str]:
    """Ask with ``ask_stream``, printing the text as it arrives (markers numbered); the Answer and the
    text shown. Ctrl-C stops the answer: no Answer (None), and the text shown so far.

    An answerer that does not stream is asked whole, so that nothing is printed before the
    answer's mode is known (an unsure answer's header goes before its sentences)."""
    from assistant.answer.base import StreamingAnswerer

    if not isinstance(assistant.answerer, StreamingAnswerer):
        try:
            return assistant.ask(question, article=article_id, history=history), ""
        except KeyboardInterrupt:
            return None, ""
    shown = ""
    answer = None
    numbers: dict[str, int] = {}
    stream = assistant.ask_stream(question, article=article_id, history=history)
    try:
        for piece in stream:
            if isinstance(piece, str):
                piece = renumber(piece, numbers)
                click.echo(safe(piece), nl=False)
                shown += piece
            else:
                answer = piece
    except KeyboardInterrupt:
        stream.close()  # hangs up on the model server now (it stops generating)
        return None, shown
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
        "notes": list(result.notes),
    }


def check_report(found: Any, repair: bool) -> dict[str, Any]:
    """A :class:`~index.writes.StoreCheck` as the JSON ``check --json`` prints."""
    return {
        "orphaned_passages": dict(found.orphans),
        "incomplete_articles": {i: {"passages": p, "sentences": n} for i, (p, n) in found.incomplete.items()},
        "unfinished_writes": found.unfinished,
        "unindexed_quotes": list(found.unquoted),
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
    if found.unquoted:
        verb = "indexed the quotes of" if repair else "the quote index lacks"
        click.echo(f"{verb} {len(found.unquoted)} article(s) stored before it"
                   + ("" if repair else ": run `article-assistant check --repair` to index them"))
    if found.unfinished:
        click.echo(f"{found.unfinished} add(s) or removal(s) are under way in other processes; not checked.")
    if not found.consistent and not repair:
        click.echo("Run `article-assistant check --repair` to remove orphaned passages and embed "
                   "missing ones again (or `article-assistant remove ID` and add the article again).")
