"""Map configuration names to backend implementations, in one place."""

from __future__ import annotations

from collections.abc import Callable

from assistant.answer import Answerer, ExtractiveAnswerer
from assistant.settings import Settings
from index.errors import ConfigError

ANSWERERS: dict[str, Callable[[Settings], Answerer]] = {
    "extractive": lambda settings: ExtractiveAnswerer(),
}


def make_answerer(settings: Settings) -> Answerer:
    """The answerer named by ``settings.answerer``."""
    try:
        factory = ANSWERERS[settings.answerer]
    except KeyError:
        raise ConfigError(
            f"Unknown answerer {settings.answerer!r}; choose one of {', '.join(sorted(ANSWERERS))}."
        ) from None
    return factory(settings)
