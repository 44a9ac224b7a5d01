"""The page's model picker: the answerers the operator configured, chosen per browser session.

The operator names the chat models at start (``serve --llm-model …``, see
:mod:`assistant.cli_models`); the page offers those and the offline answerer by
key and label only. What the browser sends back is checked against that list:
an unknown key is the default, so a page user can never make the server call
an address of their choosing. The choice is kept in the browser
(``gr.BrowserState``), so a refresh keeps it.
"""

from __future__ import annotations

from typing import Any

import gradio as gr  # type: ignore[import-untyped,unused-ignore]

from assistant.api import Assistant
from assistant.registry import AnswererChoice


class ModelPicker:
    """The configured answerers, the page's dropdown over them, and the check of what comes back."""

    def __init__(self, assistant: Assistant) -> None:
        self.choices: tuple[AnswererChoice, ...] = assistant.answerer_choices()
        self._by_key = {c.key: c for c in self.choices}

    @property
    def default(self) -> AnswererChoice:
        return self.choices[0]

    def choice(self, key: Any) -> AnswererChoice:
        """The choice ``key`` names; anything else (old, forged, empty) is the default."""
        return self._by_key.get(key, self.default) if isinstance(key, str) else self.default

    def dropdown(self) -> gr.Dropdown:
        """The picker; hidden when there is nothing to choose (the offline answerer alone)."""
        return gr.Dropdown(
            choices=[(c.label, c.key) for c in self.choices], value=self.default.key,
            label="Model", show_label=False, container=False, scale=0, min_width=200,
            allow_custom_value=False, visible=len(self.choices) > 1, elem_id="model-picker", interactive=True,
        )

    def wire(self, app: gr.Blocks, dropdown: gr.Dropdown, secret: str | None) -> None:
        """Keep the reader's choice in the browser and put it back in the picker when the page loads.

        Only a choice the reader made is kept (``input``, not ``change``): a page that never
        picked follows the operator's default, also after a restart with another default.
        """
        kept = gr.BrowserState(None, storage_key="article-assistant-model", secret=secret)
        private: dict[str, Any] = {"api_visibility": "private", "show_progress": "hidden"}
        app.load(lambda key: self.choice(key).key, inputs=[kept], outputs=[dropdown], **private)
        dropdown.input(lambda key: self.choice(key).key, inputs=[dropdown], outputs=[kept], **private)


def stop_button() -> gr.Button:
    """Stop, shown in place of Ask while an answer is written (the page script swaps them)."""
    return gr.Button("Stop", variant="stop", scale=1, min_width=80, elem_id="stop-btn",
                     elem_classes=["stop-answer"])
