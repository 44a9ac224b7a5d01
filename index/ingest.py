"""Read an article from a file, a URL or pasted text into a :class:`RawArticle`.

Every source goes the same way: bytes are decoded by :func:`decode` (files and
URLs), the text's characters are checked by :func:`check_characters`, HTML
goes through :func:`~index.extract.extract_html`, and the result must pass
:func:`~index.extract.check_article`. Apart from HTML extraction and the
removal of terminal colour codes, text is kept exactly as given (sentence
offsets point into it). Every failure is an :class:`~index.errors.InputError`
whose message says what was wrong and what to do.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from index.decoding import ANSI, CONTROL, decode
from index.errors import InputError, InputTooLargeError, NotRegularFileError, NotTextError
from index.extract import check_article, extract_html
from index.limits import MAX_ARTICLE_BYTES, megabytes
from index.models import RawArticle  # defined there; callers may import it from here too
from index.structure import text_metadata

if TYPE_CHECKING:
    from index.fetch import FetchPolicy, Resolver

#: The default cap on one input (:data:`index.limits.MAX_ARTICLE_BYTES`); every reader takes
#: ``max_bytes`` so that the caller can pass ``Settings.fetch.max_bytes`` on.
MAX_BYTES = MAX_ARTICLE_BYTES
_READ_CHUNK = 1 << 16
_HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
_TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text", ""}
_C0_NAMES = (
    "NUL SOH STX ETX EOT ENQ ACK BEL BS HT LF VT FF CR SO SI "
    "DLE DC1 DC2 DC3 DC4 NAK SYN ETB CAN EM SUB ESC FS GS RS US"
).split()


def is_url(source: str) -> bool:
    """True when ``source`` looks like a URL (has a scheme), whatever the scheme."""
    return bool(re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", source))


def read_source(source: str | Path, policy: FetchPolicy | None = None) -> RawArticle:
    """Read a path or an http(s) URL; ``policy`` governs fetching a URL and caps a file too."""
    if not isinstance(source, (str, Path)):
        raise InputError(f"The source must be a path or a URL string, not {type(source).__name__}.")
    if isinstance(source, str) and is_url(source):
        return read_url(source, policy)
    return read_file(Path(source), max_bytes=MAX_BYTES if policy is None else policy.max_bytes)


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
    check_article(text, source)
    return _plain_article(text, source, title)


def read_file(path: str | Path, *, max_bytes: int = MAX_BYTES) -> RawArticle:
    """Read a regular .txt, .md or .html file (in any common text encoding) of at most ``max_bytes``."""
    if not isinstance(path, (str, Path)):
        raise InputError(f"The path must be a string or a Path, not {type(path).__name__}.")
    path = Path(path)
    text = check_characters(decode(_read_regular_file(path, max_bytes), str(path)), str(path))
    suffix = path.suffix.lower()
    if suffix in _HTML_SUFFIXES or (suffix not in _TEXT_SUFFIXES and _looks_like_html(text)):
        raw = extract_html(text, source=str(path), url=None)
    else:
        raw = _plain_article(text, str(path))
    check_article(raw.text, str(path))
    return raw


def read_url(
    url: str, policy: FetchPolicy | None = None, *, resolver: Resolver | None = None
) -> RawArticle:
    """Fetch an http(s) URL under ``policy`` and extract its main text.

    :func:`index.fetch.fetch` refuses other schemes, forbidden addresses and
    oversized bodies; ``resolver`` replaces DNS (for tests).
    """
    from index.fetch import fetch

    fetched = fetch(url, policy, resolver=resolver)
    text = check_characters(decode(fetched.body, url, charset=fetched.charset), url)
    if "html" in fetched.content_type or _looks_like_html(text):
        raw = extract_html(text, source=url, url=fetched.url)
    else:
        raw = RawArticle(text=text, source=url, url=fetched.url)
    check_article(raw.text, url)
    return raw


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
            f"{path} cannot be read ({e.strerror}). Give an article file (.txt, .md or .html)."
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
        return f"{path} is a folder. Give one article file (.txt, .md or .html)."
    if stat.S_ISFIFO(mode):
        return (
            f"{path} is a named pipe (FIFO), not a file. Save the article to a file and add that, "
            "or pipe it into `article-assistant add -`."
        )
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return f"{path} is a device, not a file. Give an article file (.txt, .md or .html)."
    if stat.S_ISSOCK(mode):
        return f"{path} is a socket, not a file. Give an article file (.txt, .md or .html)."
    return f"{path} is not a regular file. Give an article file (.txt, .md or .html)."


def _open_error(path: Path, error: OSError) -> InputError:
    """Opening a socket fails (ENXIO); name what the path is when it is not a file."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        mode = stat.S_IFREG
    if not stat.S_ISREG(mode):
        return NotRegularFileError(_not_a_file(path, mode))
    return InputError(f"{path} cannot be opened ({error.strerror}). Check the path and its permissions.")


