"""The user's default folders, without importing the settings schema (the CLI's fast path needs them)."""

from __future__ import annotations

from pathlib import Path


def default_cache_dir() -> Path:
    """The user's cache dir, e.g. ``~/.cache/article-assistant``."""
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("article-assistant", appauthor=False))


def default_data_dir() -> Path:
    """The user's data dir, e.g. ``~/.local/share/article-assistant``."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("article-assistant", appauthor=False))
