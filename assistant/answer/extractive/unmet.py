"""What a question names that the evidence never speaks of: inputs of the calibrated abstention.

An on-topic question about a detail the article never states reuses the article's
names and most of its words, so retrieval finds close-looking sentences. What it
asks about is still missing somewhere:

- ``noun_absent``: a common noun of the question that no article of the scope uses in
  any form ("Who is Mr. Trump's *accountant*?", "What *grade* is her daughter in?");
  the noun that only names the answer's type ("*Which city* …") is not counted;
- ``verb_absent``: a content verb of the question the scope never uses in any form,
  nor as a noun ("Who *founded* …", "When did she *endorse* him?"; "endorsement" counts);
- ``name_uncited``: a name of the question that the article holds but no cited
  sentence does ("How many passing yards did *Tom Brady* have?" answered from a
  sentence about another player);

Each is 0 or 1, shown in the diagnostics (``evidence.*``) with ``relation_absent``
(a typed question with nothing of its type cited and its verb nowhere in the scope).
None is weighed by default: refitted with them at the 3 % cap (issue 21, round 3 in
``evals/results/issue21_modes.md``) the model abstained on more unanswerable questions only
by abstaining on more answerable dev questions and shifting the mode model's input; crowd
questions paraphrase ("occupation" for "worked as"), so none of them decides alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from assistant.analysis.focus import QUESTION_TERMS
from assistant.analysis.nlp import parse
from assistant.analysis.questions import TYPE_NOUNS, Question
from assistant.analysis.text import terms
from assistant.answer.extractive.abstain import has_form

#: Nouns that say what kind of answer is wanted, not what it is about.
_GENERIC = frozenset(
    terms("name kind type number amount thing way part time article lot one ones first last other")
)
_TYPE = frozenset(terms(" ".join(TYPE_NOUNS)))
#: Verbs too light or too general to say what is asked.
_LIGHT = frozenset(
    terms(
        "be is was are were do did does have has had get got make made take took go went come came "
        "happen want wanted give gave know knew think thought say said tell told according call called"
    )
)


def unmet_features(
    question: Question, cited: Sequence[str], scope: Iterable[frozenset[str]]
) -> dict[str, float]:
    """The three flags for ``question`` answered from the ``cited`` sentence texts, over the
    vocabularies (stemmed terms) of the ``scope`` articles."""
    nouns, verbs, names = _question_words(question.text)
    known: set[str] = set()
    for vocabulary in scope:
        known |= set(vocabulary)
    cited_terms = {t for text in cited for t in terms(text)}
    return {
        "noun_absent": float(any(not has_form(n, known) for n in nouns)),
        "verb_absent": float(any(not has_form(v, known) for v in verbs)),
        "name_uncited": float(any(not (set(name) & cited_terms) for name in names)),
    }


def _question_words(text: str) -> tuple[list[str], list[str], list[tuple[str, ...]]]:
    """Stems of the question's content nouns and verbs, and its names (each a tuple of stems)."""
    doc = parse(text)
    if doc is None:
        return [], [], []
    nouns: list[str] = []
    verbs: list[str] = []
    names: list[tuple[str, ...]] = []
    run: list[str] = []
    for token in doc:
        stem = terms(token.text)
        word = stem[0] if stem else None
        if token.pos_ == "PROPN" and token.i > 0 and word and word not in QUESTION_TERMS:
            run.append(word)
            continue
        if run:
            names.append(tuple(run))
            run = []
        if word is None or word in QUESTION_TERMS:
            continue
        answer_slot = token.i > 0 and doc[token.i - 1].lower_ in {"which", "what"}
        if token.pos_ == "NOUN" and not token.ent_type_ and word not in _GENERIC:
            if not (answer_slot and word in _TYPE):
                nouns.append(word)
        elif token.pos_ == "VERB" and word not in _LIGHT:
            verbs.append(word)
    if run:
        names.append(tuple(run))
    return nouns, verbs, names
