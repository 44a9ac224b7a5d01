"""The add-time quote extraction and the merging of people, on articles written for these tests:
multi-sentence quotes, reported speech, pronoun and description speakers, and the two Smiths."""

from __future__ import annotations

from assistant.analysis.library_people import merge_people
from assistant.analysis.people import split_mention
from assistant.analysis.quotes import extract_quotes
from assistant.library.quotes import build_index
from index.build import prepare
from index.models import Article, RawArticle
from index.quotes import Quote, quotes_from_metadata, quotes_metadata

KIRBY = """Cluster munitions arrive in Ukraine

The United States will send cluster munitions to Ukraine, the White House said on Friday.

“They will be effective on the battlefield. We would not send them otherwise,” said John Kirby, the National Security Council's spokesman for strategic communications.

Kirby said the shells had a lower dud rate than the Russian ones.

“We are aware of the risks,” he said. “We weighed them carefully.”

The spokesman added that Ukraine had given written assurances about their use.

Critics were not convinced. “These weapons kill children for decades,” said Mary Wareham, a director at Human Rights Watch.
"""  # noqa: E501

SMITHS = {
    "senator": "Senate debates the bridge\n\n“The bridge must close before winter,” said John Smith, "
    "a Republican senator from Ohio.\n",
    "ceo": "Acme beats forecasts\n\n“Our earnings beat every forecast this quarter,” said Adam Smith, "
    "the chief executive of Acme Corp.\n",
    "ceo-again": "Acme sales double\n\n“Sales doubled in Europe,” Smith, the Acme chief executive, "
    "said on Tuesday.\n",
    "teacher": "School short of staff\n\n“The school needs more teachers,” said Smith, a local teacher.\n",
}


def _article(text: str) -> Article:
    return prepare(RawArticle(text=text, source="test"))[0]


def _texts(article: Article, quote: Quote) -> list[str]:
    return [article.sentence(s).text for s in quote.sentence_ids]


def test_a_quotation_over_two_sentences_is_one_quote_with_its_attribution() -> None:
    article = _article(KIRBY)
    first = next(q for q in extract_quotes(article) if "effective" in q.text)
    assert first.kind == "direct"
    assert _texts(article, first)[0].startswith("“They will be effective")
    assert len(first.sentence_ids) == 2
    assert "said John Kirby" in article.sentence(first.attribution_id).text
    assert first.speaker == "John Kirby"
    assert first.description == "the National Security Council's spokesman for strategic communications"


def test_reported_speech_pronouns_and_descriptions_are_the_one_person() -> None:
    article = _article(KIRBY)
    quotes = extract_quotes(article)
    kirby = [q for q in quotes if q.speaker == "John Kirby"]
    assert {q.person for q in kirby} == {kirby[0].person}
    mentions = {q.mention: q for q in kirby}
    assert mentions["Kirby"].kind == "reported"
    assert mentions["Kirby"].text.startswith("Kirby said the shells")
    assert mentions["he"].kind == "direct" and len(mentions["he"].sentence_ids) == 2  # “…,” he said. “…”
    assert mentions["The spokesman"].kind == "reported"
    assert mentions["The spokesman"].text.startswith("The spokesman added")
    wareham = [q for q in quotes if q.speaker == "Mary Wareham"]
    assert len(wareham) == 1 and wareham[0].person != kirby[0].person
    assert wareham[0].description == "a director at Human Rights Watch"
    assert not any("Critics were not convinced" in q.text for q in quotes)


def test_a_scare_quote_is_no_statement() -> None:
    article = _article("Tax plan\n\nThe senator called the plan “crazy” on Monday and left the hall early.\n")
    assert extract_quotes(article) == ()


def test_a_mention_splits_into_name_and_description() -> None:
    assert split_mention("Ukrainian military commander Oleksandr Syrskyi") == (
        "Oleksandr Syrskyi", "Ukrainian military commander")
    assert split_mention("Russian President Vladimir Putin") == ("Vladimir Putin", "Russian President")
    assert split_mention("the White House") == ("White House", None)
    assert split_mention("Obama's former campaign strategist") == (None, "Obama's former campaign strategist")


def test_quotes_survive_their_stored_form() -> None:
    article = _article(KIRBY)
    quotes = extract_quotes(article)
    assert quotes_from_metadata(article.id, quotes_metadata(quotes)) == quotes


def test_two_smiths_are_never_merged_on_the_surname_alone() -> None:
    stored = {}
    for text in SMITHS.values():
        article = _article(text)
        stored[article.id] = extract_quotes(article)
    index = build_index(stored, list(stored))
    smiths = index.matching("Smith")
    assert sorted(p.name for p in smiths) == ["Adam Smith", "John Smith", "Smith"]
    adam = next(p for p in smiths if p.name == "Adam Smith")
    assert adam.quotes == 2 and len(adam.articles) == 2  # "Smith, the Acme chief executive" joined him
    assert any("descriptions agree" in m for m in adam.merges)
    teacher = next(p for p in smiths if p.name == "Smith")
    assert teacher.descriptions == ("a local teacher",)
    assert any("not merged" in m and "only the surname matches" in m for m in teacher.merges)
    assert [q.text for q in index.find(person="John Smith")] == [
        "“The bridge must close before winter,” said John Smith, a Republican senator from Ohio."]


def test_a_surname_with_nothing_to_compare_joins_its_only_namesake_and_says_it_is_unsure() -> None:
    ceo = _article(SMITHS["ceo"])
    bare = _article("Markets\n\n“Prices will fall next year,” Smith said in London.\n")
    people, _ = merge_people([*extract_quotes(ceo), *extract_quotes(bare)])
    (smith,) = people
    assert smith.name == "Adam Smith" and smith.quotes == 2
    assert smith.unsure and "no description to compare" in smith.merges[0]


def test_topic_finds_what_a_person_said_about_it() -> None:
    article = _article(KIRBY)
    index = build_index({article.id: extract_quotes(article)}, [article.id])
    found = index.find(person="Kirby", topic="dud rate")
    assert found[0].text.startswith("Kirby said the shells had a lower dud rate")
    assert found[0].cited == ((article.id, found[0].sentence_ids[0]),)


def test_she_said_is_the_person_the_sentence_before_is_about_not_an_earlier_speaker() -> None:
    from assistant.analysis.attribution import find_speaker

    article = _article(
        "Charity audit\n\nWard reported the gaps to the board in January. "
        "The board's president, Ada Quill, is not related to the defendant. "
        "She said the charity had lost donors since the charges became public.\n"
    )
    said = next(s for s in article.sentences if s.text.startswith("She said"))
    found = find_speaker(article, said)
    assert found is not None and found[0] == "Ada Quill"
    assert found[1].text.startswith("The board's president")
