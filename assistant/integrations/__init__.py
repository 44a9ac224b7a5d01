"""Adapters at the edge: other ecosystems' interfaces over :class:`~assistant.api.Assistant`."""
