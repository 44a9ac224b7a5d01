"""Word lists and name patterns, each with one home.

The name patterns differ on purpose: attribution wants a speaker as written
("Rep. Jim Jordan (R-OH)"), a short answer any capitalised span ("University
of Edinburgh"), a follow-up rewrite only full names of two words or more
("John Kirby", never "He").
"""

from __future__ import annotations

import re

#: Verbs that attribute speech: "said John Kirby", "Syrskyi told reporters".
SPEECH_VERBS = (
    r"said|says|say|told|tells|added|adds|noted|notes|stated|states|explained|argued|"
    r"argues|warned|warns|wrote|writes|declared|insisted|claimed|claims|asked|asks|"
    r"recalled|continued|replied|responded|announced|acknowledged|admitted|suggested|"
    r"testified|tweeted|posted|reported|reports|predicted|cautioned|conceded"
)
#: One word of a speaker's name as attribution finds it.
SPEAKER_NAME_WORD = r"(?:[A-Z][\w’'\-]*\.?)"
_SPEAKER_LINK = r"(?:de|da|van|von|bin|al|la|del|of|the)"
#: A speaker's name, with particles and a party tag: "Jim Jordan (R-OH)", "Friends of the Earth".
SPEAKER_NAME = (
    rf"{SPEAKER_NAME_WORD}(?:\s+(?:{_SPEAKER_LINK}\s+){{0,2}}{SPEAKER_NAME_WORD})*(?:\s+\([A-Z]-[A-Z]{{2}}\))?"
)
#: One word of a capitalised span for short answers (initials and dotted acronyms too).
SPAN_NAME_WORD = r"(?:[A-Z][\w’'\-.]*|[A-Z]\.)"
#: A capitalised span: "University of Edinburgh", "Smith & Wesson".
SPAN_NAME = re.compile(
    rf"{SPAN_NAME_WORD}(?:\s+(?:(?:of|de|da|van|von|del|la|al|the|and|&)\s+)?{SPAN_NAME_WORD})*"
)
#: A full name of two capitalised words or more: what a follow-up's pronoun may stand for.
FULL_NAME = re.compile(r"\b[A-Z][\w’'-]+(?:\s+(?:de|van|von|al)?\s*[A-Z][\w’'-]+)+")
#: Each capitalised word: for comparing two speakers' names.
NAME_WORDS = re.compile(r"[A-Z][\w’'-]+")
#: Quotation marks that open or close a quotation in news text (index.sentences uses the same).
QUOTE_MARKS = '“”"'
