"""Commands that need no model start fast: they import neither torch, langchain nor gradio."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.support import ROOT

HEAVY = ("torch", "langchain_core", "gradio", "sentence_transformers", "transformers")


def _modules_after(args: list[str], tmp_path) -> set[str]:  # type: ignore[no-untyped-def]
    code = (
        "import sys\n"
        "from assistant.cli import cli\n"
        f"sys.argv = ['article-assistant', '--data-dir', {str(tmp_path)!r}, *{args!r}]\n"
        "try:\n    cli(prog_name='article-assistant')\nexcept SystemExit:\n    pass\n"
        f"print('LOADED:' + ','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    loaded = out.stdout.rsplit("LOADED:", 1)[1].strip()
    return set(filter(None, loaded.split(",")))


@pytest.mark.parametrize("args", [["--help"], ["list"], ["show", "abc123"], ["config"]])
def test_light_commands_import_no_heavy_library(args, tmp_path):
    assert _modules_after(args, tmp_path) == set()


def test_importing_the_package_does_no_work():
    code = (
        "import sys, assistant, index\n"
        "print(sorted(m for m in sys.modules if m.startswith(('numpy', 'chromadb', 'pydantic'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.stdout.strip() == "[]", out.stdout
