"""Write the trust3 set's Word articles (``c6_bakery_release.docx``, ``c12_clinic_expansion.docx``).

The articles are kept here as text so that they can be read and reviewed in a diff; the
.docx files are committed too (the build reads it with the product's Word reader). The
headlines are Title paragraphs, the section heads are Heading 2, the rest Normal.

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

CLINIC: tuple[tuple[str, str], ...] = (
    ("Title", "Fenwick Hollow council backs $3.2 million clinic expansion after long night"),
    ("Normal", "By Jude Farrow | Fenwick Hollow Gazette | November 12, 2026"),
    (
        "Normal",
        "FENWICK HOLLOW — After three hours of public comment that stretched past midnight, the "
        "Fenwick Hollow Town Council voted 5-2 early Wednesday to lend the Fenwick Hollow Community "
        "Clinic $3.2 million to add eight exam rooms, a dental office and a small pharmacy.",
    ),
    (
        "Normal",
        "The clinic, on Mill Street, is the only primary care office in town and had about 14,000 "
        "patient visits last year, according to its medical director, Dr. Sunniva Rask. Rask said "
        "patients now wait an average of 26 days for a routine appointment. \"People are waiting a "
        "month to see a doctor for things that should take a week,\" Rask told the council. \"Some "
        "of them give up and go to the emergency room in Saltmere, which costs everyone more.\"",
    ),
    (
        "Normal",
        "The clinic will pay the loan back over 20 years at 2 percent interest. The town will "
        "borrow the money from the state's rural infrastructure fund.",
    ),
    (
        "Normal",
        "Council member Nell Whitlow, who voted for the loan, said the clinic had treated her "
        "mother for eleven years. \"This is the one place in town where you can still get a doctor "
        "to call you back,\" Whitlow said.",
    ),
    (
        "Normal",
        "Council member Gary Whitlow, who is not related to Nell Whitlow, voted against it. He said "
        "he supported the clinic but did not think the town should take on debt for a private "
        "nonprofit. \"If the clinic fails, the taxpayers are holding a $3.2 million note,\" he said. "
        "He proposed a smaller loan of $1.5 million for the exam rooms alone, which failed 2-5.",
    ),
    (
        "Normal",
        "The other vote against came from council member Anton Reyes, who said the council was "
        "being rushed.",
    ),
    ("Heading 2", "What the expansion adds"),
    (
        "Normal",
        "Construction is set to begin in April and take about 14 months. The dental office will be "
        "the first in Fenwick Hollow since the town's only dentist retired in 2023. Rask said the "
        "clinic would hire two more doctors, a dentist and a pharmacist, and would stay open until "
        "8 p.m. on Tuesdays and Thursdays.",
    ),
    (
        "Normal",
        "Most residents who spoke were in favor. Dolores Kwan, a 68-year-old retired teacher, said "
        "she drives 40 minutes each way to fill her prescriptions. \"A pharmacy on Mill Street would "
        "give me back a morning every month,\" Kwan said. Her husband, Victor Kwan, said he had "
        "missed two appointments last winter because the roads were closed.",
    ),
    ("Heading 2", "What happens next"),
    (
        "Normal",
        "The council will hold a final vote on the loan agreement on December 9. Rask said the "
        "clinic hoped to open the new rooms by the summer of 2028.",
    ),
)

#: file name -> (author, date, paragraphs).
ARTICLES: dict[str, tuple[str, datetime.datetime, tuple[tuple[str, str], ...]]] = {
    "c6_bakery_release.docx": ("Harlow Bakeries", datetime.datetime(2026, 8, 4, 9, 0, 0), BAKERY),
    "c12_clinic_expansion.docx": ("Jude Farrow", datetime.datetime(2026, 11, 12, 7, 0, 0), CLINIC),
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
