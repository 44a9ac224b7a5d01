"""Answerers: the contract in :mod:`assistant.answer.base`, implementations beside it."""
