"""The CLI's stderr: this package's warnings and errors only, unless ``-v``.

Libraries write to stderr on their own: transformers and huggingface_hub draw
progress bars ("Loading weights"), onnxruntime's quantizer warns through the
root logger (which also makes :func:`logging.warning` install a root handler
that prints everything), and bm25s sets its logger to DEBUG. A user of a
command-line tool needs none of that, and a script reading stderr breaks on
it. :func:`configure` runs once, when the CLI starts and before any of those
libraries is imported (their settings are read at import).
"""

from __future__ import annotations

import logging
import os
import sys
from typing import TextIO

#: This project's loggers; at the default verbosity only their warnings reach stderr.
OWN = ("assistant", "index", "evals")


class _Stderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is at the time (click's test runner swaps it)."""

    def __init__(self) -> None:
        super().__init__()

    @property  # type: ignore[override]
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _: TextIO) -> None:
        pass


class _Format(logging.Formatter):
    """``warning: message`` like the CLI's ``error:`` lines; with ``-v``, the logger's name too."""

    def __init__(self, named: bool) -> None:
        super().__init__()
        self.named = named

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        where = f" [{record.name}]" if self.named else ""
        return f"{record.levelname.lower()}{where}: {text}"


def _own(record: logging.LogRecord) -> bool:
    return record.name.split(".")[0] in OWN


def configure(verbosity: int) -> None:
    """0: this package's warnings; 1 (``-v``): every logger's INFO and up, progress bars; 2: DEBUG."""
    if verbosity == 0:
        # Read when the libraries are imported; setdefault leaves a user's own choice alone.
        os.environ.setdefault("TQDM_DISABLE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    # transformers logs through its own handler (it does not propagate to the root logger).
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", ("error", "info", "debug")[min(verbosity, 2)])
    logging.captureWarnings(True)  # warnings.warn(...) becomes a log record of 'py.warnings'
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _Stderr)]:
        root.removeHandler(old)  # configured again (tests invoke the CLI many times in one process)
    handler = _Stderr()
    handler.setFormatter(_Format(named=verbosity > 0))
    level = (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbosity, 2)]
    handler.setLevel(level)
    if verbosity == 0:
        handler.addFilter(_own)
    # With a root handler in place, a library's logging.basicConfig() (onnxruntime's quantizer
    # calls it) does nothing, so it cannot start printing every logger's records.
    root.addHandler(handler)
    root.setLevel(level)
