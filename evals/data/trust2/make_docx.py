"""Write ``articles/g8_four_day_week.docx``, the trust2 set's Word article, from the text below.

The article is kept here as text so that it can be read and reviewed in a diff; the
.docx is committed too (the build reads it with the product's Word reader). The
headline is a Title paragraph, the section heads are Heading 2, the rest Normal.

    /work/main/.venv/bin/python evals/data/trust2/make_docx.py
"""

from __future__ import annotations

import datetime
from pathlib import Path

OUT = Path(__file__).resolve().parent / "articles" / "g8_four_day_week.docx"

#: (style, text) per paragraph, in order.
PARAGRAPHS: tuple[tuple[str, str], ...] = (
    ("Title", "Hollins Ferry schools will move to a four-day week next fall"),
    ("Normal", "By Samira Haddad | April 9, 2025"),
    (
        "Normal",
        "HOLLINS FERRY — The Hollins Ferry School Board voted 5-2 on Tuesday night to move the "
        "district's schools to a four-day week starting in August, making it the first district in "
        "Larkspur County to drop Friday classes.",
    ),
    (
        "Normal",
        "Under the plan, students will attend school Monday through Thursday, and each day will be "
        "70 minutes longer so that the total hours of teaching stay nearly the same. The district's "
        "2,300 students will lose about 4 percent of their yearly classroom time, according to "
        "district figures.",
    ),
    (
        "Normal",
        "Superintendent Carla Benedetti said the main reason for the change was hiring. The district "
        "began this school year with 19 open teaching jobs, and Benedetti said candidates had turned "
        "down offers to take jobs in larger districts that pay more. \"We can't match their salaries, "
        "so we have to offer something they can't,\" Benedetti said. \"A three-day weekend is "
        "something they can't.\" She said the district expects to save about $640,000 a year, mostly "
        "on buses, heating and substitute teachers.",
    ),
    (
        "Normal",
        "Benedetti said she had visited two four-day districts in another state before bringing the "
        "plan to the board. \"I went in skeptical,\" she said. \"I came back convinced that it can "
        "work if we plan for the families who need Friday care.\"",
    ),
    (
        "Normal",
        "The district will offer a Friday program for children in kindergarten through fifth grade, "
        "at a cost of $15 a day, with free places for families who qualify for free school meals.",
    ),
    (
        "Normal",
        "Board member Neil Ashcroft, one of the two votes against the plan, said the district was "
        "solving its staffing problem by handing it to parents. \"Every working parent in this "
        "district just got a new problem to solve every Friday,\" Ashcroft said. He said he worried "
        "that students who depend on school meals would go hungry on Fridays. Benedetti said the "
        "district would send bags of food home with those students every Thursday.",
    ),
    ("Heading 2", "Parents divided"),
    (
        "Normal",
        "More than 200 people came to the meeting, which lasted nearly four hours. Jamal Price, a "
        "father of three who works night shifts at Saint Brigid's Medical Center in Wexley, said he "
        "supported the change because his children would get an extra day with him. \"I see my kids "
        "at breakfast and that's about it,\" Price said. \"A Friday at home is worth more to us than "
        "70 minutes.\"",
    ),
    (
        "Normal",
        "Others were less sure. Colleen Marsh, a single mother who works at a grocery store in "
        "Hollins Ferry, said she could not afford $15 a day for the Friday program. \"That's $60 a "
        "month I don't have,\" Marsh said. She said her mother would watch her son on Fridays for "
        "now, but not for long.",
    ),
    (
        "Normal",
        "The president of the Hollins Ferry Education Association, Wendy Okerlund, said teachers had "
        "voted 81 percent in favor of the plan in a survey in February. Okerlund said several "
        "teachers who had planned to leave the district told her they would stay if the change "
        "passed.",
    ),
    ("Heading 2", "What happens next"),
    (
        "Normal",
        "The district will publish the new daily schedule in May. Benedetti said the board would "
        "review test scores, attendance and teacher hiring after two years and could return to a "
        "five-day week if the results fall. \"If this hurts kids, we'll stop,\" she said.",
    ),
)


def main() -> None:
    """Write the .docx."""
    import docx

    document = docx.Document()
    for style, text in PARAGRAPHS:
        document.add_paragraph(text, style=style)
    props = document.core_properties
    props.author = "Samira Haddad"
    props.title = ""
    props.created = props.modified = datetime.datetime(2025, 4, 9, 12, 0, 0)
    document.save(str(OUT))
    print(OUT)


if __name__ == "__main__":
    main()
