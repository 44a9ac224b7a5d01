"""Readers of Word, markdown, text and HTML; sniffing by content; languages; offsets in every format."""

from __future__ import annotations

import io
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.build import prepare
from index.errors import InputError, InputTooLargeError, NotAnArticleError, NotTextError
from index.formats.contract import ReadLimits
from index.formats.registry import read_bytes, sniff
from index.ingest import read_file, read_text
from tests import formats_support as fs

FACTS = [
    "The city council voted 6-1 on Tuesday night to approve a $300 million replacement of the bridge.",
    "State inspectors rated the bridge's deck in poor condition in 2022, the mayor said.",
]


# --- Word -----------------------------------------------------------------------------------------


def test_a_docx_reads_paragraphs_in_order_with_headings_and_a_flattened_table(tmp_path):
    data = fs.docx_bytes(
        ["By Lee Park", *FACTS], title="Council Approves Bridge", headings={2: "Inspections"},
        table=[["Year", "Cost"], ["2026", "$10 million"], ["2027", "$20 million"]],
    )
    path = tmp_path / "memo.docx"
    path.write_bytes(data)
    raw = read_file(path)
    assert raw.text.split("\n\n") == [
        "Council Approves Bridge", "By Lee Park", FACTS[0], "Inspections", FACTS[1],
        "Year: 2026; Cost: $10 million.", "Year: 2027; Cost: $20 million.",
    ]
    assert (raw.title, raw.byline) == ("Council Approves Bridge", "Lee Park")
    assert raw.notes == ("1 table was flattened into lines of 'column: value' (one line per row).",)
    article, _ = prepare(raw)
    marked = {article.sentence(i).text for i in article.structural}
    assert marked == {"Council Approves Bridge", "By Lee Park", "Inspections"}


def test_a_docx_named_otherwise_is_still_read_as_word(tmp_path):
    path = tmp_path / "memo.bin"
    path.write_bytes(fs.docx_bytes(FACTS))
    assert read_file(path).text == "\n\n".join(FACTS)


def test_a_zip_bomb_docx_is_refused_before_it_is_unpacked():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b" " * 50_000_000)
    assert len(out.getvalue()) < 200_000
    with pytest.raises(InputTooLargeError, match="unpacks to 50 MB, more than one article"):
        read_bytes(out.getvalue(), "bomb.docx", ReadLimits(max_chars=1_000_000))


def test_a_damaged_docx_and_other_archives_are_refused_naming_them():
    with pytest.raises(InputError, match="damaged Word file"):
        read_bytes(_zip({"word/document.xml": b"<not xml"}), "bad.docx")
    with pytest.raises(NotTextError, match="is a ZIP archive, not a Word .docx"):
        read_bytes(_zip({"notes.txt": b"hello"}), "notes.zip")
    with pytest.raises(NotTextError, match=r"old Word \(.doc\).*Save it as .docx or PDF"):
        read_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "memo.doc")


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


# --- markdown and text ---------------------------------------------------------------------------

NOTE = """---
title: "Bridge vote notes"
author: Lee Park
date: 2025-03-03
---
# Council Approves Bridge

*The city council* voted **6-1** on Tuesday night to approve a [$300 million](https://example.com)
replacement of the bridge, ending two years of debate.

![The bridge](bridge.jpg)

## Next steps

- Construction is expected to begin in `June 2026`.
- The old bridge will stay open until 2029.

```
not = "an article"
```
"""


def test_markdown_is_rendered_with_front_matter_as_metadata():
    raw = read_bytes(NOTE.encode(), "notes.md", name="notes.md")
    assert (raw.title, raw.byline, raw.date) == ("Bridge vote notes", "Lee Park", "2025-03-03")
    assert raw.text.split("\n\n") == [
        "Council Approves Bridge",
        "The city council voted 6-1 on Tuesday night to approve a $300 million replacement of the bridge, "
        "ending two years of debate.",
        "Next steps",
        "Construction is expected to begin in June 2026.",
        "The old bridge will stay open until 2029.",
    ]
    article, _ = prepare(raw)
    assert not any(c in s.text for s in article.sentences for c in "#*`![]")
    assert {article.sentence(i).text for i in article.structural} == {"Council Approves Bridge", "Next steps"}


def test_front_matter_makes_an_unnamed_file_markdown():
    assert sniff(NOTE.encode(), "notes") == "markdown"
    assert sniff(NOTE.encode(), "notes.txt", name="notes.txt") == "text"


