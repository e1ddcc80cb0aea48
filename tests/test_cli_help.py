"""Every command has --help with an example and is documented in the README."""

from __future__ import annotations

from pathlib import Path

import typer
from typer.testing import CliRunner

from vendoraudit.cli import app

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def _commands(group: typer.Typer, prefix: str = "") -> list[tuple[str, object]]:
    """(full command name, callback) for every command, sub-groups included."""
    found = [(f"{prefix}{c.name or c.callback.__name__.replace('_', '-')}", c.callback) for c in group.registered_commands]
    for sub in group.registered_groups:
        found += _commands(sub.typer_instance, f"{prefix}{sub.name} ")
    return found


def test_there_are_commands():
    names = [name for name, _ in _commands(app)]
    assert {"audit", "validate", "kpis", "schema", "template", "version", "contract check", "contract schema"} <= set(names)


def test_every_command_has_help_with_an_example_and_is_in_the_readme():
    runner = CliRunner()
    for name, callback in _commands(app):
        result = runner.invoke(app, [*name.split(), "--help"])
        assert result.exit_code == 0, name
        assert "Example" in (callback.__doc__ or ""), f"{name}: no example in its help"
        assert "Example" in result.output, name
        assert f"vendoraudit {name}" in README, f"{name} is missing from the README"
