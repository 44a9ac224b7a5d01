"""Structure is not evidence: headline, byline, dateline, headings, captions, markup marked; IDs unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.build import prepare
from index.ingest import RawArticle, read_file, read_text
from index.structure import line_kind, structural_ids, text_metadata

ARTICLES = Path(__file__).resolve().parent.parent / "data" / "articles"


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("By Dana Whitfield | March 14, 2024", "byline"),
        ("*By Lee Park*", "byline"),
        ("By Dana Whitfield and Lee Park", "byline"),
        ("Updated: 3:45 PM EST, March 14, 2024", "date"),
        ("*Published March 3, 2025*", "date"),
        ("WASHINGTON (AP) —", "dateline"),
        ("## Why the bridge is being replaced", "heading"),
        ("*Photo: The Elm Street bridge carries about 40,000 vehicles a day.*", "caption"),
        ("(Photo by Lee Park)", "caption"),
        ("![The Elm Street bridge](bridge.jpg)", "markup"),
        ("---", "markup"),
        # A credit that names no person, then a date line: a live blog's byline.
        ("Staff reports | Last updated June 2, 2025, 10:40 p.m.", "byline"),
        ("Wire services • March 14, 2024", "byline"),
        ("It rained all day. | March 14, 2024", None),
        ("Staff reports | see the map below", None),
        # Prose, however it starts.
        ("By Tuesday, the council had voted.", None),
        ("By the end of the day, it was over.", None),
        ("The council voted on March 14, 2024.", None),
        ("- The state will pay half.", None),
    ],
)
def test_line_kinds(line: str, kind: str | None) -> None:
    assert line_kind(line) == kind


def _marked(name: str) -> tuple[list[str], list[str]]:
    article, _ = prepare(read_file(ARTICLES / name))
    marked = [s.text for s in article.sentences if s.id in article.structural]
    body = [s.text for s in article.sentences if s.id not in article.structural]
    return marked, body


def test_a_txt_headline_and_byline_line_become_metadata() -> None:
    raw = read_file(ARTICLES / "swim-coach.txt")
    assert raw.title == "Santos Breaks National Record in 200-Meter Butterfly"
    assert (raw.byline, raw.date) == ("Dana Whitfield", "March 14, 2024")
    marked, body = _marked("swim-coach.txt")
    assert marked == [raw.title, "By Dana Whitfield | March 14, 2024"]
    assert body[0].startswith("PORTO ALEGRE — Maria Santos broke the national record")


def test_markdown_heading_byline_date_sections_image_and_caption_are_marked() -> None:
    raw = read_file(ARTICLES / "bridge-vote.md")
    assert (raw.byline, raw.date) == ("Lee Park", "March 3, 2025")
    marked, body = _marked("bridge-vote.md")
    # Markdown is rendered: the marks are gone, the headline and headings are still structure.
    assert marked[0] == "Council Approves $300 Million Elm Street Bridge Replacement"
    assert "How it will be paid for" in marked and not any("bridge.jpg" in s for s in marked + body)
    assert any(m.startswith("Photo:") for m in marked)
    # Bullets that state facts stay evidence.
    assert "Construction is expected to begin in June 2026." in body
    assert all(not b.startswith(("#", "*", "-", "!")) for b in body)


def test_html_headings_are_marked_from_the_markup() -> None:
    raw = read_file(ARTICLES / "nurses-strike.html")
    assert raw.title == "Nurses End Walkout at St. Vincent Hospital" and raw.byline == "Priya Raman"
    marked, body = _marked("nurses-strike.html")
    assert marked == ["Nurses End Walkout at St. Vincent Hospital", "A deal after talks through the night"]
    assert body[0].startswith("Nurses at St. Vincent Hospital returned to work")


def test_marking_never_changes_the_sentences_or_their_ids() -> None:
    raw = read_file(ARTICLES / "bridge-vote.md")
    marked, _ = prepare(raw)
    plain, _ = prepare(RawArticle(text=raw.text, source="plain"))
    assert marked.id == plain.id and marked.sentences == plain.sentences
    assert marked.structural and not plain.structural - marked.structural


def test_a_short_line_between_paragraphs_is_a_section_heading_but_prose_is_not() -> None:
    text = (
        "The council met on Tuesday to vote on the budget.\n\nWhat happens next\n\n"
        "The mayor said the budget is final.\nShe will sign it Friday.\n"
    )
    raw = read_text(text)
    article, _ = prepare(raw)
    assert [article.sentence(i).text for i in sorted(article.structural)] == ["What happens next"]
    assert structural_ids(text, article.sentences) == article.structural


def test_pasted_text_keeps_a_given_title_and_reads_the_byline() -> None:
    text = "Ferry Schedule Changes\nBy Ana Brito\n\nThe ferry will leave at 7 a.m. on Monday, the port said."
    raw = read_text(text, title="Ferries")
    assert raw.title == "Ferries" and raw.byline == "Ana Brito"
    assert text_metadata(text, None).byline == "Ana Brito"
