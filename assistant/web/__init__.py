"""The Gradio web chat: layout (app), handlers, browser state and HTML rendering."""
