"""Settings and the environment: env names, how env values parse, and errors people can read.

:class:`assistant.settings.Settings` is the schema; this module is how it meets
``ARTICLE_ASSISTANT_*`` variables, dotted overrides and ``article-assistant config``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

ENV_PREFIX = "ARTICLE_ASSISTANT_"
NESTED = "__"
#: Flat env names of the first release, still honoured: old name → dotted path.
LEGACY_ENV = {
    "TOP_K": "retrieval.top_k",
    "PASSAGE_WINDOW": "index.passage_window",
    "EMBEDDER": "embedder.model",
    "ANSWERER": "answer.answerer",
}


def describe(settings: BaseModel) -> list[dict[str, Any]]:
    """Every leaf setting: dotted name, env var, value and description (for ``config``)."""
    return list(_leaves(settings, ""))


def _leaves(model: BaseModel, prefix: str) -> Iterator[dict[str, Any]]:
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        dotted = f"{prefix}{name}"
        if isinstance(value, BaseModel):
            yield from _leaves(value, dotted + ".")
            continue
        yield {
            "name": dotted,
            "env": ENV_PREFIX + dotted.replace(".", NESTED).upper(),
            "value": str(value) if isinstance(value, Path) else value,
            "description": info.description or "",
        }


def env_values(environ: Mapping[str, str], top: set[str]) -> Iterator[tuple[str, Any]]:
    """(dotted path, value) for each env var that names a setting under ``top``; others are not ours."""
    for key, raw in environ.items():
        if not key.startswith(ENV_PREFIX) or raw == "":
            continue
        rest = key[len(ENV_PREFIX) :]
        path = LEGACY_ENV.get(rest) or rest.lower().replace(NESTED, ".")
        if path.split(".")[0] not in top:
            continue  # e.g. ARTICLE_ASSISTANT_AUTH, read by the CLI itself
        yield path, _parse(raw)


def _parse(raw: str) -> Any:
    """JSON for lists and maps; every other value stays a string for validation to convert."""
    if raw.lstrip()[:1] in "[{":
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            return raw
    return raw


def put(values: dict[str, Any], key: str, value: Any) -> None:
    """Set the dotted ``key`` in nested ``values``, merging a map into a map already there."""
    *parents, leaf = key.split(".")
    node = values
    for part in parents:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {} if child is None or not isinstance(child, BaseModel) else child.model_dump()
            node[part] = child
        node = child
    if isinstance(value, dict) and isinstance(node.get(leaf), dict):
        for k, v in value.items():
            put(node[leaf], k, v)
    else:
        node[leaf] = value


def explain(error: ValidationError) -> str:
    """One line per problem: the setting, its env name, the value and what is allowed."""
    lines = []
    for item in error.errors():
        dotted = ".".join(str(p) for p in item["loc"])
        env = ENV_PREFIX + dotted.replace(".", NESTED).upper()
        if item["type"] == "extra_forbidden":
            lines.append(f"Unknown setting {dotted!r} ({env}); run `article-assistant config` to list them.")
            continue
        lines.append(f"Setting {dotted} ({env}) = {item.get('input')!r} is not valid: {item['msg']}.")
    return " ".join(lines)
