"""The module-size rule the team keeps: about 400 lines per module, checked by `make lint`.

A module that grows past :data:`LIMIT` is split into rooms of its own, not
exempted. :data:`SCHEMA` modules are declarations (the settings schema, one
field and its description after another) and get a longer limit. There are no
other exceptions.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("assistant", "index", "evals")
LIMIT = 400
#: A schema may be longer: it is one validated, described field after another.
SCHEMA = {"assistant/settings.py": 600}


def _lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def _modules() -> dict[str, int]:
    paths = [p for package in PACKAGES for p in sorted((ROOT / package).rglob("*.py"))]
    return {str(p.relative_to(ROOT)): _lines(p) for p in paths}


def test_modules_stay_under_the_limit():
    limits = SCHEMA
    over = {name: n for name, n in _modules().items() if n > limits.get(name, LIMIT)}
    assert not over, (
        f"modules over {LIMIT} lines (or their own ceiling): {over}; split them into rooms of their own"
    )
