"""Citation markers in a model's answer: parsed, checked and cleaned, also while streaming.

A marker is square brackets holding only sentence IDs: ``[s12]``, ``[s3, s4]``,
``[a2:s7]``. Each ID is looked up in the :class:`~assistant.answer.prompts.Context`
the model was shown: one that names no shown sentence is invented, dropped and
counted, never shown, not even mid-stream. Kept IDs are rewritten one per
marker (``[s3][s4]``). Brackets holding anything else (``[sic]``) are text.

:class:`MarkerFilter` does this on a stream: text flows out as it comes, but
a ``[`` is held until its ``]`` shows what it is, and whitespace is held so
that a dropped marker leaves no stray space before the punctuation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.answer.prompts import Context
from assistant.types import SentenceRef

_ID = r"(?:a\s*\d+\s*[:/]\s*)?s\s*\d+"
_ONLY_IDS = re.compile(rf"\s*{_ID}(?:\s*(?:,|;|&|and)?\s*{_ID})*\s*", re.I)
_EACH_ID = re.compile(_ID, re.I)
_MARKER = re.compile(r"\[([^\[\]\n]{1,80})\]")
#: Longest bracketed text held back before it is judged not to be a marker.
_HOLD = 82
_CLOSING = tuple(".,;:!?)”’\"'")
_ABSTAIN = re.compile(r"^\W*the article (?:doesn['’]t|does not|did not|didn['’]t) say\b", re.I)
#: An answer sentence ends after . ! or ? (closing quotes and any markers right after belong to it).
_SENTENCE_END = re.compile(r"[.!?][\"”’)]*(?:\s*\[[^\[\]\n]{1,80}\])*(?=\s|$)")
_ABBREVIATION = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|St|Sen|Rep|Gov|Gen|Col|Lt|Sgt|Jr|Sr|Prof|No|vs|etc|e\.g|i\.e)|\b[A-Z](?:\.[A-Z])*)$"
)


def marker_labels(inner: str) -> list[str] | None:
    """The normalised IDs in a bracket's content (``a2:s7``), or None when it is not a marker."""
    if not _ONLY_IDS.fullmatch(inner):
        return None
    return [re.sub(r"\s+", "", m.group()).lower().replace("/", ":") for m in _EACH_ID.finditer(inner)]


@dataclass(slots=True)
class MarkerFilter:
    """Streams a model's text with invented markers removed and valid ones normalised."""

    context: Context
    #: Everything emitted so far (plus held whitespace, see :attr:`text`).
    out: str = ""
    _buf: str = ""
    _space: str = ""
    _dropped: bool = False
    #: IDs the model gave: valid ones (in order) and the count of invented ones.
    valid: tuple[SentenceRef, ...] = ()
    invented: int = 0

    @property
    def text(self) -> str:
        """The cleaned answer so far, held text included."""
        return (self.out + self._space + self._buf).strip()

    @property
    def length(self) -> int:
        return len(self.out) + len(self._buf)

    def feed(self, chunk: str) -> str:
        """Take a chunk of the model's text; return what may be shown now."""
        self._buf += chunk
        start = len(self.out)
        self._drain(final=False)
        return self.out[start:]

    def finish(self) -> str:
        """The end of the stream: whatever was held, as text."""
        start = len(self.out)
        self._drain(final=True)
        return self.out[start:]

    def _drain(self, final: bool) -> None:
        while self._buf:
            i = self._buf.find("[")
            if i != 0:
                text, self._buf = (self._buf, "") if i < 0 else (self._buf[:i], self._buf[i:])
                self._text(text)
                continue
            j = self._buf.find("]")
            if j < 0:
                if not final and len(self._buf) <= _HOLD and "\n" not in self._buf:
                    return  # wait for the rest of a possible marker
                self._text("[")
                self._buf = self._buf[1:]
                continue
            inner = self._buf[1:j]
            labels = None if "[" in inner else marker_labels(inner)
            if labels is None:
                self._text("[")
                self._buf = self._buf[1:]
                continue
            self._buf = self._buf[j + 1 :]
            self._marker(labels)

    def _marker(self, labels: list[str]) -> None:
        kept = []
        for label in labels:
            ref = self.context.lookup(label)
            if ref is None:
                self.invented += 1
            else:
                kept.append(self.context.label(ref) or label)
                self.valid += (ref,)
        if kept:
            self.out += self._space + "".join(f"[{label}]" for label in dict.fromkeys(kept))
            self._space, self._dropped = "", False
        else:
            self._dropped = True

    def _text(self, text: str) -> None:
        if not text:
            return
        held = self._space
        if self._dropped and (text[0].isspace() or text.startswith(_CLOSING)):
            held = ""
        joined = held + text
        core = joined.rstrip()
        if not core:
            self._space = joined
            return
        self.out += core
        self._space = joined[len(core) :]
        self._dropped = False


