"""Readers: one per file format (PDF, Word, HTML, markdown, text), behind :mod:`index.formats.contract`."""
