"""Question and sentence analysis shared by the reranker and the extractive answerer."""
