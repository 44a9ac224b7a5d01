"""Read an article from a file, a URL or pasted text into a :class:`RawArticle`.

Files and URLs give bytes, and bytes go to the reader of their format
(:func:`index.formats.registry.read_bytes`: PDF, Word, HTML, markdown or plain
text, chosen by sniffing the bytes). Pasted text is plain text. Whatever the
way in, the result must be in a language the pipeline can split
(:func:`~index.language.check_language`) and pass
:func:`~index.extract.check_article`. Plain text is kept exactly as given
(sentence offsets point into it); other formats store the text their reader
extracted. Every failure is an :class:`~index.errors.InputError` whose
message says what was wrong and what to do.
"""

from __future__ import annotations

import dataclasses
import os
import re
import stat
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from index.decoding import ANSI, CONTROL, check_characters, decode  # noqa: F401 (re-exported)
from index.errors import InputError, InputTooLargeError, NotRegularFileError
from index.extract import check_article
from index.formats.contract import ReadLimits
from index.formats.registry import read_bytes
from index.formats.text import plain_article
from index.language import check_language, language_note
from index.limits import MAX_ARTICLE_BYTES, megabytes
from index.models import RawArticle  # defined there; callers may import it from here too
from index.structure import headline as _text_title  # noqa: F401 (its old name here)

if TYPE_CHECKING:
    from index.fetch import FetchPolicy, Resolver

#: The default cap on one input (:data:`index.limits.MAX_ARTICLE_BYTES`); every reader takes
#: ``max_bytes`` so that the caller can pass ``Settings.fetch.max_bytes`` on.
MAX_BYTES = MAX_ARTICLE_BYTES
_READ_CHUNK = 1 << 16
_FILES = "an article file (.txt, .md, .html, .pdf or .docx)"


