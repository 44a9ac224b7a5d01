"""The public API's edge: what escapes an :class:`~assistant.api.Assistant` method is a package error.

Store, server and disk failures surface deep inside Chroma, httpx, SQLite and
the OS; catching them at each call site would scatter the same mapping over
the code and still miss one. :func:`guarded` wraps every public method and
property of a class once, and :func:`index.faults.translate` decides what each
failure means, so a caller catches :class:`~index.errors.ArticleAssistantError`
(and reads ``retryable``) and nothing else. An iterator a method returns
(``ask_stream``) is wrapped too: a server can die between two pieces of an
answer. Exceptions the translation does not know are bugs and keep their type
and traceback. Once the object is closed (its ``_closed``), every method but
:data:`ALWAYS_OPEN` raises :class:`~assistant.errors.AssistantClosedError`.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any, TypeVar

from assistant.errors import AssistantClosedError
from index.errors import ArticleAssistantError
from index.faults import translate

C = TypeVar("C", bound=type)


def guarded(cls: C) -> C:
    """Wrap the public methods and properties defined on ``cls`` (not inherited ones)."""
    for name, member in list(vars(cls).items()):
        if name.startswith("_"):
            continue
        if isinstance(member, property) and member.fget is not None:
            setattr(cls, name, property(_guard(member.fget), member.fset, member.fdel, member.__doc__))
        elif inspect.isfunction(member):
            setattr(cls, name, _guard(member))
    return cls


#: What a closed object still answers.
ALWAYS_OPEN = frozenset({"close", "closed"})


def _guard(method: Callable[..., Any]) -> Callable[..., Any]:
    check = method.__name__ not in ALWAYS_OPEN

    @functools.wraps(method)
    def call(owner: Any, *args: Any, **kwargs: Any) -> Any:
        if check and getattr(owner, "_closed", False):
            raise AssistantClosedError()
        try:
            result = method(owner, *args, **kwargs)
        except Exception as e:
            found = _translated(owner, e)
            if found is None or found is e:
                raise
            raise found from e
        if isinstance(result, Iterator):
            return _iterate(owner, result)
        return result

    return call


def _iterate(owner: Any, items: Iterator[Any]) -> Generator[Any, None, Any]:
    try:
        return (yield from items)
    except Exception as e:
        found = _translated(owner, e)
        if found is None or found is e:
            raise
        raise found from e


def _translated(owner: Any, error: Exception) -> ArticleAssistantError | None:
    if getattr(owner, "_closed", False):  # closed by another thread while this call ran
        return error if isinstance(error, AssistantClosedError) else AssistantClosedError()
    settings = getattr(owner, "settings", None)
    server = getattr(settings, "chroma_url", None)
    folder = getattr(settings, "data_dir", None)
    return translate(error, server=server, folder=folder if isinstance(folder, Path) else None)
