"""PDF layout without a PDF: furniture, paragraphs, hyphenation, columns and page starts from lines."""

from __future__ import annotations

from index.formats.pdf_layout import Line, furniture, lay_out


def _page(number: int, body: list[tuple[str, float]], size: float = 11.0) -> list[Line]:
    """A page with a running header, its body lines at the given heights, and a page-number footer."""
    lines = [Line("City Budget Report 2024", 72, 760, 300, 770, 9, 760)]
    lines += [Line(text, 72, y, 500, y + size, size, y) for text, y in body]
    lines.append(Line(f"Page {number} of 2", 280, 30, 330, 40, 9, 30))
    return lines


PAGE_1 = _page(1, [
    ("The council approved the budget on Tuesday after a long de-", 700),
    ("bate about the cost of road repairs in the east of the", 686),
    ("city, officials said.", 672),
    ("The mayor said the plan would be final by June and that", 640),  # a larger gap: new paragraph
    ("the bond would cover the rest of the", 626),
])
PAGE_2 = _page(2, [
    ("money, which the state did not pay.", 700),  # goes on from page 1
    ("Work starts next spring.", 668),
])


def test_running_headers_and_page_numbers_are_furniture():
    assert furniture([PAGE_1, PAGE_2]) == {(0, 0), (0, 6), (1, 0), (1, 3)}


def test_lines_become_paragraphs_with_hyphens_joined_and_pages_recorded():
    layout = lay_out([PAGE_1, PAGE_2])
    assert layout.text.split("\n\n") == [
        "The council approved the budget on Tuesday after a long debate about the cost of road repairs "
        "in the east of the city, officials said.",
        "The mayor said the plan would be final by June and that the bond would cover the rest of the "
        "money, which the state did not pay.",
        "Work starts next spring.",
    ]
    assert layout.pages == (0, layout.text.index("money, which"))
    assert "Page 1" not in layout.text and "Budget Report" not in layout.text


def test_a_jump_up_to_the_next_column_after_a_full_stop_starts_a_paragraph():
    lines = [
        Line("The first column ends here.", 72, 300, 280, 311, 11, 300),
        Line("The second column starts at the top.", 320, 700, 540, 711, 11, 700),
    ]
    assert lay_out([lines]).text == "The first column ends here.\n\nThe second column starts at the top."


def test_a_larger_line_is_a_heading_and_a_wrapped_headline_stays_one():
    lines = [
        Line("Council Approves Elm Street", 72, 720, 500, 744, 24, 720),
        Line("Bridge Replacement", 72, 694, 400, 718, 24, 694),
        Line("The council voted on Tuesday to replace the bridge.", 72, 660, 500, 671, 11, 660),
    ]
    layout = lay_out([lines])
    assert layout.headings == ("Council Approves Elm Street Bridge Replacement",)
    assert layout.text.split("\n\n")[0] == "Council Approves Elm Street Bridge Replacement"
