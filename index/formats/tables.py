"""Tables become lines a reader can cite: "Column: value; Column: value." per row.

Word and markdown articles carry tables (results, budgets). A row of bare
cells is not a sentence, so each body row is written with its header's
column names, which reads as a statement and keeps every value findable.
"""

from __future__ import annotations

from collections.abc import Sequence

#: Rows flattened per table at most; a longer table is data, not an article's figure.
MAX_ROWS = 100


def flatten(rows: Sequence[Sequence[str]]) -> list[str]:
    """One line per body row, each cell labelled by its column's header (the first row)."""
    cleaned = [[" ".join(cell.split()) for cell in row] for row in rows]
    cleaned = [row for row in cleaned if any(row)]
    if not cleaned:
        return []
    header, body = cleaned[0], cleaned[1:MAX_ROWS + 1]
    if not body:
        return ["; ".join(cell for cell in header if cell) + "."]
    lines = []
    for row in body:
        cells = [f"{name}: {cell}" if name and name != cell else cell
                 for name, cell in zip(header + [""] * len(row), row, strict=False) if cell]
        if cells:
            lines.append("; ".join(cells) + ".")
    return lines


def note(count: int) -> str:
    """What the user is told about ``count`` flattened tables."""
    tables = "1 table was" if count == 1 else f"{count} tables were"
    return f"{tables} flattened into lines of 'column: value' (one line per row)."
