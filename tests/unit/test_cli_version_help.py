"""``article-assistant --version`` and ``-h`` (an alias of ``--help``, on every command)."""

from __future__ import annotations

from importlib.metadata import version

import pytest
from click.testing import CliRunner

from assistant.cli import cli


def test_version_prints_the_package_version():
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.stdout == f"article-assistant {version('article-assistant')}\n"


@pytest.mark.parametrize("command", [[], ["ask"], ["add"], ["list"]])
def test_h_is_help(command):
    short = CliRunner().invoke(cli, [*command, "-h"])
    long = CliRunner().invoke(cli, [*command, "--help"])
    assert short.exit_code == long.exit_code == 0
    assert short.stdout == long.stdout
    assert "-h, --help" in short.stdout
