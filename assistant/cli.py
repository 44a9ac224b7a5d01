"""The ``article-assistant`` command: a thin layer over :class:`Assistant`.

Each command parses its arguments, calls the API and formats the result;
errors from the package, and store, server and disk failures (mapped by
:func:`index.faults.translate`), become one ``error:`` line on stderr and exit
status 1. Stderr carries nothing else unless ``-v`` (:mod:`assistant.cli_logging`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from assistant.cli_logging import configure as configure_logging
from assistant.cli_models import models, serve_llm_options, with_models
from assistant.cli_output import add_summary, check_report, hear_ctrl_c, print_answer, print_check, streamed
from assistant.cli_warm import SettingsRequest
from assistant.terminal import safe
from assistant.types import article_summary
from index.errors import ArticleAssistantError, InputError

EXIT_ERROR = 1
#: Where the group keeps ``-v``'s count for the error handler (``ctx.meta``).
VERBOSITY = "article_assistant.verbosity"


#: Other packages add commands through this entry-point group (the eval harness adds
#: ``eval`` and ``bench``), so this package never imports them until they are run.
PLUGIN_GROUP = "article_assistant.commands"


class _Group(click.Group):
    """Turns package errors into a one-line message, in one place; loads plugin commands."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *(ep.name for ep in _plugins())})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        found = super().get_command(ctx, name)
        if found is not None:
            return found
        for ep in _plugins():
            if ep.name == name:
                command = ep.load()
                return command if isinstance(command, click.Command) else None
        return None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Abort, click.exceptions.Exit):
            raise  # usage errors and exits: click prints and exits itself
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)
        except Exception as e:
            # Store, server and disk failures raised outside the API (or by a plugin command) are
            # mapped here as at the API's boundary; anything else is a bug: its traceback with -v.
            from index.faults import translate

            settings = ctx.obj
            found = translate(
                e, server=getattr(settings, "chroma_url", None), folder=getattr(settings, "data_dir", None)
            )
            if found is None and ctx.meta.get(VERBOSITY, 0) > 0:
                raise
            message = str(found) if found is not None else (
                f"unexpected {type(e).__name__}: {str(e).rstrip('.')}. This is a bug; run the command "
                "again with -v to see where it happened, and report it."
            )
            click.echo(f"error: {safe(message)}", err=True)
            sys.exit(EXIT_ERROR)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(
    package_name="article-assistant", prog_name="article-assistant", message="%(prog)s %(version)s"
)
@click.option(
    "--data-dir",
    type=click.Path(path_type=Path),
    envvar="ARTICLE_ASSISTANT_DATA_DIR",
    help="Folder of the embedded store [env ARTICLE_ASSISTANT_DATA_DIR].",
)
@click.option(
    "--chroma-url",
    envvar="ARTICLE_ASSISTANT_CHROMA_URL",
    help="Use a Chroma server at this URL instead [env ARTICLE_ASSISTANT_CHROMA_URL].",
)
@click.option(
    "-v", "--verbose", count=True,
    help="Also show the libraries' log lines and progress bars on stderr (-vv: debug lines too).",
)
@click.pass_context
def cli(ctx: click.Context, data_dir: Path | None, chroma_url: str | None, verbose: int) -> None:
    """Ask questions about news articles; every answer cites the article's sentences."""
    # First, before a command imports transformers, tqdm or onnxruntime: they read it at import.
    configure_logging(verbose)
    ctx.meta[VERBOSITY] = verbose
    request = SettingsRequest(data_dir, chroma_url)
    # `ask` may be answered by a running `serve`: it validates its settings only when it answers itself.
    ctx.obj = request if ctx.invoked_subcommand == "ask" else request.build()


def _plugins() -> list[Any]:
    from importlib.metadata import entry_points

    return list(entry_points(group=PLUGIN_GROUP))


def _assistant(ctx: click.Context) -> Any:
    """The command's Assistant, closed when the command ends (tests run many in one process)."""
    from assistant.api import Assistant

    assistant = Assistant(ctx.obj)
    ctx.call_on_close(assistant.close)
    return assistant


