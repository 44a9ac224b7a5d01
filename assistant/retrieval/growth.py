"""Rows that grow by appends without copying everything each time (amortised doubling).

A library-wide dense index is extended by every add; copying the whole matrix
for each add costs O(library) per add. :class:`GrowingRows` keeps spare
capacity and appends in place: each snapshot of an index keeps the number of
rows it sees and reads only ``[:length]``, so appending past it never changes
what an older snapshot searches. Only when a snapshot that is not the newest
is extended (its rows are a prefix of the buffer, but rows after them are
someone else's) are its rows copied into a new buffer.
"""

from __future__ import annotations

import threading

import numpy as np


class GrowingRows:
    """An append-only 2-D array with spare capacity; ``view(n)`` is its first ``n`` rows."""

    def __init__(self, width: int, dtype: type | np.dtype = np.float32, capacity: int = 0) -> None:
        self._rows = np.zeros((max(capacity, 0), width), dtype=dtype)
        self._used = 0
        self._lock = threading.Lock()

    @classmethod
    def of(cls, rows: np.ndarray) -> GrowingRows:
        """A buffer holding ``rows`` (copied), with room to grow."""
        grown = cls(rows.shape[1], rows.dtype, capacity=max(16, len(rows) + len(rows) // 2))
        grown.append(rows, 0)
        return grown

    @property
    def used(self) -> int:
        return self._used

    def view(self, length: int) -> np.ndarray:
        """The first ``length`` rows (no copy)."""
        return self._rows[:length]

    def append(self, rows: np.ndarray, at: int) -> tuple[GrowingRows, int]:
        """Append ``rows`` after the first ``at`` rows; the buffer that holds them and the new length.

        In place when ``at`` is the buffer's end (growing its capacity geometrically), else in a
        new buffer holding a copy of the first ``at`` rows, so other snapshots' rows stay as they are.
        """
        with self._lock:
            if at != self._used:
                fresh = GrowingRows(self._rows.shape[1], self._rows.dtype, capacity=2 * (at + len(rows)))
                fresh._rows[:at] = self._rows[:at]
                fresh._used = at
                return fresh.append(rows, at)
            end = at + len(rows)
            if end > len(self._rows):
                bigger = np.zeros((max(end, 2 * len(self._rows), 16), self._rows.shape[1]), self._rows.dtype)
                bigger[:at] = self._rows[:at]
                self._rows = bigger
            self._rows[at:end] = rows
            self._used = end
            return self, end
