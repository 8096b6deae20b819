"""The CLI contract: documented commands exist, each has help with an example; a real process exits as documented."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from transferkg.cli import main


def _commands() -> set[str]:
    return set(main.commands)


def _documented(readme: str) -> set[str]:
    return set(re.findall(r"`transferkg ([a-z][a-z-]*)", readme))


def test_every_command_is_in_the_readme_and_back(repo: Path) -> None:
    readme = (repo / "README.md").read_text(encoding="utf-8")
    assert _commands() == _documented(readme)


@pytest.mark.parametrize("command", sorted(_commands()))
def test_help_has_an_example(command: str) -> None:
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert "Example: transferkg " + command in result.output


def test_python_m_is_the_same_command() -> None:
    direct = CliRunner().invoke(main, ["stats", "--help"], prog_name="transferkg").output
    proc = subprocess.run([sys.executable, "-m", "transferkg", "stats", "--help"],
                          capture_output=True, text=True, check=True)
    assert proc.stdout == direct
    assert proc.stdout.startswith("Usage: transferkg stats")


def test_help_does_not_import_heavy_libraries() -> None:
    code = ("import sys; from click.testing import CliRunner; from transferkg.cli import main; "
            "CliRunner().invoke(main, ['build', '--help']); "
            "print(sorted(m for m in ('rdflib','pyshacl','pandas','networkx','pyoxigraph') "
            "if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[]"


def test_exit_codes_of_a_real_process(tmp_path: Path) -> None:
    """0 ok, 2 an error (one line, no traceback): what a shell script sees, not what CliRunner reports."""
    from tests.helpers import run_cli

    code, stdout, _ = run_cli("queries")
    assert code == 0 and "agreements" in stdout
    code, _, stderr = run_cli("query", "no_such_query")
    assert code == 2
    # the error is one line; before it, at most the one-line notice that build/store/ was brought up to date
    *notices, error = stderr.strip().splitlines()
    assert error.startswith("error: no query named 'no_such_query'") and "Traceback" not in stderr
    assert all(line.startswith("transferkg: ") and "build/store/" in line for line in notices) and len(notices) <= 1


def test_python_m_transferkg_cli_is_the_command_too() -> None:
    proc = subprocess.run([sys.executable, "-m", "transferkg.cli", "--version"], capture_output=True, text=True,
                          check=True)
    assert proc.stdout.startswith("transferkg, version ")
