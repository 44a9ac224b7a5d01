"""Fakes for the LLM answerer's unit and contract tests: LangChain chat models and requests.

``EchoChatModel`` reads the prompt like a (very literal) model would: it finds the
question and the article's ``[sN]`` lines, and answers with the sentence that
shares most words with the question, cited, streaming in three-character
pieces so that markers arrive split across chunks. ``invent`` adds a citation
of a sentence it was never shown.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from assistant.answer.base import ABSTAIN_TEXT, AnswerRequest
from index.models import Article
from index.sentences import split_sentences

_LINE = re.compile(r"^\[((?:a\d+:)?s\d+)\] (.*)$", re.M)
_STOP = set("a an the of to in on and or is are was were who what when where how did does do said say "
            "about for with by it he she they that this many much".split())


def words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _STOP}


class EchoChatModel(BaseChatModel):
    """Answers with the best-matching article sentence and its ID; abstains below two shared words."""

    invent: bool = False
    piece: int = 3
    calls: int = 0

    @property
    def _llm_type(self) -> str:
        return "echo-fake"

    def reply(self, messages: list[BaseMessage]) -> str:
        humans = [m.content for m in messages if m.type == "human" and isinstance(m.content, str)]
        question = humans[-1].rsplit("Question:", 1)[-1].strip()
        article = next(h for h in reversed(humans) if "<article" in h)
        best, label = 0, ""
        for found, text in _LINE.findall(article):
            shared = len(words(question) & words(text))
            if shared > best:
                best, label, best_text = shared, found, text
        if best < 2:
            return ABSTAIN_TEXT
        extra = " [s999]" if self.invent else ""
        return f"{best_text} [{label}]{extra}"

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        self.calls += 1
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=self.reply(messages)))])

    def _stream(
        self, messages: list[BaseMessage], stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        self.calls += 1
        text = self.reply(messages)
        for i in range(0, len(text), self.piece):
            yield ChatGenerationChunk(message=AIMessageChunk(content=text[i : i + self.piece]))


def article(text: str, article_id: str = "art1", title: str | None = None) -> Article:
    """An Article as the store would hold it (same splitter), without a store."""
    return Article(article_id, text, split_sentences(text), title=title)


def request(question: str, *articles: Article, history: tuple[Any, ...] = ()) -> AnswerRequest:
    """A request whose hits are every sentence, in order (the prompt shows whole articles anyway)."""
    from assistant.types import Hit

    hits = tuple(
        Hit(a.id, s.id, 1.0 - i / 100, 0.0, 0.0, 0.0) for a in articles for i, s in enumerate(a.sentences)
    )
    return AnswerRequest(question, question, hits, {a.id: a for a in articles}, history)


SEED_LIKE = (
    "The United States will send cluster munitions to Ukraine, the White House said on Friday.\n\n"
    "“They are effective,” said John Kirby, the National Security Council’s coordinator for strategic "
    "communications.\n\n"
    "More than 100 countries have banned the weapons. Russia has used cluster munitions since the start "
    "of the war.\n"
)


class Boom(Exception):
    """A client error with an HTTP status, shaped like openai's APIStatusError."""

    def __init__(
        self, status_code: int, message: str = "boom", headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.response = type("Response", (), {"headers": headers or {}})()


class ScriptedChatModel(BaseChatModel):
    """One script per call: chunks of text, exceptions to raise, ``STALL`` to block, ``USAGE`` pairs.

    Calls beyond the scripts replay the last one. ``released`` ends every stall (set it in teardown).
    """

    scripts: list[list[Any]]
    calls: int = 0
    released: Any = None
    seen: list[list[BaseMessage]] = []

    @property
    def _llm_type(self) -> str:
        return "scripted-fake"

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        text = "".join(c.message.content for c in self._stream(messages))  # type: ignore[misc]
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    def _stream(
        self, messages: list[BaseMessage], stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        script = self.scripts[min(self.calls, len(self.scripts) - 1)]
        self.calls += 1
        self.seen.append(list(messages))
        for step in script:
            if isinstance(step, BaseException):
                raise step
            if step is STALL:
                if self.released is not None:
                    self.released.wait(30)
                continue
            if isinstance(step, tuple) and step[0] is USAGE:
                usage = {"input_tokens": step[1], "output_tokens": step[2], "total_tokens": step[1] + step[2]}
                yield ChatGenerationChunk(message=AIMessageChunk(content="", usage_metadata=usage))  # type: ignore[arg-type]
                continue
            yield ChatGenerationChunk(message=AIMessageChunk(content=step))


STALL = object()
USAGE = object()
