"""Make text safe to print on a terminal.

Article text comes from anywhere; escape sequences in it could clear the
screen, set the window title or hide text. Every human-readable CLI output
goes through :func:`safe`; ``--json`` output does not need it (JSON escapes
control characters itself).
"""

from __future__ import annotations

import re

# C0 controls but tab and newline, DEL, C1 controls, and the bidirectional overrides
# and isolates that can make a line read differently from what it holds.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def safe(text: str) -> str:
    """``text`` with every control character and bidi override shown as an escape (``\\x1b``)."""
    return _UNSAFE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
