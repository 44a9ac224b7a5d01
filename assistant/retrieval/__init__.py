"""Retrieval: lexical and dense indexes return candidate lists; fusion combines them."""
