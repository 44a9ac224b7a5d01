"""The write path: read, clean, split, embed and store articles."""
