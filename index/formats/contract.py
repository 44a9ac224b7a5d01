"""The one contract every format reader keeps: bytes in, an article's text and metadata out.

A reader (:class:`Reader`) turns the bytes of one file or page into a
:class:`~index.models.RawArticle`: the text to store (sentence offsets point
into it), the title, byline and date it found, the headings to mark as
structure, and for paged formats (PDF) the offset where each page starts, so
that every sentence can name its page. :mod:`index.formats.registry` picks the
reader by sniffing the bytes (:mod:`index.formats.sniff`); readers never import
each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from index.errors import ConfigError
from index.models import RawArticle

#: A format's name.
Kind = Literal["pdf", "docx", "html", "markdown", "text"]
#: Every format a reader exists for, in the order the README lists them.
KINDS: tuple[Kind, ...] = ("pdf", "docx", "html", "markdown", "text")


@dataclass(frozen=True, slots=True)
class ReadLimits:
    """What a reader may take and spend (``Settings.fetch``): formats, pages, text, time, memory."""

    #: Formats accepted; a file of another (known) format is refused, naming it.
    kinds: tuple[str, ...] = KINDS
    #: Pages a PDF may have; a longer one is refused before its text is read.
    max_pages: int = 500
    #: Characters of extracted text an article may have (a PDF or .docx that inflates is refused).
    max_chars: int = 2_000_000
    #: Wall-clock seconds the PDF reader (a child process) may take.
    seconds: float = 60.0
    #: Address space, in MB, the PDF reader's child process may use (a PDF bomb fails, not the host).
    memory_mb: int = 1024

    def __post_init__(self) -> None:
        unknown = sorted(set(self.kinds) - set(KINDS))
        if unknown:
            raise ConfigError(f"Unknown article formats {unknown}: the formats are {', '.join(KINDS)}.")
        for name in ("max_pages", "max_chars", "seconds", "memory_mb"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"ReadLimits.{name} must be positive, not {getattr(self, name)}.")


class Reader(Protocol):
    """Reads one format. ``source`` names the input in messages (a path or a URL)."""

    #: The format's name, one of :data:`KINDS`.
    kind: str

    def read(
        self, data: bytes, source: str, limits: ReadLimits, url: str | None = None, charset: str | None = None
    ) -> RawArticle:
        """The article in ``data``; an :class:`~index.errors.InputError` saying what is wrong and what to do.

        ``url``: where it was fetched from; ``charset``: the encoding the server named (text formats).
        """
        ...