def test_a_txt_keeps_its_text_and_reads_headline_byline_and_date():
    text = (
        "Ferry Schedule Changes\nBy Ana Brito | March 14, 2024\n\nThe ferry will leave at 7 a.m. on Monday, "
        "the port said. Tickets cost $4, the same as last year."
    )
    raw = read_bytes(text.encode(), "ferry.txt", name="ferry.txt")
    assert raw.text == text
    assert (raw.title, raw.byline, raw.date) == ("Ferry Schedule Changes", "Ana Brito", "March 14, 2024")


# --- languages and the prose check --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("市议会周二晚上投票批准了桥梁更换计划。这座桥建于一九五八年，州政府将支付一半费用。", "Chinese"),
        ("市議会は火曜日の夜、橋の架け替えを承認しました。工事は来年の六月に始まる予定です。", "Japanese"),
        ("สภาเมืองลงมติอนุมัติการเปลี่ยนสะพานเมื่อคืนวันอังคาร การก่อสร้างจะเริ่มในเดือนมิถุนายน", "Thai"),
    ],
)
def test_unspaced_scripts_are_refused_naming_the_language(tmp_path, text, language):
    with pytest.raises(NotAnArticleError, match=f"is in {language}, which is written without spaces"):
        read_text(text)
    (tmp_path / "a.docx").write_bytes(fs.docx_bytes([text]))
    with pytest.raises(NotAnArticleError, match=f"is in {language}"):
        read_file(tmp_path / "a.docx")


def test_hindi_is_taken_with_a_note():
    text = (
        "नगर परिषद ने मंगलवार रात पुल बदलने को मंजूरी दी। यह पुल 1958 में बना था और अब बहुत पुराना हो गया है। "
        "मेयर ने कहा कि काम जून में शुरू होगा और पुराना पुल तब तक खुला रहेगा।"
    )
    raw = read_text(text)
    assert raw.text == text and "Hindi (hi)" in raw.notes[0]
    article, _ = prepare(raw)
    assert [s.text[-1] for s in article.sentences] == ["।", "।", "।"]  # split at the danda


def test_german_is_taken_with_a_note_and_english_without_one():
    german = (
        "Der Stadtrat hat am Dienstagabend dem Ersatz der Brücke zugestimmt. "
        "Die Bauarbeiten beginnen im Juni."
    )
    assert "German (de)" in read_text(german).notes[0]
    assert read_text(" ".join(FACTS)).notes == ()


def test_english_quoting_short_html_and_code_is_prose():
    text = (
        "Browsers now block pages that load scripts over plain HTTP, the security team said on Monday. "
        'The change affects tags such as <script src="http://cdn.example.com/lib/analytics-tracker-v2.min.js">'
        '</script> and <link rel="stylesheet" href="http://cdn.example.com/styles/main-theme-v3.css">.\n'
        'Developers should write <script src="https://cdn.example.com/lib/analytics-tracker-v2.min.js"> '
        "instead, or use `import tracker from './tracker.js'` in a module.\n"
        "The team said fewer than one in a hundred sites would notice the change."
    )
    assert read_text(text).text == text


# --- every format: offsets slice the stored text ------------------------------------------------

_WORDS = st.sampled_from(
    "council bridge mayor voted budget state inspectors deck route trucks cost bond residents June".split()
)
_SENTENCE = st.lists(_WORDS, min_size=4, max_size=12).map(lambda w: " ".join(w).capitalize() + ".")
_PARAGRAPHS = st.lists(st.lists(_SENTENCE, min_size=1, max_size=3).map(" ".join), min_size=2, max_size=5)


def _as(kind: str, paragraphs: list[str]) -> tuple[bytes, str]:
    if kind == "docx":
        return fs.docx_bytes(paragraphs), "a.docx"
    if kind == "html":
        body = "".join(f"<p>{p}</p>" for p in paragraphs)
        return f"<!doctype html><html><body><article>{body}</article></body></html>".encode(), "a.html"
    if kind == "markdown":
        return ("# Title line\n\n" + "\n\n".join(f"*{p}*" if i % 2 else p for i, p in enumerate(paragraphs))
                ).encode(), "a.md"
    return "\n\n".join(paragraphs).encode(), "a.txt"


@pytest.mark.parametrize("kind", ["text", "markdown", "html", "docx"])
@settings(max_examples=10, deadline=None)
@given(paragraphs=_PARAGRAPHS)
def test_offsets_slice_the_stored_text_in_every_format(kind, paragraphs):
    data, name = _as(kind, paragraphs)
    raw = read_bytes(data, name, name=name)
    article, _ = prepare(raw)
    for s in article.sentences:
        assert article.text[s.start : s.end] == s.text
    # Every paragraph's words reach the stored text, in order, without markup.
    flat, at = " ".join(raw.text.split()), 0
    for paragraph in paragraphs:
        at = flat.index(paragraph, at) + len(paragraph)