@dataclass(frozen=True, slots=True)
class Reading:
    """A finished answer, sentence by sentence."""

    #: (ref, the answer sentence it was cited for, markers removed).
    claims: tuple[tuple[SentenceRef, str], ...]
    #: Answer sentences with content but no valid citation.
    unsupported: tuple[str, ...]
    sentences: int
    #: The answer as clean prose: markers removed, sentences of a line joined by one space.
    text: str = ""
    #: Each claim (answer sentence with content): its span in :attr:`text` and the refs it cites.
    spans: tuple[tuple[int, int, tuple[SentenceRef, ...]], ...] = ()


def read_answer(text: str, context: Context) -> Reading:
    """Which answer sentence cites what; which cite nothing valid; the clean text and its claims' spans."""
    lines: list[list[tuple[str, list[SentenceRef]]]] = []
    for line in text.split("\n"):
        lines.append([])
        for part in split_sentences(line):
            labels = [label for m in _MARKER.finditer(part) for label in marker_labels(m.group(1)) or ()]
            refs = [r for r in (context.lookup(label) for label in labels) if r]
            content = strip_markers(part)
            if re.search(r"\w", content):
                lines[-1].append((content, refs))
            elif lines[-1]:  # markers after the sentence's closing punctuation back that sentence
                lines[-1][-1][1].extend(refs)
            elif any(lines[:-1]):  # markers on a line of their own back the sentence before
                next(ln for ln in reversed(lines[:-1]) if ln)[-1][1].extend(refs)
    claims: list[tuple[SentenceRef, str]] = []
    unsupported: list[str] = []
    spans: list[tuple[int, int, tuple[SentenceRef, ...]]] = []
    clean: list[str] = []
    offset = 0
    count = 0
    for parts in lines:
        if not parts:
            continue
        if clean:
            clean.append("\n")
            offset += 1
        for i, (content, refs) in enumerate(parts):
            if i:
                clean.append(" ")
                offset += 1
            clean.append(content)
            if not is_abstention(content):
                count += 1
                kept = tuple(dict.fromkeys(refs))
                spans.append((offset, offset + len(content), kept))
                if kept:
                    claims += [(r, content) for r in kept]
                else:
                    unsupported.append(content)
            offset += len(content)
    return Reading(tuple(claims), tuple(unsupported), count, "".join(clean), tuple(spans))


def split_sentences(text: str) -> list[str]:
    """The answer's sentences, each with the markers that follow it; lines never join."""
    parts = []
    for line in text.split("\n"):
        start = 0
        for m in _SENTENCE_END.finditer(line):
            if m.group().startswith(".") and _ABBREVIATION.search(line[: m.start()]):
                continue  # "Mr. Kirby", "U.S. officials"
            parts.append(line[start : m.end()])
            start = m.end()
        parts.append(line[start:])
    return [p for p in parts if p.strip()]


def is_abstention(text: str) -> bool:
    """Whether the text begins with "The article doesn't say" (or close variants)."""
    return bool(_ABSTAIN.match(text))


def strip_markers(text: str) -> str:
    """The text without its citation markers (other bracketed text stays), on one line."""
    bare = _MARKER.sub(lambda m: " " if marker_labels(m.group(1)) is not None else m.group(), text)
    return re.sub(r"\s+([.,;:!?])", r"\1", " ".join(bare.split()))


def cut_at_sentence(text: str) -> str:
    """``text`` up to its last complete sentence (and that sentence's markers)."""
    ends = list(re.finditer(r"[.!?][\"”’)]*(?:\s*\[[^\[\]\n]{1,80}\])*", text))
    if not ends:
        return text.rstrip() + " …"
    return text[: ends[-1].end()]
