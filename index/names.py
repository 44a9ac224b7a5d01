"""Where in Chroma a library lives: the collection-prefix rule and the collection names, in one place.

:class:`~assistant.settings.StoreSettings` validates ``store.collection_prefix``
with :data:`PREFIX_PATTERN` and takes its defaults from here;
:class:`index.store.ChromaStore` should adopt :func:`check_prefix` and
:func:`collection_names` in place of its own copy of the rule.
"""

from __future__ import annotations

import re

from index.errors import ConfigError

#: The default collection prefix gives the first release's names.
DEFAULT_PREFIX = "aa_"
DEFAULT_TENANT = "default_tenant"
DEFAULT_DATABASE = "default_database"
#: 1 to 63 letters, digits, '.', '_' or '-', starting with a letter or digit.
PREFIX_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$"
_PREFIX = re.compile(PREFIX_PATTERN)


def check_prefix(prefix: str) -> str:
    """``prefix`` when it is an allowed collection prefix, else a :class:`ConfigError` saying what is."""
    if not _PREFIX.match(prefix):
        raise ConfigError(
            f"Collection prefix {prefix!r} is not allowed: use 1 to 63 letters, digits, '.', '_' "
            "or '-', starting with a letter or digit (e.g. 'newsroom_')."
        )
    return prefix


def collection_names(prefix: str = DEFAULT_PREFIX) -> tuple[str, str]:
    """The (passages, articles) collection names under ``prefix``."""
    return check_prefix(prefix) + "passages", prefix + "articles"
