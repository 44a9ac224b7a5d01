"""Sentence IDs are forever: the dev articles and the examples split exactly as pinned.

``tests/data/sentence_pins.json`` maps each article (a dev ``article_id``, or
``examples/articles/<file>``) to the sha256 of its text, the number of its
sentences and the sha256 of its sentence table
``[[id, start, end, paragraph, quote_close], ...]`` as compact JSON. It was
written with the splitter as it stood before the long-line work (commit
16fb1e3); a change to splitting that moves any sentence of these articles
fails here.

``one_line`` pins the same articles with all their paragraphs joined by a
space into one line (up to 11 KB), split by that same splitter (pysbd over
the whole line): a long line that is cut into pieces before pysbd must be cut
only where the whole line splits anyway. Regenerate only for a new article, never to absorb a change:
``.venv/bin/python -m tests.unit.test_sentence_pins``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from index.clean import find_boilerplate
from index.sentences import split_sentences

ROOT = Path(__file__).resolve().parents[2]
PINS = ROOT / "tests" / "data" / "sentence_pins.json"
DEV = ROOT / "evals" / "data" / "dev.jsonl"
EXAMPLES = ROOT / "examples" / "articles"


def _sha(data: str) -> str:
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def articles() -> dict[str, str]:
    """Every distinct dev article and example article, by key."""
    found: dict[str, str] = {}
    for line in DEV.read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            found.setdefault(record["article_id"], record["text"])
    for path in sorted(EXAMPLES.glob("*.txt")):
        # As index.ingest.read_file keeps it: bytes decoded, line breaks untouched.
        found[f"examples/articles/{path.name}"] = path.read_bytes().decode("utf-8")
    return found


def one_line(text: str) -> str:
    """The article's paragraphs joined by a space into one line."""
    return " ".join(line.strip() for line in text.splitlines() if line.strip())


def pin(text: str) -> dict[str, object]:
    """The pin of one article, split the way ``index.build.prepare`` splits it."""
    sentences = split_sentences(text, find_boilerplate(text))
    table = [[s.id, s.start, s.end, s.paragraph, s.quote_close] for s in sentences]
    return {
        "text_sha256": _sha(text),
        "sentences": len(table),
        "table_sha256": _sha(json.dumps(table, separators=(",", ":"))),
    }


_ARTICLES = articles()
_PINS: dict[str, dict[str, dict[str, object]]] = json.loads(PINS.read_text(encoding="utf-8"))


def test_every_article_is_pinned():
    assert sorted(_PINS["articles"]) == sorted(_ARTICLES)
    assert sorted(_PINS["one_line"]) == sorted(_ARTICLES)


@pytest.mark.parametrize("key", sorted(_ARTICLES))
def test_article_splits_as_pinned(key):
    expected = _PINS["articles"][key]
    got = pin(_ARTICLES[key])
    assert got["text_sha256"] == expected["text_sha256"], "the article's text changed, not the splitter"
    assert got == expected


@pytest.mark.parametrize("key", sorted(_ARTICLES))
def test_article_as_one_line_splits_as_pinned(key):
    expected = _PINS["one_line"][key]
    got = pin(one_line(_ARTICLES[key]))
    assert got["text_sha256"] == expected["text_sha256"], "the article's text changed, not the splitter"
    assert got == expected


if __name__ == "__main__":
    pins = {
        "articles": {key: pin(text) for key, text in sorted(_ARTICLES.items())},
        "one_line": {key: pin(one_line(text)) for key, text in sorted(_ARTICLES.items())},
    }
    PINS.write_text(json.dumps(pins, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"pinned {len(_ARTICLES)} articles (as given and as one line) to {PINS}")