def _emit(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


#: The chat-model flags of ask, chat, serve (and eval): flag → the setting it overrides.
LLM_FLAGS = {
    "answerer": "answer.answerer",
    "llm_base_url": "llm.base_url",
    "llm_model": "llm.model",
    "llm_api_key_env": "llm.api_key_env",
}


def _override(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    if value is not None and param.name:
        ctx.obj = ctx.obj.with_(**{LLM_FLAGS[param.name]: value})
    return value


def llm_options(command: Any) -> Any:
    """``--answerer --llm-base-url --llm-model --llm-api-key-env``, applied to ``ctx.obj``'s settings."""
    flags = (
        ("--answerer", "NAME", "'extractive' (offline, the default) or 'llm' (a chat model)."),
        ("--llm-base-url", "URL", "OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1."),
        ("--llm-model", "NAME", "Model name on that server."),
        ("--llm-api-key-env", "VAR",
         "Env var with the API key [default: ARTICLE_ASSISTANT_LLM_API_KEY, then OPENAI_API_KEY]."),
    )
    for flag, metavar, help_ in reversed(flags):
        command = click.option(flag, metavar=metavar, help=help_, expose_value=False, callback=_override)(
            command
        )
    return command


@cli.command()
@click.argument("sources", nargs=-1, required=True)
@click.option("--title", help="Title for pasted text (with '-').")
@click.option(
    "--allow-private-urls",
    is_flag=True,
    help="Also fetch URLs on this machine or its private network "
    "[env ARTICLE_ASSISTANT_FETCH__ALLOW_PRIVATE].",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_context
def add(
    ctx: click.Context, sources: tuple[str, ...], title: str | None, allow_private_urls: bool, as_json: bool
) -> None:
    """Add articles: file paths (.txt, .md, .html, .pdf, .docx), http(s) URLs, or '-' for stdin.

    With several sources, all are read and checked first; if one is bad, none is added.
    """
    if allow_private_urls:
        ctx.obj = ctx.obj.with_(**{"fetch.allow_private": True})
    assistant = _assistant(ctx)
    if "-" in sources:
        if len(sources) > 1:
            raise InputError("Give '-' (stdin) on its own, not with other sources.")
        from index.ingest import read_stdin  # capped like a file: `add - < /dev/zero` must not fill memory

        text = read_stdin(sys.stdin.buffer, assistant.settings.fetch.max_bytes)
        results = [assistant.add_text(text, title=title, source="stdin")]
    else:
        results = assistant.add_all(sources)
    if as_json:
        _emit([add_summary(r) for r in results])
        return
    for r in results:
        verb = "added" if r.created else "already stored"
        click.echo(f"{verb}: {r.article.id}  {len(r.article.sentences)} sentences  {safe(r.article.label)}")
        for d in r.dropped:
            click.echo(f"  dropped {d.reason}: {safe(repr(d.text))}")
        for note in r.notes:
            click.echo(f"  note: {safe(note)}")


@cli.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_context
def list_(ctx: click.Context, as_json: bool) -> None:
    """List stored articles."""
    articles = _assistant(ctx).summaries()
    if as_json:
        _emit([article_summary(a) for a in articles])
        return
    if not articles:
        click.echo("No articles yet. Add one: article-assistant add FILE|URL")
    for a in articles:
        click.echo(f"{a.id}  {a.n_sentences:4d} sentences  {safe(a.label)}")


@cli.command()
@click.argument("article_id")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_context
def show(ctx: click.Context, article_id: str, as_json: bool) -> None:
    """Show an article sentence by sentence, with sentence IDs."""
    article = _assistant(ctx).get(article_id)
    if as_json:
        data = article_summary(article)
        data["sentences"] = [
            {"id": s.id, "start": s.start, "end": s.end, "paragraph": s.paragraph, "page": s.page,
             "text": s.text}
            for s in article.sentences
        ]
        _emit(data)
        return
    click.echo(click.style(safe(article.label), bold=True))
    paragraph = None
    for s in article.sentences:
        if paragraph is not None and s.paragraph != paragraph:
            click.echo()
        paragraph = s.paragraph
        click.echo(f"[{s.id}] {safe(s.text)}")


@cli.command()
@click.argument("article_id")
@click.pass_context
def remove(ctx: click.Context, article_id: str) -> None:
    """Remove an article and its vectors."""
    _assistant(ctx).remove(article_id)
    click.echo(f"removed: {article_id}")


@cli.command()
@click.argument("question")
@click.option("--article", "article_id", help="Answer from this article only (default: all).")
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
@click.option("--no-serve", is_flag=True,
              help="Answer in this process, even when `serve` runs on this store "
                   "[env ARTICLE_ASSISTANT_CLI__REUSE_SERVE=false].")
@llm_options
@click.pass_context
def ask(ctx: click.Context, question: str, article_id: str | None, as_json: bool, no_serve: bool) -> None:
    """Ask one question (a running `serve` on this store, with the same settings, answers it at once)."""
    from assistant.cli_warm import served_answer

    answer = None if no_serve else served_answer(ctx.obj, question, article_id, ctx.meta.get(VERBOSITY, 0))
    if answer is None:  # no serve (or it may not answer): this process loads the models and answers
        ctx.obj = ctx.obj.build()
        answer = _assistant(ctx).ask(question, article=article_id)
    if as_json:
        _emit(answer.to_dict())
    else:
        print_answer(answer, question=question)


@cli.command()
@click.option("--article", "article_id", help="Talk about this article only (default: all).")
@llm_options
@click.pass_context
def chat(ctx: click.Context, article_id: str | None) -> None:
    """A conversation in the terminal; follow-up questions keep the thread. Ctrl-C stops an answer."""
    assistant = _assistant(ctx)
    if article_id:
        assistant.get(article_id)
    history: list[Any] = []
    hear_ctrl_c()
    click.echo("Ask about the article; Ctrl-C stops an answer, an empty line or Ctrl-D quits.")
    while True:
        try:
            question = input("? ").strip()
        except EOFError:
            break
        if not question:
            break
        try:
            answer, shown = streamed(assistant, question, article_id, history)
        except ArticleAssistantError as e:  # a broken stream keeps what was shown above
            click.echo(f"error: {safe(str(e))}", err=True)
            continue
        if answer is None:  # Ctrl-C: what was shown is kept, marked; the model's stream was closed
            click.echo(click.style("[stopped]" + (" (nothing was shown yet)" if not shown else ""),
                                   fg="yellow"))
            if shown:
                history.append({"question": question, "answer": shown})
            continue
        print_answer(answer, shown, question)
        history.append((question, answer))


@cli.command()
@serve_llm_options
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind; anything but loopback is reachable from other machines.")
@click.option("--port", default=7860, show_default=True, type=click.IntRange(1, 65535), help="TCP port.")
@click.option("--auth", metavar="USER:PASS", envvar="ARTICLE_ASSISTANT_AUTH",
              help="Require this user and password [env ARTICLE_ASSISTANT_AUTH].")
@click.option("--mcp", is_flag=True, help="Also serve /ask and /articles as MCP tools (pip extra 'mcp').")
@click.option("--allowed-host", "allowed_host", multiple=True, metavar="NAME",
              help="Also answer requests for this host name or address (repeatable); by default only "
                   "localhost, 127.0.0.1, [::1] and --host are answered, so DNS rebinding gets nothing.")
@click.pass_context
@click.option(
    "--allow-private-urls", is_flag=True,
    help="Let the page's Link box fetch URLs on this machine or its private network "
    "[env ARTICLE_ASSISTANT_FETCH__ALLOW_PRIVATE].",
)
def serve(ctx: click.Context, host: str, port: int, auth: str | None, mcp: bool,
          allowed_host: tuple[str, ...], allow_private_urls: bool, **llm: Any) -> None:
    """Run the web chat (Gradio) at http://HOST:PORT.

    Several --llm-model: the page offers each, and the offline answerer, in a model picker.
    """
    from assistant.cli_serve import warn_exposure
    from assistant.web.app import parse_auth
    from assistant.web.app import serve as serve_web

    ctx.obj = with_models(ctx.obj, **llm)
    if allow_private_urls:
        ctx.obj = ctx.obj.with_(**{"fetch.allow_private": True})
    credentials = parse_auth(auth) if auth else None
    warn_exposure(host, credentials is not None, bool(allowed_host), allow_private_urls)
    serve_web(ctx.obj, host=host, port=port, auth=credentials, mcp=mcp, extra_hosts=allowed_host,
              ready=lambda url: click.echo(f"Web chat at {url}  (Ctrl-C stops it)", err=True))


@cli.command()
@click.option("--person", help="Only this person's statements (a name, a surname or a person ID).")
@click.option("--article", "article_id", help="Only statements in this article.")
@click.option("--topic", help="Only statements about these words (best match first).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_context
def quotes(ctx: click.Context, person: str | None, article_id: str | None, topic: str | None,
           as_json: bool) -> None:
    """Who said what: the attributed statements of the library, by person, with their citations."""
    from assistant.cli_quotes import print_quotes

    assistant = _assistant(ctx)
    found = assistant.quotes(person=person, article=article_id, topic=topic)
    index = assistant.quote_index()
    if as_json:
        _emit(index.report(found))
    else:
        print_quotes(found, index.people, index.unindexed)


@cli.command()
@click.option("--repair", is_flag=True,
              help="Remove passages left by an interrupted add; embed an article's missing passages again; "
                   "index the quotes of articles stored before the quote index.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_context
def check(ctx: click.Context, repair: bool, as_json: bool) -> None:
    """Check that every article has one passage per sentence, and no passage lacks its article."""
    found = _assistant(ctx).check(repair=repair)
    if as_json:
        _emit(check_report(found, repair))
    else:
        print_check(found, repair)


@cli.command(name="config")
@click.option("--json", "as_json", is_flag=True, help="Print the settings as JSON.")
@click.pass_context
def config(ctx: click.Context, as_json: bool) -> None:
    """Show the effective settings, with the env var that sets each."""
    from assistant.settings import describe

    rows = describe(ctx.obj)
    if as_json:
        _emit({r["name"]: r["value"] for r in rows})
        return
    for r in rows:
        click.echo(f"{r['name']} = {json.dumps(r['value'], ensure_ascii=False)}")
        click.echo(click.style(f"    {r['env']}: {r['description']}", dim=True))


cli.add_command(models)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="article-assistant")
