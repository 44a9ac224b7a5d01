"""Removing an article from the page: a confirmation issued to one session, then the removal.

Gradio lets any client call the page's events by number (``fn_index``) with
inputs of its choosing, so the removal trusts nothing the browser sends:

- :meth:`Removal.ask` makes a random token and keeps it, with the article it
  is for, in the session's server-side ``gr.State``; the token goes to the
  page in the confirmation box's hidden field;
- :meth:`Removal.remove` removes only the article that confirmation named,
  only when the page sends that same token back, and only once (the token is
  dropped whatever happens).

So no single call removes anything, a token from another session or an
earlier confirmation does nothing, and a forged browser state cannot choose
what is removed.
"""

from __future__ import annotations

import logging
import secrets
from typing import TYPE_CHECKING, Any

import gradio as gr  # type: ignore[import-untyped,unused-ignore]

from assistant.web.render import ALL, confirm_remove, esc
from assistant.web.state import normalise
from index.errors import ArticleAssistantError, ArticleNotFoundError

if TYPE_CHECKING:
    from assistant.web.handlers import ChatHandlers

log = logging.getLogger(__name__)

REFUSED = "Nothing was removed: confirm the removal of the selected article first."


class Removal:
    """The confirmation and removal events, over the chat's handlers (for the view they repaint)."""

    def __init__(self, handlers: ChatHandlers) -> None:
        self.h = handlers

    def ask(self, state: Any) -> tuple[Any, Any, Any, Any]:
        """Show the confirmation for removing the selected article.

        Outputs: the confirmation box, its text, its hidden token field, and the
        confirmation kept on the server (``{"article": id, "token": …}``).
        """
        scope = normalise(state)["scope"]
        if scope == ALL:
            gr.Warning("Choose an article in the library first.")
            return gr.update(visible=False), gr.skip(), "", None
        try:
            article = self.h.assistant.get(scope)
        except ArticleAssistantError:
            gr.Warning("That article is no longer in the library.")
            return gr.update(visible=False), gr.skip(), "", None
        token = secrets.token_urlsafe(24)
        confirmation = {"article": article.id, "token": token}
        return gr.update(visible=True), confirm_remove(article), token, confirmation

    @staticmethod
    def cancel() -> tuple[Any, Any, Any]:
        """Hide the confirmation and forget its token. Outputs: the box, the token field, the confirmation."""
        return gr.update(visible=False), "", None

    def remove(self, state: Any, token: str | None, confirmation: Any) -> tuple[Any, ...]:
        """Remove the article this session confirmed, when the page sends back its token.

        Outputs: the confirmation box, the view, the cleared token field and confirmation.
        """
        state = normalise(state)
        article_id = _confirmed(token, confirmation)
        if article_id is None or state["scope"] != article_id:
            # Expected after a double click; otherwise a client calling the event by hand.
            log.warning("refused a removal without this session's confirmation")
            gr.Warning(REFUSED)
            return (gr.update(visible=False), *self.h._guard(lambda: self.h.view(state)), "", None)
        try:
            label = self.h.assistant.get(article_id).label
            self.h.assistant.remove(article_id)
            gr.Info(f"Removed “{esc(label)}”.")
        except ArticleNotFoundError:
            gr.Warning("That article was already removed.")
        except ArticleAssistantError as e:
            raise gr.Error(esc(self.h._message(e))) from e
        state["chats"].pop(article_id, None)
        state["scope"] = ALL
        return (gr.update(visible=False), *self.h._guard(lambda: self.h.view(state, settle=True)), "", None)


def _confirmed(token: Any, confirmation: Any) -> str | None:
    """The article id of a confirmation whose token matches ``token``; None otherwise."""
    if not isinstance(confirmation, dict) or not isinstance(token, str) or not token:
        return None
    expected, article_id = confirmation.get("token"), confirmation.get("article")
    if not isinstance(expected, str) or not isinstance(article_id, str) or article_id == ALL:
        return None
    return article_id if secrets.compare_digest(token.encode(), expected.encode()) else None
