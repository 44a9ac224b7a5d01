"""Write ``articles/c6_bakery_release.docx``, the trust3 set's Word article, from the text below.

The article is kept here as text so that it can be read and reviewed in a diff; the
.docx is committed too (the build reads it with the product's Word reader). The
headline is a Title paragraph, the section heads are Heading 2, the rest Normal.
The test half's Word article (``c12``) is added to ``ARTICLES`` with the test half.

    /work/main/.venv/bin/python evals/data/trust3/make_docx.py
"""

from __future__ import annotations

import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent / "articles"

#: (style, text) per paragraph, in order.
BAKERY: tuple[tuple[str, str], ...] = (
    ("Title", "Harlow Bakeries to build $14 million bakery in Millbury Cross, creating 85 jobs"),
    ("Normal", "FOR IMMEDIATE RELEASE | August 4, 2026"),
    (
        "Normal",
        "MILLBURY CROSS — Harlow Bakeries, a family-owned maker of bread and rolls, today announced "
        "that it will build a 60,000-square-foot bakery in the Millbury Cross Business Park, a "
        "$14 million investment that will create 85 full-time jobs by the end of 2028.",
    ),
    (
        "Normal",
        "Construction is expected to begin in October, and the bakery is scheduled to start "
        "production in the spring of 2028. The new plant will supply Harlow bread to grocery stores "
        "in four states and will run two shifts a day, six days a week.",
    ),
    (
        "Normal",
        "\"We outgrew our home bakery in Tamsworth five years ago, and we have been baking around "
        "the clock ever since just to keep up,\" said Lorraine Harlow, the company's chief executive "
        "and the granddaughter of its founder. \"Millbury Cross gave us the land, the workforce and "
        "a water system that is being rebuilt for the next fifty years.\"",
    ),
    (
        "Normal",
        "Harlow said the company chose Millbury Cross over two other sites because it sits next to "
        "Route 9 and because the town's community college offered to train new workers. Starting "
        "pay will be $22 an hour, plus health insurance and a retirement plan, the company said.",
    ),
    (
        "Normal",
        "Mayor Priya Castell called the announcement \"the biggest jobs news this town has had in a "
        "decade.\" \"These are jobs you can raise a family on,\" Castell said. \"And the smell of "
        "fresh bread on Route 9 won't hurt either.\"",
    ),
    (
        "Normal",
        "The Millbury Cross Economic Development Council approved a property tax break worth about "
        "$1.1 million over ten years. In return, Harlow has agreed to keep at least 70 jobs at the "
        "plant for ten years or pay back part of the tax break.",
    ),
    (
        "Normal",
        "Simon Harlow, the company's head of operations and Lorraine Harlow's brother, will run the "
        "new plant. He said hiring would begin in late 2027, with priority for people who live in "
        "Brannock County. \"We want people who live close enough to get here in a snowstorm,\" he "
        "said.",
    ),
    ("Heading 2", "About Harlow Bakeries"),
    (
        "Normal",
        "Founded in 1961 by Arthur Harlow, Harlow Bakeries employs 310 people and bakes about "
        "400,000 loaves a week. It is still owned by the Harlow family.",
    ),
    ("Heading 2", "Media contact"),
    ("Normal", "Gwen Albright, communications manager, press@harlowbakeries.example, 555-0142"),
)

#: file name -> (author, date, paragraphs).
ARTICLES: dict[str, tuple[str, datetime.datetime, tuple[tuple[str, str], ...]]] = {
    "c6_bakery_release.docx": ("Harlow Bakeries", datetime.datetime(2026, 8, 4, 9, 0, 0), BAKERY),
}


def main() -> None:
    """Write the .docx files."""
    import docx

    for name, (author, when, paragraphs) in ARTICLES.items():
        document = docx.Document()
        for style, text in paragraphs:
            document.add_paragraph(text, style=style)
        props = document.core_properties
        props.author = author
        props.title = ""
        props.created = props.modified = when
        document.save(str(HERE / name))
        print(HERE / name)


if __name__ == "__main__":
    main()
