"""The Gradio web chat: a library of articles, a chat and the article view.

:func:`build_app` lays out a Blocks app over one shared :class:`Assistant`;
the event handlers live on :class:`ChatHandlers` and are plain functions from
inputs to outputs. The conversation and the selected article are kept in the
browser (``gr.BrowserState``), so they survive a page refresh. All HTML is
made in :mod:`assistant.web_render`, which escapes everything from articles
and users.

Run it with ``article-assistant serve`` or :func:`serve`.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import gradio as gr  # type: ignore[import-untyped,unused-ignore]

from assistant.api import Assistant
from assistant.settings import Settings
from assistant.web.api import WebAPI
from assistant.web.browse import LibraryEvents
from assistant.web.first_screen import FirstScreen
from assistant.web.first_screen import middleware as first_screen
from assistant.web.guard import allowed_hosts, middleware
from assistant.web.handlers import ASK_LABEL, WARMING_LABEL, ChatHandlers
from assistant.web.library import MAX_QUERY_CHARS
from assistant.web.local_ask import ServeLink
from assistant.web.models_picker import stop_button
from assistant.web.people import people_panel
from assistant.web.removal import Removal
from assistant.web.render import ALL
from assistant.web.startup import browser_secret, warm_up
from assistant.web.startup import gzip as _gzip
from assistant.web.startup import prime as _prime
from assistant.web.state import normalise
from index.errors import ArticleAssistantError, ConfigError

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"

class ServeError(ArticleAssistantError):
    """The web server could not start (port in use, address not available)."""


def build_app(
    assistant: Assistant,
    secret: str | None = None,
    ready: threading.Event | None = None,
    viewed: threading.Event | None = None,
) -> gr.Blocks:
    """The web chat over ``assistant``; ``secret`` encrypts the state kept in the browser.

    ``ready`` is set once the model is loaded; until then Ask says "Getting ready…" (the
    page itself never waits for the model). ``viewed`` is set when a page has shown its
    library. Styles and scripts are passed at launch: ``app.launch(**launch_options())``.
    """
    h = ChatHandlers(assistant, ready, viewed)
    warming = ready is not None and not ready.is_set()
    limit = assistant.settings.answer.max_question_chars
    with gr.Blocks(title="Article Assistant", fill_width=True, analytics_enabled=False) as app:
        state = gr.BrowserState(
            {"scope": ALL, "chats": {}, "pending": None}, storage_key="article-assistant", secret=secret
        )
        gr.HTML(_HEADER, elem_id="app-header")
        with gr.Row(equal_height=False, elem_id="main-row"):
            with gr.Column(scale=3, min_width=280, elem_id="library-panel"):
                gr.HTML(_LIBRARY_HEAD, elem_id="library-head")
                # Adding comes first: its result shows right under the control that made it, and
                # the new article is selected at the top of the library (newest first) below.
                with gr.Accordion("Add an article", open=True, elem_id="add-panel"), gr.Tabs():
                    with gr.Tab("Link", elem_id="add-url-tab"):
                        url = gr.Textbox(
                            show_label=False, placeholder="https://… a news article", elem_id="add-url",
                        )
                        add_url = gr.Button(
                            "Add from link", variant="primary", size="sm", elem_id="add-url-btn"
                        )
                    with gr.Tab("File", elem_id="add-file-tab"):
                        upload = gr.File(
                            show_label=False, file_count="single", type="filepath", height=110,
                            elem_id="add-file",  # any type: the server names one it cannot read
                        )
                    with gr.Tab("Paste", elem_id="add-text-tab"):
                        title = gr.Textbox(
                            show_label=False, placeholder="Title (optional)", elem_id="add-title"
                        )
                        text = gr.Textbox(
                            show_label=False, placeholder="Paste the article's text", lines=6, max_lines=12,
                            elem_id="add-text",
                        )
                        add_text = gr.Button("Add text", variant="primary", size="sm", elem_id="add-text-btn")
                status = gr.HTML(elem_id="add-status")
                # Search and Remove sit above the cards (on a phone they stay at the drawer's top):
                # neither is ever below a page of 50 cards.
                with gr.Column(elem_id="library-tools"):
                    search = gr.Textbox(
                        show_label=False, placeholder="Search titles, sources, dates",
                        elem_id="library-search", max_length=MAX_QUERY_CHARS, container=False,
                    )
                    remove = gr.Button(
                        "Remove selected article…", size="sm", variant="secondary", elem_id="remove-btn",
                        interactive=False,
                    )
                    with gr.Column(visible=False, elem_id="remove-confirm-box") as confirm_box:
                        confirm_text = gr.HTML()
                        token = gr.Textbox(visible=False, elem_id="remove-token")
                        with gr.Row():
                            confirm_yes = gr.Button(
                                "Remove", variant="stop", size="sm", elem_id="remove-confirm"
                            )
                            confirm_no = gr.Button("Cancel", size="sm", elem_id="remove-cancel")
                library = gr.HTML(elem_id="library", js_on_load=_LIBRARY_JS)
                people_panel(assistant, state, {"api_visibility": "private"})
            with gr.Column(scale=5, min_width=360, elem_id="chat-panel"):
                with gr.Row(elem_id="chat-head"):
                    gr.HTML('<div class="panel-label">Conversation</div>')
                    model = h.picker.dropdown()
                    clear = gr.Button(
                        "New chat", size="sm", variant="secondary", elem_id="clear-btn", scale=0
                    )
                chat = gr.HTML(elem_id="chat", js_on_load=_CHAT_JS)
                with gr.Row(elem_id="ask-row"):
                    # No autofocus: on a phone it would scroll the page past the header and library
                    # (the page script focuses the box on wide screens). max_length: refused in the page.
                    question = gr.Textbox(
                        show_label=False, placeholder="Ask about the article…", scale=8, elem_id="question",
                        max_length=limit,
                    )
                    ask = gr.Button(
                        WARMING_LABEL if warming else ASK_LABEL, variant="primary", scale=1, min_width=80,
                        elem_id="ask-btn", interactive=not warming,
                    )
                    stop = stop_button()
                gr.HTML(f'<div class="question-limit" data-limit="{limit}"></div>', elem_id="question-limit")
            with gr.Column(scale=5, min_width=360, elem_id="article-panel"):
                article = gr.HTML(elem_id="article-view", js_on_load=_ARTICLE_JS)

        def fresh() -> dict[int, dict[str, Any]]:  # what a browser without saved state sees, in the HTML
            shown = h.view(normalise(None), settle=True, reveal=True)
            now = h.readiness()[0]
            # Marked, so the page waits for the load event (the browser's own state) before it
            # sends a card's pick: an earlier pick could be undone by the load's answer.
            root = '<div class="library" '
            first = shown[0].replace(root, root + 'data-first-screen="1" ', 1)
            return {library._id: {"value": first}, chat._id: {"value": shown[1]},
                    article._id: {"value": shown[2]},
                    ask._id: {"value": now["value"], "interactive": now["interactive"]}}

        FirstScreen(app, fresh)
        # The named API first, so it keeps the plain names; the UI's own events are private.
        endpoints = WebAPI(assistant)
        gr.api(endpoints.ask, api_name="ask")
        gr.api(endpoints.articles, api_name="articles")
        gr.api(endpoints.add_url, api_name="add_url")
        gr.api(endpoints.quotes, api_name="quotes")
        private: dict[str, Any] = {"api_visibility": "private"}
        view = [library, chat, article, state, remove]
        app.load(h.load, inputs=[state], outputs=view, **private)
        # Ask turns from "Getting ready…" to "Ask" when the model is loaded; the page never waits.
        ticker = gr.Timer(1.0, active=warming)
        app.load(h.readiness, outputs=[ask, ticker], show_progress="hidden", **private)
        ticker.tick(h.readiness, outputs=[ask, ticker], show_progress="hidden", **private)
        library.pick(h.pick, inputs=[state], outputs=view, **private)
        browsing = LibraryEvents(h)
        browse: dict[str, Any] = {"show_progress": "hidden", "trigger_mode": "always_last", **private}
        search.change(browsing.search, inputs=[search, state], outputs=[library, state], **browse)
        library.browse(browsing.page, inputs=[state], outputs=[library, state], **browse)

        asked = [chat, question, article, state]
        quiet: dict[str, Any] = {"show_progress": "hidden", **private}
        question.submit(h.ask, inputs=[question, state, model], outputs=asked, **quiet)
        ask.click(h.ask, inputs=[question, state, model], outputs=asked, **quiet)
        chat.suggest(h.ask_suggested, inputs=[state, model], outputs=asked, **quiet)
        # Stop (and a page that goes away) ends this session's answer; never queued behind answers.
        stop.click(h.stop, concurrency_limit=None, **quiet)
        app.unload(h.stop)
        h.picker.wire(app, model, secret)
        clear.click(h.clear, inputs=[state], outputs=view, **private)

        progress: dict[str, Any] = {"show_progress": "full", "show_progress_on": [status], **private}
        add_url.click(h.add_url, inputs=[url, state], outputs=[status, *view, url], **progress)
        url.submit(h.add_url, inputs=[url, state], outputs=[status, *view, url], **progress)
        upload.upload(h.add_file, inputs=[upload, state], outputs=[status, *view, upload], **progress)
        add_text.click(
            h.add_text, inputs=[title, text, state], outputs=[status, *view, title, text], **progress
        )

        # The confirmation (article and token) lives on the server; the page holds only the token.
        confirming = gr.State(None)
        removal = Removal(h)
        remove.click(removal.ask, inputs=[state], outputs=[confirm_box, confirm_text, token, confirming],
                     **private)
        confirm_no.click(removal.cancel, outputs=[confirm_box, token, confirming], **private)
        confirm_yes.click(removal.remove, inputs=[state, token, confirming],
                          outputs=[confirm_box, *view, token, confirming], **private)

    return app


def launch_options() -> dict[str, Any]:
    """Theme, CSS and the citation script, as keyword arguments of ``Blocks.launch``."""
    theme = gr.themes.Soft(
        primary_hue="indigo",
        neutral_hue="slate",
        font=["Inter", "ui-sans-serif", "system-ui", "-apple-system", "Segoe UI", "sans-serif"],
        font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "monospace"],
    )
    def read(*names: str) -> str:
        return "\n".join((STATIC / name).read_text(encoding="utf-8") for name in names)

    return {
        "theme": theme,
        "css": read("web.css", "layout.css", "llm.css"),
        "head": "".join(f"<script>{read(name)}</script>" for name in ("web.js", "layout.js", "llm.js")),
    }


def serve(
    settings: Settings,
    host: str = "127.0.0.1",
    port: int = 7860,
    auth: tuple[str, str] | None = None,
    mcp: bool = False,
    ready: Callable[[str], None] | None = None,
    extra_hosts: Sequence[str] = (),
) -> None:
    """Run the web chat until interrupted; the model loads in the background meanwhile.

    ``ready`` is called with the URL once the server answers; ``mcp`` also serves the
    named API as MCP tools at ``/gradio_api/mcp/``. Requests are answered only for the
    loopback names, ``host`` and ``extra_hosts`` (see :mod:`assistant.web.guard`).
    """
    hosts = allowed_hosts(host, extra_hosts)
    _check_port(host, port)
    if mcp:
        _check_mcp()
    assistant = Assistant(settings)
    link = ServeLink(assistant)  # lets `article-assistant ask` use this process (web/local_ask.py)
    warm, viewed = threading.Event(), threading.Event()
    app = build_app(assistant, secret=browser_secret(settings.data_dir), ready=warm, viewed=viewed)
    threading.Thread(target=warm_up, args=(assistant, warm, viewed), daemon=True, name="warm-up").start()
    # Several at once: a slow add or a long answer must not hold up other readers.
    app.queue(default_concurrency_limit=4)
    try:
        app.launch(
            server_name=host,
            server_port=port,
            auth=auth,
            auth_message="Article Assistant: sign in with the user and password given to `serve --auth`.",
            ssr_mode=False,
            show_error=False,
            quiet=True,
            max_file_size="10mb",
            footer_links=[],
            mcp_server=mcp,
            prevent_thread_lock=True,
            # FastAPI's own /openapi.json lists every route Gradio has, private ones included.
            # Then the first screen put in the page, Gradio's files cached (assistant.web.first_screen),
            # and compressed answers, innermost (after the gates): the page alone is ~105 KB as sent.
            app_kwargs={"openapi_url": None, "middleware": [
                *middleware(hosts, auth, link.middleware()), first_screen(FirstScreen.of(app)), _gzip(),
            ]},
            **launch_options(),
        )
    except OSError as e:
        raise ServeError(
            f"Cannot serve on {host}:{port}: {e}. Stop whatever uses the port, or pass --port N."
        ) from e
    shown = f"[{host}]" if ":" in host else host
    _prime(assistant, host, port)
    link.advertise(host, port)
    if ready:
        ready(f"http://{shown}:{port}")
    try:
        app.block_thread()
    finally:
        link.withdraw()
        app.close()
        assistant.close()


def _check_port(host: str, port: int) -> None:
    """A clear error before anything starts when the port is taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as e:
            raise ServeError(
                f"Port {port} on {host} is already in use ({e.strerror}). Stop what uses it, "
                f"or pass another port: article-assistant serve --port {port + 1}"
            ) from None


