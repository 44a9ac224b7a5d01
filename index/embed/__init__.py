"""Embedders: the contract in :mod:`index.embed.base`, one module per implementation."""
