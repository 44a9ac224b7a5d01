"""BM25 and coverage terms come from the C Snowball stemmer, with the pure-Python one's stems."""

from __future__ import annotations

import json

from snowballstemmer.english_stemmer import EnglishStemmer

from assistant.analysis import text
from tests.support import ROOT


def test_terms_use_the_c_stemmer_with_the_same_stems() -> None:
    import Stemmer

    assert isinstance(text._stemmer(), Stemmer.Stemmer)
    words: dict[str, None] = {}
    for line in (ROOT / "evals" / "data" / "dev.jsonl").open():
        words.update(dict.fromkeys(text.words(json.loads(line)["text"])))
    assert len(words) > 5000
    pure = EnglishStemmer()
    assert [text._stemmer().stemWord(w) for w in words] == [pure.stemWord(w) for w in words]


def test_words_drop_possessive_endings_of_either_apostrophe() -> None:
    words = text.words("Kirby's aides; KIRBY’S plan, rock'n'roll")
    assert words == ["kirby", "aides", "kirby", "plan", "rock'n", "roll"]
