"""The one home of the input cap that every way in shares: files, pasted text, stdin and URLs.

``Settings.fetch.max_bytes`` defaults to it and callers pass the setting on
(:func:`index.ingest.read_file`, :func:`~index.ingest.read_text` and
:func:`~index.ingest.read_stdin` take ``max_bytes``; URLs and
:func:`~index.ingest.read_source` take it from the
:class:`~index.fetch.FetchPolicy`).
"""

from __future__ import annotations

#: Larger inputs are refused: a news article is tens of kilobytes. Bytes for files, stdin
#: and URL bodies (as sent and decompressed); characters for pasted text.
MAX_ARTICLE_BYTES = 5_000_000


def megabytes(n: int) -> str:
    """``n`` bytes in MB for messages: ``5`` for 5_000_000, ``0.02`` for 20_000."""
    return f"{n / 1e6:g}"