def _check_mcp() -> None:
    try:
        import mcp  # noqa: F401
    except ImportError:
        raise ConfigError(
            "MCP support is not installed. Install it with: pip install 'article-assistant[mcp]'"
        ) from None


def parse_auth(value: str) -> tuple[str, str]:
    """``"USER:PASS"`` → ``("USER", "PASS")``; :class:`ConfigError` when malformed."""
    user, sep, password = value.partition(":")
    if not sep or not user or not password:
        raise ConfigError("--auth takes USER:PASS, with a non-empty user and password.")
    return user, password


def is_loopback(host: str) -> bool:
    """True when ``host`` only accepts connections from this machine."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


_HEADER = """
<div class="app-header">
  <div class="brand"><span class="logo">❝</span><div><div class="brand-name">Article Assistant</div>
  <div class="brand-tag">Answers about your news articles, citing the exact sentences.</div></div></div>
</div>
"""

_LIBRARY_HEAD = """
<div class="library-head"><div class="panel-label">Library</div>
<button type="button" id="rail-toggle" class="rail-toggle" aria-expanded="true"
 title="Fold the library to a narrow rail">«</button></div>
"""

# Runs in the library's element: a click on a card becomes a `pick` event with its scope,
# a paging button a `browse` event.
_LIBRARY_JS = """
element.addEventListener('click', (event) => {
  const pager = event.target.closest('[data-page]');
  if (pager && pager.tagName === 'BUTTON') {
    if (!pager.disabled) trigger('browse', {page: Number(pager.dataset.page)});
    return;
  }
  const card = event.target.closest('[data-scope]');
  if (!card) return;
  element.querySelectorAll('.lib-card.selected').forEach((c) => c.classList.remove('selected'));
  card.classList.add('selected');
  if (element.querySelector('.library[data-first-screen]')) early = card.dataset.scope;
  else trigger('pick', {scope: card.dataset.scope});
});
let early = null;  // a card chosen on the first screen, before the page's load event answered
const shown = () => {
  if (window.articleAssistant) window.articleAssistant.libraryUpdated();
  if (window.articleLayout) window.articleLayout.libraryShown();
};
watch('value', () => {
  shown();
  if (early !== null && !element.querySelector('.library[data-first-screen]')) {
    trigger('pick', {scope: early});
    early = null;
  }
});
shown();  // the first page comes in the page's HTML: no change of value announces it
"""

# Runs in the chat's element: keep the newest message in view; suggested questions ask themselves.
_CHAT_JS = """
watch('value', () => window.articleAssistant && window.articleAssistant.chatUpdated(element));
element.addEventListener('click', (event) => {
  const chip = event.target.closest('[data-question]');
  if (chip) trigger('suggest', {question: chip.dataset.question});
});
"""

# Runs in the article view's element: after each answer, bring its first cited sentence into view.
_ARTICLE_JS = "watch('value', () => window.articleAssistant && window.articleAssistant.showCited(element));"
