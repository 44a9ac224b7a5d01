"""Bytes to text: what a file or a page says it is, what it most likely is, and whether it is text.

:func:`decode` is the one way the write path turns bytes into a ``str``; every
failure is a :class:`~index.errors.NotTextError` that says what to give instead.
"""

from __future__ import annotations

import codecs
import re

from index.errors import NotTextError

#: Decoded text with more control characters than this share is binary data.
BINARY_CONTROL_SHARE = 0.01
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
ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
#: Characters refused in any text: C0 controls except tab, newlines and form feeds;
#: DEL; the C1 controls; unpaired surrogates (they cannot be stored as UTF-8).
CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff]")

_C0_NAMES = (
    "NUL SOH STX ETX EOT ENQ ACK BEL BS HT LF VT FF CR SO SI "
    "DLE DC1 DC2 DC3 DC4 NAK SYN ETB CAN EM SUB ESC FS GS RS US"
).split()


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
            "Give a .txt, .md, .html, .pdf or .docx article, or a URL."
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
        head = ANSI.sub("", head)
    controls = sum(1 for _ in CONTROL.finditer(head))
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
