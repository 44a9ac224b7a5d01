"""Structured citations: the model answers in JSON whose citations come from an enum of shown IDs.

With ``llm.citations = "structured"`` the answerer asks an OpenAI-compatible
server for a JSON object through ``response_format`` (``json_schema``)::

    {"answer": [{"text": "…", "citations": ["s3", "s4"]}, …]}

where every citation's schema is an ``enum`` of exactly the labels the model
was shown (:func:`response_format`). llama.cpp's server, vLLM and OpenAI
enforce the schema while decoding, so even a tiny model writes only valid IDs.
The reply is still checked as if nothing enforced it (:func:`read_reply`): an
ID that names no shown sentence is dropped and counted, a claim with no valid
citation is unsupported, and the answerer's support checks run as for inline
markers. A reply that is not JSON of that shape raises
:class:`StructuredReplyError`; a server that refuses ``response_format``
(HTTP 400 naming it) is recognised by :func:`is_refusal`. In both cases the
answerer asks again with inline markers and notes why.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from assistant.answer.markers import is_abstention
from assistant.answer.prompts import Context, neutral
from assistant.errors import LLMError, LLMRequestError
from assistant.types import SentenceRef

#: Most claims and citations per claim the schema allows (keeps a looping small model short).
MAX_CLAIMS = 5
MAX_CITATIONS = 5
_REFUSAL = re.compile(r"response_format|json_schema|json schema|schema|grammar|structured", re.I)


class StructuredReplyError(ValueError):
    """The model's reply was not the JSON object the schema asked for."""


def response_format(context: Context) -> dict[str, Any]:
    """The OpenAI ``response_format`` for ``context``: citations limited to the labels shown."""
    claim = {
        "type": "object",
        "properties": {
            "text": {"type": "string"},
            "citations": {
                "type": "array",
                "items": {"type": "string", "enum": list(context.labels)},
                "minItems": 1,
                "maxItems": MAX_CITATIONS,
            },
        },
        "required": ["text", "citations"],
        "additionalProperties": False,
    }
    schema = {
        "type": "object",
        "properties": {"answer": {"type": "array", "items": claim, "minItems": 1, "maxItems": MAX_CLAIMS}},
        "required": ["answer"],
        "additionalProperties": False,
    }
    return {"type": "json_schema", "json_schema": {"name": "cited_answer", "strict": True, "schema": schema}}


def is_cut(error: LLMError) -> bool:
    """Whether a structured reply ended at the token limit (so its JSON is unfinished)."""
    return type(error.__cause__).__name__ == "LengthFinishReasonError"


def is_refusal(error: LLMError) -> bool:
    """Whether the server refused the request because of ``response_format`` (HTTP 400 naming it)."""
    if not isinstance(error, LLMRequestError):
        return False
    cause = error.__cause__
    status = getattr(cause, "status_code", None)
    text = f"{error} {cause or ''}"
    return (status == 400 or "HTTP 400" in text) and bool(_REFUSAL.search(text))


@dataclass(frozen=True, slots=True)
class StructuredReply:
    """A structured reply read against the context: the same facts the inline path derives."""

    #: The answer as text with normalised markers (``claim [s3][s4] claim [s5]``), like inline answers.
    text: str
    #: (ref, the claim it was cited for), in order.
    claims: tuple[tuple[SentenceRef, str], ...]
    #: Claims with content but no valid citation.
    unsupported: tuple[str, ...]
    #: Claims counted (abstention sentences excluded, as inline).
    sentences: int
    #: Valid citations given and IDs given that name no shown sentence.
    valid: tuple[SentenceRef, ...]
    invented: int
    #: The answer as clean prose (the claims' texts joined by a space), as the reader sees it.
    prose: str = ""
    #: Each claim: its span in :attr:`prose` and the refs it cites (as :class:`markers.Reading`).
    spans: tuple[tuple[int, int, tuple[SentenceRef, ...]], ...] = ()

    @property
    def abstained(self) -> bool:
        return not self.claims and is_abstention(self.text)


def read_reply(raw: str, context: Context) -> StructuredReply:
    """The reply's claims and citations, each ID checked; :class:`StructuredReplyError` when unreadable."""
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as e:
        raise StructuredReplyError(f"the reply is not valid JSON ({e.msg} at character {e.pos})") from None
    items = data.get("answer") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise StructuredReplyError('the reply has no "answer" list')
    parts: list[str] = []
    prose: list[str] = []
    spans: list[tuple[int, int, tuple[SentenceRef, ...]]] = []
    claims: list[tuple[SentenceRef, str]] = []
    unsupported: list[str] = []
    valid: list[SentenceRef] = []
    invented = sentences = 0
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise StructuredReplyError('an "answer" item has no "text" string')
        content = neutral(item["text"])  # no brackets: the text cannot fake a marker
        cited = item.get("citations") or []
        if not isinstance(cited, list):
            raise StructuredReplyError('an "answer" item\'s "citations" is not a list')
        refs: list[SentenceRef] = []
        labels: list[str] = []
        for label in cited:
            ref = context.labels.get(label) if isinstance(label, str) else None
            if ref is None:
                invented += 1
            elif ref not in refs:
                refs.append(ref)
                labels.append(label)
        if not re.search(r"\w", content):
            continue
        markers = "".join(f"[{label}]" for label in labels)
        parts.append(f"{content} {markers}" if markers else content)
        start = sum(len(p) + 1 for p in prose)
        prose.append(content)
        if is_abstention(content):
            continue
        spans.append((start, start + len(content), tuple(refs)))
        sentences += 1
        valid += refs
        if refs:
            claims += [(r, content) for r in refs]
        else:
            unsupported.append(content)
    text = " ".join(parts)
    found = (tuple(claims), tuple(unsupported), sentences, tuple(valid), invented)
    return StructuredReply(text, *found, prose=" ".join(prose), spans=tuple(spans))


@dataclass(slots=True)
class JsonSink:
    """Collects a structured reply's raw JSON; nothing of it is shown while it streams."""

    text: str = ""

    @property
    def length(self) -> int:
        return len(self.text)

    def feed(self, chunk: str) -> str:
        self.text += chunk
        return ""

    def finish(self) -> str:
        return ""