def is_url(source: str) -> bool:
    """True when ``source`` looks like a URL (has a scheme), whatever the scheme."""
    return bool(re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", source))


def read_source(
    source: str | Path, policy: FetchPolicy | None = None, limits: ReadLimits | None = None
) -> RawArticle:
    """Read a path or an http(s) URL; ``policy`` governs fetching a URL and caps a file too."""
    if not isinstance(source, (str, Path)):
        raise InputError(f"The source must be a path or a URL string, not {type(source).__name__}.")
    if isinstance(source, str) and is_url(source):
        return read_url(source, policy, limits=limits)
    return read_file(Path(source), max_bytes=MAX_BYTES if policy is None else policy.max_bytes, limits=limits)


def read_text(
    text: str, title: str | None = None, source: str = "pasted text", *, max_bytes: int = MAX_BYTES
) -> RawArticle:
    """Wrap pasted text (or stdin) as an article, checking its characters and content.

    Text longer than ``max_bytes`` characters is refused.
    """
    _require_str(text, "text")
    _require_str(source, "source")
    if title is not None:
        _require_str(title, "title", "a string or None")
        title = check_characters(title, "The title")
    if len(text) > max_bytes:
        raise InputTooLargeError(
            f"{source} is {len(text):,} characters, more than the {max_bytes:,} limit for one "
            "article. Paste one article at a time."
        )
    text = check_characters(text, source)
    return _checked(plain_article(text, source, title), source)


def read_file(
    path: str | Path, *, max_bytes: int = MAX_BYTES, limits: ReadLimits | None = None
) -> RawArticle:
    """Read a regular file of at most ``max_bytes``: .txt, .md, .html (any common text encoding),
    .pdf or .docx; the format is sniffed from the bytes, the name only tells text formats apart."""
    if not isinstance(path, (str, Path)):
        raise InputError(f"The path must be a string or a Path, not {type(path).__name__}.")
    path = Path(path)
    raw = read_bytes(_read_regular_file(path, max_bytes), str(path), limits, name=path.name)
    return _checked(raw, str(path))


def _checked(raw: RawArticle, source: str) -> RawArticle:
    """``raw`` if it is an article in a language the pipeline can split, with a note on its language."""
    check_language(raw.text, source)
    check_article(raw.text, source)
    note = language_note(raw.text)
    return dataclasses.replace(raw, notes=(*raw.notes, note)) if note else raw
def read_url(
    url: str, policy: FetchPolicy | None = None, *, resolver: Resolver | None = None,
    limits: ReadLimits | None = None,
) -> RawArticle:
    """Fetch an http(s) URL under ``policy`` and extract its main text.

    :func:`index.fetch.fetch` refuses other schemes, forbidden addresses and
    oversized bodies; ``resolver`` replaces DNS (for tests).
    """
    from index.fetch import fetch

    fetched = fetch(url, policy, resolver=resolver)
    name = fetched.url.split("?", 1)[0].split("#", 1)[0].rsplit("/", 1)[-1]
    raw = read_bytes(fetched.body, url, limits, name=name, media_type=fetched.content_type,
                     charset=fetched.charset, url=fetched.url)
    return _checked(raw, url)


def read_stdin(stream: BinaryIO, max_bytes: int = MAX_BYTES) -> str:
    """Standard input (``stream``: ``sys.stdin.buffer``) decoded, capped like a file.

    ``add - < /dev/zero`` must not fill memory: at most ``max_bytes`` + 1 bytes are read.
    """
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InputTooLargeError(
            f"Standard input holds more than the {megabytes(max_bytes)} MB limit for one article. "
            "Give the article's own text."
        )
    return decode(data, "stdin")


def _read_regular_file(path: Path, max_bytes: int) -> bytes:
    """Read at most ``max_bytes`` (plus one chunk) from a regular file, whatever its size claims.

    The file is opened without blocking (a FIFO with no writer would block an
    ordinary open) and checked with ``fstat`` on the open descriptor, so what
    is checked is what is read. ``/proc`` files claim size 0, so the cap is
    enforced while reading, not from ``st_size``.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise InputError(f"{path}: no such file. Check the path, or give an http(s) URL.") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied. Check the file's permissions.") from None
    except OSError as e:
        raise _open_error(path, e) from e
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotRegularFileError(_not_a_file(path, st.st_mode))
        if st.st_size > max_bytes:
            raise _too_large(path, f"{st.st_size / 1e6:.1f} MB, larger than", max_bytes)
        chunks, size = [], 0
        while size <= max_bytes:
            chunk = os.read(fd, _READ_CHUNK)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > max_bytes:
            raise _too_large(path, "larger than", max_bytes)
        return b"".join(chunks)
    except OSError as e:
        raise InputError(
            f"{path} cannot be read ({e.strerror}). Give {_FILES}."
        ) from e
    finally:
        os.close(fd)


def _too_large(path: Path, what: str, max_bytes: int) -> InputTooLargeError:
    return InputTooLargeError(
        f"{path} is {what} the {megabytes(max_bytes)} MB limit for one article. "
        "Split it or give the article's own page."
    )


def _not_a_file(path: Path, mode: int) -> str:
    if stat.S_ISDIR(mode):
        return f"{path} is a folder. Give one article file."
    if stat.S_ISFIFO(mode):
        return (
            f"{path} is a named pipe (FIFO), not a file. Save the article to a file and add that, "
            "or pipe it into `article-assistant add -`."
        )
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return f"{path} is a device, not a file. Give {_FILES}."
    if stat.S_ISSOCK(mode):
        return f"{path} is a socket, not a file. Give {_FILES}."
    return f"{path} is not a regular file. Give {_FILES}."


def _open_error(path: Path, error: OSError) -> InputError:
    """Opening a socket fails (ENXIO); name what the path is when it is not a file."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        mode = stat.S_IFREG
    if not stat.S_ISREG(mode):
        return NotRegularFileError(_not_a_file(path, mode))
    return InputError(f"{path} cannot be opened ({error.strerror}). Check the path and its permissions.")


def _require_str(value: object, what: str, kind: str = "a string") -> None:
    if not isinstance(value, str):
        raise InputError(f"The {what} must be {kind}, not {type(value).__name__}.")
