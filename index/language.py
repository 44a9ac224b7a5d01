"""Which language an article is in, and whether the pipeline can handle it.

Sentences are split by pysbd and words by spaces and punctuation, so a
language written with spaces between words (English, German, Spanish, Hindi,
Russian, Korean, …) is taken; one written without them (Chinese, Japanese,
Thai, Lao, Khmer, Burmese, Tibetan) would become one "word" per sentence, so
it is refused, naming the language, rather than stored to give wrong answers.
The script decides (a share of the letters), not a guess; ``langdetect``
(Apache-2.0, 2.5 MB, ~1-7 ms an article after a 0.9 s first load) names the
language. lingua-language-detector was the alternative: its wheel is 96 MB.
"""

from __future__ import annotations

import re
from functools import lru_cache

from index.errors import NotAnArticleError

#: Letters in scripts written without spaces between words.
_UNSPACED = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # kana, CJK ideographs
    r"\u0e00-\u0e7f\u0e80-\u0eff\u1780-\u17ff\u1000-\u109f\u0f00-\u0fff]"  # Thai Lao Khmer Burmese Tibetan
)
#: A text with more of its letters than this in such scripts is refused.
MAX_UNSPACED_SHARE = 0.3
#: Characters looked at: enough to tell, and bounded for a large file.
SAMPLE_CHARS = 20_000
#: langdetect's codes, named for messages (the ones it knows that are refused, and common ones).
NAMES = {
    "zh-cn": "Chinese", "zh-tw": "Chinese", "ja": "Japanese", "th": "Thai", "ko": "Korean", "en": "English",
    "de": "German", "fr": "French", "es": "Spanish", "it": "Italian", "pt": "Portuguese", "nl": "Dutch",
    "ru": "Russian", "uk": "Ukrainian", "pl": "Polish", "hi": "Hindi", "bn": "Bengali", "ar": "Arabic",
    "tr": "Turkish", "sv": "Swedish", "vi": "Vietnamese", "id": "Indonesian", "el": "Greek", "he": "Hebrew",
}
_SCRIPT_NAMES = (
    (re.compile(r"[\u3040-\u30ff]"), "Japanese"), (re.compile(r"[\u0e00-\u0e7f]"), "Thai"),
    (re.compile(r"[\u0e80-\u0eff]"), "Lao"), (re.compile(r"[\u1780-\u17ff]"), "Khmer"),
    (re.compile(r"[\u1000-\u109f]"), "Burmese"), (re.compile(r"[\u0f00-\u0fff]"), "Tibetan"),
)


def detect(text: str) -> str | None:
    """langdetect's code for ``text``'s language ('en', 'de', 'zh-cn', …), None when it cannot tell."""
    from langdetect.lang_detect_exception import LangDetectException

    try:
        return str(_factory_detect(text[:SAMPLE_CHARS]))
    except LangDetectException:
        return None


def _factory_detect(text: str) -> str:
    _seed()
    from langdetect import detect as langdetect_detect

    return str(langdetect_detect(text))


@lru_cache(maxsize=1)
def _seed() -> None:
    from langdetect import DetectorFactory

    DetectorFactory.seed = 0  # langdetect samples at random: the same text must get the same answer


def language_name(code: str | None) -> str | None:
    """A language's English name for messages, or the code itself when it has none here."""
    return None if code is None else NAMES.get(code, code)


def check_language(text: str, source: str) -> None:
    """Refuse text in a script written without spaces between words, naming its language."""
    sample = text[:SAMPLE_CHARS]
    letters = sum(1 for c in sample if c.isalpha())
    unspaced = len(_UNSPACED.findall(sample))
    if not letters or unspaced <= MAX_UNSPACED_SHARE * letters:
        return
    name = next((name for pattern, name in _SCRIPT_NAMES if pattern.search(sample)), None)
    name = name or language_name(detect(sample)) or "Chinese"
    raise NotAnArticleError(
        f"{source} is in {name}, which is written without spaces between words: this tool cannot yet "
        f"split {name} into the sentences and words it searches and cites. Add articles in English, or "
        "in another language written with spaces between words."
    )


_ENGLISH_WORDS = frozenset("the and of to in is that for was on with as said by at from".split())
#: Text with at least this share of its words among the commonest English words is English
#: without asking the detector (its first use loads profiles for 0.9 s).
_ENGLISH_SHARE = 0.12


def language_note(text: str) -> str | None:
    """What the user should know about an article not in English (None for English)."""
    words = text[:SAMPLE_CHARS].lower().split()
    if words and sum(w in _ENGLISH_WORDS for w in words) >= _ENGLISH_SHARE * len(words):
        return None
    code = detect(text)
    if code in (None, "en"):
        return None
    return (
        f"The article looks like {language_name(code)} ({code}). It was added, but the bundled "
        "embedding model is English: search by meaning works less well, and sentence splitting "
        "follows English rules (see the README's 'Formats and languages')."
    )
