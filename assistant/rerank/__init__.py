"""Rerankers: the contract in :mod:`assistant.rerank.base`, implementations beside it."""
