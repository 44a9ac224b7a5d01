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

import codecs
import os
import re
import stat
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

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
#: Decoded text with more control characters than this share is binary data.
BINARY_CONTROL_SHARE = 0.01
_READ_CHUNK = 1 << 16
_HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
_TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text", ""}
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
#: Charset labels that browsers read as Windows-1252 (WHATWG Encoding Standard).
_WINDOWS_1252_LABELS = {"iso8859-1", "ascii"}
#: Non-ASCII characters of English and Western European news as Windows-1252 gives
#: them: accented letters (not Icelandic ð þ ý, which misread Turkish gives), quotes,
#: dashes, currency and a few signs (no superscripts, which misread Polish gives).
_WESTERN = frozenset(
    "\u00a0¡¢£¥§©«®°±´·º»¼½¾¿ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÕÖ×ØÙÚÛÜßàáâãäåæçèéêëìíîïñòóôõö÷øùúûüÿ"
    "€‚„…†‡•–—˜™‘’“”ŒœŠšŽžŸ"
)
_WESTERN_OR_ASCII = _WESTERN | frozenset(map(chr, range(0x80)))
#: Terminal escape sequences (colours, titles, links) from copying terminal output:
#: CSI ``ESC [ ... final``, OSC ``ESC ] ... BEL`` or ``ESC ] ... ESC \``, and two-byte escapes.
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
#: Characters refused in any text: C0 controls except tab, newlines and form feeds;
#: DEL; the C1 controls; unpaired surrogates (they cannot be stored as UTF-8).
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
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


def decode(data: bytes, source: str, charset: str | None = None) -> str:
    """Decode a file's or a page's bytes; :class:`NotTextError` when they are not text.

    In order: a byte-order mark (UTF-8, UTF-16, UTF-32) decides; then
    ``charset`` (from an HTTP Content-Type header), except that valid UTF-8
    wins over a Latin-1 label, a common server misconfiguration; then strict
    UTF-8, so ordinary files decode exactly as they always have; then
    Windows-1252 or charset-normalizer (:func:`_decode_legacy`) for legacy
    encodings and UTF-16 without a BOM.

    UTF-8 text with a few bad bytes (more valid non-ASCII characters than
    invalid bytes) has each bad byte replaced by U+FFFD rather than handed to
    charset-normalizer: its best guess for such text is a Mac or DOS code page
    that turns every correct quote and dash into mojibake, while replacement
    loses only the broken byte and keeps every offset meaningful.

    NUL bytes are judged after decoding, since UTF-16 text is full of them.
    """
    text = _decode_bom(data)
    if text is None and charset:
        text = _decode_charset(data, charset)
    if text is None:
        text = _decode_utf8(data)
    if text is None:
        text = _decode_legacy(data)
    if text is None or _looks_binary(text):
        raise NotTextError(
            f"{source} is not text (looks like binary data). "
            "Give a .txt, .md or .html article, or a URL."
        )
    return text


def _decode_bom(data: bytes) -> str | None:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                return None
    return None


def _decode_charset(data: bytes, charset: str) -> str | None:
    try:
        name = codecs.lookup(charset.strip().strip("\"'")).name
        if name in _WINDOWS_1252_LABELS:
            return None if _decode_utf8(data) is not None else data.decode("cp1252")
        return data.decode(name)
    except (LookupError, UnicodeDecodeError):
        return None


def _decode_utf8(data: bytes) -> str | None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="replace")
        bad = text.count("\ufffd")
        good = sum(1 for c in text if c > "\x7f" and c != "\ufffd")
        return text if good > bad else None
    return None if "\x00" in text else text


def _decode_legacy(data: bytes) -> str | None:
    """Windows-1252 when it reads as Western text, else charset-normalizer's best guess.

    charset-normalizer tells English in Windows-1252 badly from DOS and Mac
    code pages: curly quotes and dashes are letters there, and on 7 of the 33
    dev articles saved as Windows-1252 it picked one of those ("café" came
    back as Urdu cp1006). Windows-1252 is the common legacy encoding of
    English and Western European news, so it is taken when every non-ASCII
    character it gives is one such text uses (:data:`_WESTERN`); Turkish,
    Polish, Cyrillic or Greek bytes give other characters and go to
    charset-normalizer, as does anything with NUL bytes (UTF-16 without a BOM).
    """
    try:
        western = data.decode("cp1252")
    except UnicodeDecodeError:
        western = None
    if western is not None and "\x00" not in western and set(western) <= _WESTERN_OR_ASCII:
        return western
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    return None if best is None else str(best)


def _looks_binary(text: str) -> bool:
    if "\x00" in text:
        return True
    head = text[:100_000]
    if "\x1b" in head:
        # Terminal colour codes are text copied from a terminal, not binary (they are removed later).
        head = _ANSI.sub("", head)
    controls = sum(1 for _ in _CONTROL.finditer(head))
    return controls > BINARY_CONTROL_SHARE * min(len(text), 100_000)


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
        text = _ANSI.sub("", text)
    found = _CONTROL.search(text)
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
