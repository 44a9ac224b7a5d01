"""Eval configs: which system answers, with which settings.

A config is named on the command line as a built-in name or a JSON file:

* ``default``: the project's :class:`~assistant.settings.Settings` defaults;
* ``baseline-langchain``: textbook LangChain RAG (see :mod:`evals.baseline`);
* ``FILE.json``: an object of ``Settings`` overrides, nested as the settings
  are, e.g. ``{"retrieval": {"candidates": 20}, "index": {"passage_window": 2}}``
  (``article-assistant config`` lists them); the config is named after the file.

Environment variables never change a config: an eval is reproducible from
its command line. Every run stores in a fresh temporary directory, so
``data_dir`` and ``chroma_url`` cannot be overridden.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.settings import Settings
from index.errors import ConfigError

DEFAULT = "default"
BASELINE = "baseline-langchain"
BUILT_IN = (DEFAULT, BASELINE)
#: Settings an eval config may not set: each run gets a fresh temporary store.
_FIXED = {"data_dir", "chroma_url", "cache_dir"}


@dataclass(frozen=True, slots=True)
class EvalConfig:
    """A named system to evaluate."""

    name: str
    #: ``"assistant"`` (the project's Assistant) or ``"baseline"``.
    kind: str
    #: Settings field overrides, as sorted (name, value) pairs.
    overrides: tuple[tuple[str, Any], ...] = ()
    #: What was given on the command line: a built-in name or a file path.
    spec: str = ""

    def settings(self, data_dir: Path) -> Settings:
        """The Settings this config runs the Assistant with, storing in ``data_dir``."""
        return Settings(data_dir=data_dir, **json.loads(json.dumps(dict(self.overrides))))

    def describe(self) -> dict[str, Any]:
        """JSON-ready description for metrics.json and the report."""
        if self.kind == "baseline":
            from evals.baseline import describe

            return {"kind": self.kind, **describe()}
        settings = self.settings(Path("."))
        values = settings.model_dump(mode="json", exclude=_FIXED)
        return {"kind": self.kind, "settings": values}


def resolve(specs: Sequence[str | EvalConfig], with_baseline: bool = True) -> list[EvalConfig]:
    """Configs for the names/files in ``specs`` (``default`` when empty), plus the baseline.

    A spec may also be an :class:`EvalConfig` already (``eval --answerer llm`` builds one).
    The baseline is appended when missing, so every report shows the project beside it.
    """
    configs = [s if isinstance(s, EvalConfig) else resolve_one(s) for s in (specs or [DEFAULT])]
    if with_baseline and not any(c.kind == "baseline" for c in configs):
        configs.append(resolve_one(BASELINE))
    seen: set[str] = set()
    unique = []
    for c in configs:
        if c.name not in seen:
            seen.add(c.name)
            unique.append(c)
    return unique


def resolve_one(spec: str) -> EvalConfig:
    """One config from a built-in name or a JSON file of Settings overrides."""
    spec = spec.strip()
    if spec == DEFAULT:
        return EvalConfig(DEFAULT, "assistant", spec=spec)
    if spec == BASELINE:
        return EvalConfig(BASELINE, "baseline", spec=spec)
    path = Path(spec)
    if not path.is_file():
        raise ConfigError(
            f"Unknown eval config {spec!r}: give one of {', '.join(BUILT_IN)} "
            "or a JSON file of Settings overrides."
        )
    return EvalConfig(_name(path), "assistant", _overrides(path), spec=spec)


def llm_config(base_url: str | None, model: str, api_key_env: str | None = None) -> EvalConfig:
    """The default settings with the 'llm' answerer on ``model`` (``eval --answerer llm …``)."""
    llm = {"model": model, "base_url": base_url, "api_key_env": api_key_env}
    overrides = {"answer": {"answerer": "llm"}, "llm": {k: v for k, v in llm.items() if v is not None}}
    Settings(data_dir=Path("."), **overrides)  # a bad value fails now, not after the ingest
    spec = " ".join(
        f"--{flag} {value}"
        for flag, value in (("answerer", "llm"), ("llm-base-url", base_url), ("llm-model", model),
                            ("llm-api-key-env", api_key_env))
        if value
    )
    name = "llm-" + (re.sub(r"[^A-Za-z0-9._-]+", "-", model).strip("-.") or "model")
    return EvalConfig(name, "assistant", tuple(sorted(overrides.items())), spec=spec)


def _name(path: Path) -> str:
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", path.stem).strip("-.") or "config"
    if name in BUILT_IN:
        name = f"{name}-file"
    return name


def _overrides(path: Path) -> tuple[tuple[str, Any], ...]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ConfigError(f"Eval config {path} is not a readable JSON file ({e}).") from e
    if not isinstance(data, dict):
        raise ConfigError(
            f'Eval config {path} must be a JSON object of Settings fields, e.g. {{"top_k": 4}}.'
        )
    for key in data:
        if key in _FIXED:
            raise ConfigError(
                f"Eval config {path} sets {key!r}; an eval always uses a fresh temporary store. "
                "Remove that field."
            )
    try:
        Settings(data_dir=Path("."), **data)
    except ConfigError as e:
        raise ConfigError(f"Eval config {path}: {e}") from None
    return tuple(sorted(data.items()))
