"""Reading a structured reply: the same checks as inline markers, whatever the server let through."""

from __future__ import annotations

import json

import pytest

from assistant.answer.prompts import Context
from assistant.answer.structured import StructuredReplyError, read_reply, response_format

CONTEXT = Context("article", "", {"s1": ("a", "s1"), "s2": ("a", "s2"), "s3": ("a", "s3")})


def _reply(*claims: tuple[str, object]) -> str:
    return json.dumps({"answer": [{"text": t, "citations": c} for t, c in claims]})


def test_the_schema_enum_is_the_labels_shown_in_order():
    rf = response_format(CONTEXT)
    items = rf["json_schema"]["schema"]["properties"]["answer"]["items"]
    assert items["properties"]["citations"]["items"]["enum"] == ["s1", "s2", "s3"]
    assert items["required"] == ["text", "citations"]


def test_claims_keep_their_citations_and_unknown_ids_are_counted():
    r = read_reply(_reply(("Kirby said so.", ["s2", "s9", "s2", 7]), ("No source here.", [])), CONTEXT)
    assert r.claims == ((("a", "s2"), "Kirby said so."),)
    assert r.unsupported == ("No source here.",)
    assert (r.invented, r.valid, r.sentences) == (2, (("a", "s2"),), 2)
    assert r.text == "Kirby said so. [s2] No source here."


def test_claim_text_cannot_fake_a_marker():
    r = read_reply(_reply(("It cost $40 million [s3].", ["s1"])), CONTEXT)
    assert r.text == "It cost $40 million (s3). [s1]"
    assert r.claims == ((("a", "s1"), "It cost $40 million (s3)."),)


def test_an_abstention_is_no_claim():
    r = read_reply(_reply(("The article doesn't say.", ["s1"])), CONTEXT)
    assert r.abstained and r.sentences == 0


@pytest.mark.parametrize("raw", ['{"answer": [', "[]", '{"answer": "x"}', '{"answer": [{"citations": []}]}',
                                 '{"answer": [{"text": "x", "citations": "s1"}]}'])
def test_unreadable_replies_raise(raw):
    with pytest.raises(StructuredReplyError):
        read_reply(raw, CONTEXT)
