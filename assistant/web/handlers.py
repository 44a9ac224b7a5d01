"""Event handlers of the web chat: plain functions from inputs to outputs.

The browser keeps the state, a JSON dict
``{"scope": ALL | article_id, "chats": {scope: [turn, …]}}`` where a turn is
``{"question": str, "answer": Answer.to_dict()}``. Handlers receive it, return
a new one, and render HTML with :mod:`assistant.web_render`.

Package errors become a message in the page (``gr.Error`` or the add-status
box); anything else is logged and shown as a short apology, never a traceback.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from pathlib import Path
from typing import Any

import gradio as gr  # type: ignore[import-untyped,unused-ignore]

from assistant.api import Assistant
from assistant.errors import AnswerStopped
from assistant.types import Answer
from assistant.web.library import LibraryView, find, newest_first, page_of, render_library
from assistant.web.models_picker import ModelPicker
from assistant.web.refusals import refuse_short_paste
from assistant.web.render import (
    ALL,
    add_status,
    cited_articles,
    cited_pairs,
    esc,
    render_articles,
    render_chat,
    shows_placeholder,
    source_label,
)
from assistant.web.render_llm import stopped_answer
from assistant.web.state import MAX_TURNS, history, normalise
from assistant.web.stopping import Runs
from assistant.web.suggest import suggest
from index.build import AddResult
from index.errors import (
    ArticleAssistantError,
    ArticleNotFoundError,
)
from index.models import Article, ArticleSummary

log = logging.getLogger(__name__)

#: A streamed answer is repainted at most this often (seconds).
STREAM_EVERY_S = 0.05

#: Gradio tracks progress through a ``gr.Progress`` default argument (one instance is fine).
_PROGRESS = gr.Progress()
_UNEXPECTED = "Something went wrong on the server; the details are in its log. Try again."
#: The Ask button's label while the model loads, and once it has.
ASK_LABEL = "Ask"
WARMING_LABEL = "Getting ready…"
#: Newest articles whose own sentences make the suggested questions across "All articles".
SUGGEST_SCAN = 4


class ChatHandlers:
    """The web chat's event handlers over one shared :class:`Assistant`."""

    def __init__(
        self,
        assistant: Assistant,
        ready: threading.Event | None = None,
        viewed: threading.Event | None = None,
    ) -> None:
        # No lock: the Assistant is safe to call from Gradio's worker threads at once,
        # so a slow add never holds up another reader's question.
        self.assistant = assistant
        #: The answerers a reader may pick, and the answers being written (to stop them).
        self.picker = ModelPicker(assistant)
        self.runs = Runs()
        #: Set once the model is loaded (``serve`` warms it in the background); None: always ready.
        self.ready = ready
        #: Set once a page has been given its library (``serve`` then starts loading the model).
        self.viewed = viewed

    # -- the page ------------------------------------------------------------------

    def view(self, state: dict[str, Any], settle: bool = False, reveal: bool = False) -> tuple[Any, ...]:
        """Library, chat, article view, state and the remove button for ``state``.

        ``settle``: with a single article and no conversation across "All articles",
        select that article, so the first screen shows it. ``reveal``: the library pages to
        the selected article (after an add, or on a fresh page, whose search box is empty).
        """
        articles = self.assistant.summaries()  # the library's listing; texts only for what is shown
        by_id = {a.id: a for a in articles}
        if state["scope"] not in by_id:
            state["scope"] = ALL
        if settle and state["scope"] == ALL and len(articles) == 1 and not state["chats"].get(ALL):
            state["scope"] = articles[0].id
        scope = state["scope"]
        library = self.library(state, articles, reveal)
        turns = state["chats"].get(scope, [])
        pending = state.get("pending")
        interrupted = {**pending, "interrupted": True} if pending and pending["scope"] == scope else None
        return (
            library,
            self._chat(turns, scope, by_id, interrupted),
            self._article(turns, scope, by_id),
            state,
            gr.update(interactive=scope != ALL),
        )

    def library(self, state: dict[str, Any], articles: list[ArticleSummary], reveal: bool = False) -> str:
        """The library panel for ``state`` (one page of cards); keeps the page shown in ``state``."""
        scope = state["scope"]
        per_page = self.assistant.settings.web.library_page
        shown = LibraryView.of(state.get("library"))
        if reveal:
            shown = LibraryView(query="", page=page_of(articles, scope, per_page))
        found = find(articles, shown, scope, per_page)
        state["library"] = LibraryView(shown.query, found.page).as_state()
        return render_library(found, scope, shown.query)

    def load(self, state: Any) -> tuple[Any, ...]:
        """Page load: restore the selection and conversation kept in the browser.

        A question still pending in the browser's state lost its answer (the page was
        reloaded or the connection dropped mid-answer): it is shown as interrupted.
        """
        try:
            return self._guard(lambda: self.view(normalise(state), settle=True, reveal=True))
        finally:
            if self.viewed is not None:
                self.viewed.set()

    def readiness(self) -> tuple[Any, Any]:
        """The Ask button while the model loads ("Getting ready…"), and the timer polling it.

        Outputs: the Ask button, the timer (stopped once ready).
        """
        if self.ready is None or self.ready.is_set():
            return gr.update(value=ASK_LABEL, interactive=True), gr.Timer(active=False)
        return gr.update(value=WARMING_LABEL, interactive=False), gr.skip()

    def pick(self, state: Any, event: gr.EventData) -> tuple[Any, ...]:
        """A click on a library card (``{"scope": id}``): show that article and its conversation."""
        state = normalise(state)
        scope = (getattr(event, "_data", None) or {}).get("scope")
        state["scope"] = scope if isinstance(scope, str) and scope else ALL
        return self._guard(lambda: self.view(state))

    def clear(self, state: Any) -> tuple[Any, ...]:
        """Start a new conversation in the current scope."""
        state = normalise(state)
        state["chats"].pop(state["scope"], None)
        state["pending"] = None
        return self._guard(lambda: self.view(state))

    # -- asking ------------------------------------------------------------------------

    def ask_suggested(self, state: Any, model: str | None, event: gr.EventData,
                      request: gr.Request) -> Iterator[tuple[Any, ...]]:
        """A click on a suggested question (``{"question": …}``): ask it."""
        question = (getattr(event, "_data", None) or {}).get("question")
        yield from self.ask(question if isinstance(question, str) else "", state, model, request)

    def stop(self, request: gr.Request) -> None:
        """The Stop button, or the page going away: stop this session's answer (the model's stream is
        closed; :meth:`ask` keeps what was shown, marked stopped)."""
        self.runs.stop(request)

    def ask(self, question: str | None, state: Any, model: str | None = None,
            request: gr.Request | None = None) -> Iterator[tuple[Any, ...]]:
        """Answer in the current scope with the picked answerer (``model``: a key of the picker),
        showing the text as the answerer produces it, then cited.

        Outputs: chat HTML, question box, article view, state.
        """
        question = (question or "").strip()
        state = normalise(state)
        limit = self.assistant.settings.answer.max_question_chars
        # Refusals are warnings in the page, not errors: nothing failed on the server.
        if not question:
            gr.Warning("Type a question about the article first.")
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        if len(question) > limit:
            gr.Warning(f"That question is {len(question):,} characters long; keep it under {limit:,}.")
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        scope = state["scope"]
        turns = state["chats"].get(scope, [])
        by_id = self._articles()
        choice = self.picker.choice(model)
        pending: dict[str, Any] = {"question": question, "text": None, "model": choice.model}
        # Kept in the browser until the answer arrives, so a refresh shows what was lost.
        state["pending"] = {"question": question, "scope": scope}
        yield self._chat(turns, scope, by_id, pending), "", gr.skip(), state
        settled = {**state, "pending": None}
        article = None if scope == ALL else scope
        try:
            with self.runs.run(request) as stop:
                asking = self.assistant.ask_stream(question, article=article, history=history(turns),
                                                   answerer=choice.key, stop=stop)
                answer = yield from self._streamed(asking, pending, (turns, scope, by_id))
        except AnswerStopped:
            # What was shown stays, marked stopped; the model's stream is closed already.
            turns = [*turns, {"question": question, "answer": stopped_answer(pending["text"], choice.model)}]
            settled["chats"][scope] = turns[-MAX_TURNS:]
            yield self._chat(turns, scope, by_id), gr.skip(), gr.skip(), settled
            return
        except ArticleAssistantError as e:
            # The reader's problem to fix, not the server's: a message, no traceback in the log.
            gr.Warning(esc(self._message(e)))
            yield self._chat(turns, scope, by_id), question, gr.skip(), settled
            return
        except Exception as e:
            log.exception("ask failed")
            yield self._chat(turns, scope, by_id), question, gr.skip(), settled
            raise gr.Error(_UNEXPECTED) from e
        turns = [*turns, {"question": question, "answer": answer.to_dict()}][-MAX_TURNS:]
        settled["chats"][scope] = turns
        yield self._chat(turns, scope, by_id), gr.skip(), self._article(turns, scope, by_id), settled

    def _streamed(self, asking: Iterator[str | Answer], pending: dict[str, Any],
                  view: tuple[list[dict[str, Any]], str, dict[str, ArticleSummary]],
                  ) -> Generator[tuple[Any, ...], None, Answer]:
        """Repaints of the chat as the text comes; returns the Answer. Closing it closes ``asking``."""
        answer: Answer | None = None
        shown = 0.0
        try:
            for piece in asking:
                if isinstance(piece, Answer):
                    answer = piece
                    continue
                pending["text"] = (pending["text"] or "") + piece
                pending["reveal"] = len(pending["text"])
                if time.monotonic() - shown >= STREAM_EVERY_S:  # a repaint per token would flood the page
                    shown = time.monotonic()
                    yield self._chat(view[0], view[1], view[2], pending), gr.skip(), gr.skip(), gr.skip()
        finally:
            close = getattr(asking, "close", None)
            if close is not None:
                close()  # a page that went away: the model's stream is closed now, not at collection
        assert answer is not None
        return answer

    # -- adding ----------------------------------------------------------------------------

    def add_url(self, url: str | None, state: Any, progress: Any = _PROGRESS) -> tuple[Any, ...]:
        """Add the article at a link. Outputs: status, the view, the cleared link box."""
        url = (url or "").strip()
        if not url:
            return self._add_failed("Paste a link to an article first (https://…).", 1)
        if not re.match(r"^https?://", url, re.I):
            # The Link box fetches web pages only; it never reads the server's files.
            return self._add_failed("That is not a web link. Paste a link that starts with https://.", 1)
        progress(0.1, desc="Fetching and indexing the article…")
        return self._add(lambda: self.assistant.add_url(url), state, extra=1)

    def add_file(self, path: str | None, state: Any, progress: Any = _PROGRESS) -> tuple[Any, ...]:
        """Add an uploaded file (any format the readers take; what they refuse, they name).
        Outputs: status, the view, the cleared upload."""
        if not path:
            return self._add_failed("Choose a file first (.txt, .md, .html, .pdf or .docx).", 1)
        if not _is_upload(path):
            log.warning("refused an upload path outside the upload folder: %r", path)
            return self._add_failed("That file was not uploaded through this page. Choose it again.", 1)
        name = Path(path).name
        progress(0.1, desc=f"Reading and indexing {name}…")

        return self._add(lambda: self.assistant.add_file(path, source=name), state, extra=1,
                         hide=(path, name))

    def add_text(self, title: str | None, text: str | None, state: Any,
                 progress: Any = _PROGRESS) -> tuple[Any, ...]:
        """Add pasted text. Outputs: status, the view, the cleared title and text boxes."""
        progress(0.1, desc="Indexing the text…")

        def add() -> AddResult:
            refuse_short_paste(text or "")
            return self.assistant.add_text(text or "", title=(title or "").strip() or None)

        return self._add(add, state, extra=2)

    def _add(self, add: Callable[[], AddResult], state: Any, extra: int,
             hide: tuple[str, str] | None = None) -> tuple[Any, ...]:
        state = normalise(state)
        try:
            result = add()
        except ArticleAssistantError as e:
            message = self._message(e)
            if hide:  # the upload's temporary path means nothing to the reader
                message = message.replace(hide[0], hide[1])
            return self._add_failed(message, extra)
        except Exception:
            log.exception("add failed")
            return self._add_failed(_UNEXPECTED, extra)
        state["scope"] = result.article.id
        cleared = tuple(None for _ in range(extra))
        shown = self._guard(lambda: self.view(state, reveal=True))
        return (add_status(_added_message(result), ok=True), *shown, *cleared)

    def _add_failed(self, message: str, extra: int) -> tuple[Any, ...]:
        return (add_status(message, ok=False), *(gr.skip() for _ in range(5 + extra)))

    # -- helpers --------------------------------------------------------------------------------

    def _articles(self) -> dict[str, ArticleSummary]:
        return {a.id: a for a in self.assistant.summaries()}

    def _chat(self, turns: list[dict[str, Any]], scope: str, by_id: dict[str, ArticleSummary],
              pending: dict[str, Any] | None = None) -> str:
        label = by_id[scope].label if scope in by_id else "all articles"
        titles = {k: a.label for k, a in by_id.items()}
        sources = {k: a.url or source_label(a) for k, a in by_id.items()}
        suggested: tuple[str, ...] = ()
        if shows_placeholder(turns, pending):  # only an empty chat shows them: not per streamed repaint
            # Made from the article's own sentences; across the library, from the newest few only
            # (a large library's texts are not read to suggest four questions).
            newest = [a.id for a in newest_first(list(by_id.values()))[:SUGGEST_SCAN]]
            in_scope = [scope] if scope in by_id else newest
            suggested = suggest(self._read(in_scope), self.assistant.settings.web.suggestions)
        return render_chat(turns, label, titles, pending, suggestions=suggested, sources=sources)

    def _article(self, turns: list[dict[str, Any]], scope: str, by_id: dict[str, ArticleSummary]) -> str:
        ids = [scope] if scope in by_id else cited_articles(turns)
        shown = self._read([a for a in ids if a in by_id])
        return render_articles(shown, cited_pairs(turns[-1] if turns else None))

    def _read(self, article_ids: Sequence[str]) -> list[Article]:
        """These stored articles (those removed meanwhile left out)."""
        found = []
        for article_id in article_ids:
            try:
                found.append(self.assistant.get(article_id))
            except ArticleNotFoundError:
                continue
        return found

    @staticmethod
    def _message(error: ArticleAssistantError) -> str:
        if isinstance(error, ArticleNotFoundError):
            return "That article is no longer in the library. Choose another one, or add it again."
        return str(error)

    @staticmethod
    def _guard(make: Callable[[], tuple[Any, ...]]) -> tuple[Any, ...]:
        try:
            return make()
        except ArticleAssistantError as e:
            raise gr.Error(esc(ChatHandlers._message(e))) from e
        except Exception as e:
            log.exception("web handler failed")
            raise gr.Error(_UNEXPECTED) from e


def _is_upload(path: str) -> bool:
    """True for a file inside Gradio's upload folder (where every upload lands)."""
    from gradio.utils import get_upload_folder  # type: ignore[import-untyped,unused-ignore]

    folder = Path(get_upload_folder()).resolve()
    return Path(path).resolve().is_relative_to(folder)


def _added_message(result: AddResult) -> str:
    a = result.article
    if not result.created:
        return f"Already in the library: “{a.label}”."
    message = f"Added “{a.label}”: {len(a.sentences)} sentences."
    if result.dropped:
        reasons = sorted({d.reason for d in result.dropped})
        noun = "line" if len(result.dropped) == 1 else "lines"
        message += f" Left out {len(result.dropped)} boilerplate {noun} ({', '.join(reasons)})."
    for note in result.notes:
        message += f" {note}"
    return message
