"""The CLI's chat-model choices: ``serve``'s repeatable --llm-base-url/--llm-model, and ``models``.

``serve --answerer llm --llm-base-url URL --llm-model A --llm-model B`` offers A
and B (and the offline answerer) in the page's model picker; one base URL
serves every model, or one is given per model, in order. ``--llm-all-models``
offers every model the server lists at ``/v1/models``. The page only ever
sends back the key of one of these (see :mod:`assistant.web.models_picker`).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from assistant.terminal import safe
from index.errors import ConfigError

if TYPE_CHECKING:
    from assistant.settings import Settings


def serve_llm_options(command: Any) -> Any:
    """``serve``'s chat-model flags, passed to the command as ``llm`` (a dict) for :func:`with_models`."""
    flags = (
        click.option("--answerer", metavar="NAME",
                     help="The page's default: 'extractive' (offline, the default) or 'llm' (a chat model)."),
        click.option("--llm-base-url", "base_urls", metavar="URL", multiple=True,
                     help="OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1; once for all models, "
                          "or once per --llm-model, in order."),
        click.option("--llm-model", "models", metavar="NAME", multiple=True,
                     help="A model the page offers (repeatable); the first is the default."),
        click.option("--llm-all-models", "all_models", is_flag=True,
                     help="Offer every model the server lists at /v1/models."),
        click.option("--llm-api-key-env", "api_key_env", metavar="VAR",
                     help="Env var with the API key [default: ARTICLE_ASSISTANT_LLM_API_KEY, then "
                          "OPENAI_API_KEY]."),
    )
    for flag in reversed(flags):
        command = flag(command)
    return command


def with_models(settings: Settings, answerer: str | None, base_urls: tuple[str, ...], models: tuple[str, ...],
                all_models: bool, api_key_env: str | None) -> Settings:
    """``settings`` with the models ``serve`` was given: the first is ``llm.model``, the rest
    ``llm.choices``."""
    changes: dict[str, Any] = {}
    if answerer:
        changes["answer.answerer"] = answerer
    if api_key_env:
        changes["llm.api_key_env"] = api_key_env
    if len(base_urls) > 1 and len(base_urls) != len(models):
        raise ConfigError(f"Got {len(base_urls)} --llm-base-url and {len(models)} --llm-model: give one "
                          "--llm-base-url for all models, or one per --llm-model, in the same order.")
    if base_urls:
        changes["llm.base_url"] = base_urls[0]
    settings = settings.with_(**changes)
    one_url = settings.llm.base_url
    endpoints = [(m, base_urls[i] if len(base_urls) > 1 else one_url) for i, m in enumerate(models)]
    if all_models:
        from assistant.registry import server_models

        urls: list[str | None] = list(dict.fromkeys(base_urls)) or [one_url]
        endpoints += [(m, url) for url in urls
                      for m in server_models(settings.with_(**{"llm.base_url": url}).llm)]
    if not endpoints:
        return settings
    (model, url), rest = endpoints[0], endpoints[1:]
    return settings.with_(**{
        "llm.model": model, "llm.base_url": url,
        "llm.choices": [m if u == url else f"{m}@{u}" for m, u in rest],
    })


@click.command()
@click.option("--llm-base-url", metavar="URL", help="OpenAI-compatible server [default: llm.base_url].")
@click.option("--llm-api-key-env", "api_key_env", metavar="VAR", help="Env var with the API key.")
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
@click.pass_context
def models(ctx: click.Context, llm_base_url: str | None, api_key_env: str | None, as_json: bool) -> None:
    """List the models the configured chat-model server offers (its /v1/models)."""
    from assistant.registry import server_models

    settings: Settings = ctx.obj
    changes = {"llm.base_url": llm_base_url, "llm.api_key_env": api_key_env}
    settings = settings.with_(**{k: v for k, v in changes.items() if v})
    found = server_models(settings.llm)
    if as_json:
        click.echo(json.dumps({"base_url": settings.llm.base_url, "models": found}, indent=2))
        return
    where = settings.llm.base_url or "https://api.openai.com/v1"
    if not found:
        click.echo(f"The server at {where} lists no models.")
        return
    click.echo(f"Models at {safe(where)}:")
    for name in found:
        mark = "  (llm.model)" if name == settings.llm.model else ""
        click.echo(f"  {safe(name)}{mark}")