def check_characters(text: str, source: str) -> str:
    """Return ``text`` without terminal colour codes; refuse other control characters.

    Stored text is kept as given and sentence offsets point into it, so
    control characters (NUL, BEL, DEL, the C1 range...) are refused, naming the
    first one and where it is, rather than silently removed. The exception is
    well-formed terminal escape sequences (``ESC [31m`` colours and the like):
    they come from copying a terminal's output, carry no text and are
    invisible where they were copied from, so they are removed and the text
    stored is the text the user saw. A lone ESC is refused like any other.
    """
    if "\x1b" in text:
        text = ANSI.sub("", text)
    found = CONTROL.search(text)
    if found:
        char, at = found.group(), found.start()
        line = text.count("\n", 0, at) + 1
        column = at - (text.rfind("\n", 0, at) + 1) + 1
        raise NotTextError(
            f"{source} contains {_char_name(char)} at line {line}, column {column}. "
            "Articles are plain text: remove it and add the text again."
        )
    return text


def _char_name(char: str) -> str:
    code = ord(char)
    if code < 0x20:
        return f"a control character, U+{code:04X} ({_C0_NAMES[code]}),"
    if code >= 0xD800:
        return f"an unpaired surrogate, U+{code:04X},"
    return f"a control character, U+{code:04X} ({'DEL' if code == 0x7F else 'C1 control'}),"


def _require_str(value: object, what: str, kind: str = "a string") -> None:
    if not isinstance(value, str):
        raise InputError(f"The {what} must be {kind}, not {type(value).__name__}.")


def _looks_like_html(text: str) -> bool:
    head = text.lstrip()[:500].lower()
    return head.startswith("<!doctype html") or "<html" in head


def _markdown_title(text: str) -> str | None:
    first = text.lstrip().split("\n", 1)[0]
    return first[2:].strip() or None if first.startswith("# ") else None


#: A first line this short, not ending like a sentence, and followed by more text, is a headline.
_HEADLINE_MAX_CHARS = 120
_HEADLINE_MAX_WORDS = 20


def _plain_article(text: str, source: str, title: str | None = None) -> RawArticle:
    """Plain text or markdown with the title, byline and date its first lines give (metadata only)."""
    found = text_metadata(text, title or _text_title(text))
    return RawArticle(text=text, source=source, title=found.title, byline=found.byline, date=found.date)


def _text_title(text: str) -> str | None:
    """The title of plain text: a ``# Markdown`` heading, else a headline-like first line.

    Only metadata: the text, its sentences and their IDs are the same either way.
    """
    markdown = _markdown_title(text)
    if markdown:
        return markdown
    first, sep, rest = text.lstrip().partition("\n")
    first = first.strip()
    if not sep or not rest.strip() or not first:
        return None
    if len(first) > _HEADLINE_MAX_CHARS or len(first.split()) > _HEADLINE_MAX_WORDS:
        return None
    if first[-1] in ".,;:!…" or first[0] in "\"“‘'(-–—*•" or not first[0].isalnum():
        return None
    return first
