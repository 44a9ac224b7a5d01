"""Clear messages for what the page's add controls cannot take, naming the problem and the way out.

Files need nothing here: the readers (:mod:`index.formats`) name a type they cannot read. Pasted
text too short to be an article is told so in the terms of pasting, not of web pages.
"""

from __future__ import annotations

from index.errors import InputError
from index.extract import MIN_PROSE_WORDS, prose_words


def refuse_short_paste(text: str) -> None:
    """Raise :class:`InputError` when pasted text is too short to be an article."""
    words = prose_words(text) if text.strip() else 0
    if text.strip() and words < MIN_PROSE_WORDS:
        raise InputError(
            f"That is too short to add as an article ({words} word{'s' if words != 1 else ''} in full "
            f"sentences; an article has at least {MIN_PROSE_WORDS}). Paste the article's whole text."
        )
