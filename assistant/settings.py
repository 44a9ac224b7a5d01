"""One settings object for the whole package, read from arguments or env vars.

Nothing is read at import time: build :class:`Settings` (or call
:meth:`Settings.from_env`) and pass it to :class:`~assistant.api.Assistant`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from index.embed import DEFAULT_MODEL

ENV_PREFIX = "ARTICLE_ASSISTANT_"


def default_data_dir() -> Path:
    """The user's data dir, e.g. ``~/.local/share/article-assistant``."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("article-assistant", appauthor=False))


@dataclass(frozen=True, slots=True)
class Settings:
    """Configuration; each field can be set by env var ``ARTICLE_ASSISTANT_<NAME>``."""

    data_dir: Path = field(
        default_factory=default_data_dir,
        metadata={"help": "Folder of the embedded Chroma store (ignored with chroma_url)."},
    )
    chroma_url: str | None = field(
        default=None,
        metadata={"help": "URL of a Chroma server (e.g. http://127.0.0.1:8000); unset = embedded."},
    )
    embedder: str = field(
        default=DEFAULT_MODEL,
        metadata={"help": "Embedding model: the bundled MiniLM or a sentence-transformers folder."},
    )
    passage_window: int = field(default=1, metadata={"help": "Sentences per embedded passage (1 to 3)."})
    answerer: str = field(
        default="extractive", metadata={"help": "Answerer backend: 'extractive' (offline)."}
    )
    top_k: int = field(default=8, metadata={"help": "Sentences the retriever returns."})

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
        """Settings from ``ARTICLE_ASSISTANT_*`` env vars, then ``overrides`` (None = unset)."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(ENV_PREFIX + f.name.upper())
            if raw:
                values[f.name] = _coerce(f.name, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        if "data_dir" in values:
            values["data_dir"] = Path(values["data_dir"]).expanduser()
        return cls(**values)

    def with_(self, **changes: Any) -> Settings:
        """A copy with some fields changed."""
        return replace(self, **changes)


def _coerce(name: str, raw: str) -> Any:
    if name in {"passage_window", "top_k"}:
        return int(raw)
    return raw
