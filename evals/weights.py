"""The fitted tables' files, which evals.abstention, evals.calibrate and evals.support write.

Each table is ``assistant/data/weights/<name>.json``: the weights (``bias`` is
the intercept, keys in the order the features are summed), a threshold where
the script chooses one, and the provenance (the command, the commit, the data
and half it was fitted on, the options, the report in ``evals/results/weights/``).
:func:`assistant.settings.fitted` reads them as the settings' defaults; a
refit is a reviewed diff of that file, never a paste into ``settings.py``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from assistant.settings import WEIGHTS_DIR, fitted
from evals.runner import code_version

#: The tables there are; each has a report of the same name in evals/results/weights/.
NAMES = ("abstention", "confidence", "mode", "support")


def read(name: str) -> dict[str, Any]:
    """The table ``name`` as the settings read it."""
    return fitted(name)


def write(
    name: str,
    about: str,
    weights: dict[str, float],
    *,
    data: str,
    options: dict[str, Any],
    threshold: float | None = None,
    out_dir: Path | None = None,
) -> Path:
    """Write the table ``name`` (abstention, confidence, support) with its provenance; returns the path."""
    table: dict[str, Any] = {"about": about, "weights": weights}
    if threshold is not None:
        table["threshold"] = threshold
    table["provenance"] = {
        "script": " ".join([f"python -m evals.{name_of_script()}", *sys.argv[1:]]),
        "commit": code_version(),
        "data": data,
        "options": options,
        "report": f"evals/results/weights/{name}.md",
    }
    path = (out_dir or WEIGHTS_DIR) / f"{name}.json"
    path.write_text(json.dumps(table, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def name_of_script() -> str:
    """The running ``evals`` module's name (``abstention`` for ``python -m evals.abstention``)."""
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    return (spec.name if spec else "").removeprefix("evals.") or "?"
