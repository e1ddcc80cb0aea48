"""The conventions of issue 24, held for every command in the tree (new ones included).

The tests walk the built command tree, so a command another module adds later is checked
without editing this file: -h, placeholders, an example, the exit-code epilog, 80 columns,
the one --period parser and message.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from vendoraudit import __version__
from vendoraudit.cli import app
from vendoraudit.cli.completion_cmd import COMPLETE_VAR
from vendoraudit.cli.conventions import EXIT_MEANINGS, conform_help
from vendoraudit.cli.exit_codes import ExitCode
from vendoraudit.periods import PERIOD_FORMS

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"

# What a Python type or parameter name looks like when it leaks into help text.
_LEAKS = re.compile(r"<[a-zA-Z_]+(\[[^\]]*\])?>|\{[a-z_]+\}|\b(list|tuple|dict|Optional)\[|\bNoneType\b"
                    r"|<(str|int|float|path|bool|text)>|\bPosixPath\b")


def _tree(command: object, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], object]]:
    found = [(path, command)]
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        found += _tree(sub, (*path, name))
    return found


COMMANDS = _tree(typer.main.get_command(app))
IDS = [" ".join(path) or "vendoraudit" for path, _ in COMMANDS]


def _help(path: tuple[str, ...], flag: str = "-h") -> str:
    result = CliRunner().invoke(app, [*path, flag], env={"COLUMNS": "80"}, prog_name="vendoraudit")
    assert result.exit_code == 0, result.output
    return result.output


def test_the_tree_has_the_known_commands():
    assert {"audit", "validate", "kpis", "schema", "template", "version", "completion", "contract check",
            "contract schema"} <= set(IDS)


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_help_reads_cleanly_at_80_columns(path: tuple[str, ...], command: object):
    text = _help(path)
    assert text == _help(path, "--help"), "-h and --help differ"
    long = [line for line in text.splitlines() if len(line) > 80]
    assert not long, f"lines over 80 columns: {long}"
    leaks = [m.group(0) for m in _LEAKS.finditer(text)]
    assert not leaks, f"Python types or names in help: {leaks}"
    assert "Example: vendoraudit" in text or "Examples:\n" in text, "no example"
    assert "Exit codes:" in text
    codes = re.findall(r"^    (\d)  (.+)$", text.split("Exit codes:")[1], flags=re.M)
    # Codes of the README's table, each with its words (a command may narrow them: verify's 1).
    assert codes and all(int(c) in {int(x) for x in ExitCode} and m.strip() for c, m in codes), codes
    usage = text.splitlines()[0]
    for param in command.params:
        if param.param_type_name == "argument":
            # A placeholder in capitals (EXPORT_DIR, FILE.pdf..., [PATH]...), never the parameter's name.
            assert param.metavar and re.match(r"^\[?[A-Z][A-Z0-9_=]*", param.metavar), f"{param.name}: no placeholder"
            assert param.metavar in usage
        elif param.param_type_name == "option" and not param.is_flag and not getattr(param, "hidden", False):
            shown = param.metavar or ""
            assert shown and re.match(r"^\[?[A-Z][A-Z0-9_=]*|^\[[a-z0-9|]+\]$", shown), f"{param.opts}: {shown!r}"


def test_examples_in_help_paste_as_one_command():
    text = conform_help("Do it.\n\nExample: vendoraudit kpis sample_exports/2026-10 --period 2026-10 "
                        "--contracts contracts --by vendor --json")
    example = text.split("\n\n")[1]
    assert example.startswith("\b\nExample: vendoraudit kpis")
    lines = example.splitlines()[1:]
    assert all(line.endswith(" \\") for line in lines[:-1]) and len(lines) > 1
    joined = " ".join(line.removeprefix("Example: ").rstrip("\\").strip() for line in lines)
    assert joined == ("vendoraudit kpis sample_exports/2026-10 --period 2026-10 --contracts contracts "
                      "--by vendor --json")


def test_version_flags():
    for flag in ("--version", "-V"):
        result = CliRunner().invoke(app, [flag])
        assert result.exit_code == 0
        assert result.output.strip() == f"vendoraudit {__version__}"
    assert CliRunner().invoke(app, ["version"]).output.strip() == __version__


# ------------------------------------------------------------------------------- one --period

_FLAGS = ("--period", "--periods")
PERIOD_COMMANDS = [path for path, command in COMMANDS
                   if any(f in getattr(p, "opts", ()) for p in command.params for f in _FLAGS)]
FLAG = {path: next(f for p in command.params for f in _FLAGS if f in getattr(p, "opts", ()))
        for path, command in COMMANDS if path in PERIOD_COMMANDS}


def test_the_period_commands_are_found():
    assert {("audit",), ("validate",), ("kpis",)} <= set(PERIOD_COMMANDS)
    assert all(len(re.findall(r"Exit codes:", _help(path))) == 1 for path in PERIOD_COMMANDS)


@pytest.mark.parametrize("path", PERIOD_COMMANDS, ids=[" ".join(p) for p in PERIOD_COMMANDS])
@pytest.mark.parametrize("bad", ["2026-13", "October", "2026-10..2026-08", "2026-8", "previous..x", ""])
def test_a_bad_period_is_exit_2_naming_the_accepted_forms(path: tuple[str, ...], bad: str):
    # --period first: it is parsed before any missing argument is noticed.
    result = CliRunner().invoke(app, [*path, FLAG[path], bad], env={"COLUMNS": "200"})
    assert result.exit_code == ExitCode.USAGE, result.output
    assert f"{bad!r} is not a period" in result.output
    assert PERIOD_FORMS in result.output
    assert "Value error" not in result.output


@pytest.mark.parametrize("path", [p for p in PERIOD_COMMANDS if p in (("validate",), ("kpis",))])
def test_a_range_on_a_one_month_command_names_the_forms(path: tuple[str, ...]):
    result = CliRunner().invoke(app, [*path, "--period", "2026-08..2026-10"], env={"COLUMNS": "200"})
    assert result.exit_code == ExitCode.USAGE
    assert "one month expected, not a range" in result.output and PERIOD_FORMS in result.output


def test_a_bad_choice_does_not_leak_the_validator_wording(tmp_path: Path):
    result = CliRunner().invoke(app, ["kpis", str(tmp_path), "--period", "2026-10", "--by", "nonsense"])
    assert result.exit_code == ExitCode.USAGE
    assert "'nonsense' is not one of" in result.output
    assert "Value error" not in result.output


# --------------------------------------------------------------------------------- completion

def _complete(shell: str, words: str, **extra: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(SRC), COMPLETE_VAR: f"complete_{shell}", **extra}
    if shell == "bash":
        env.update(COMP_WORDS=words, COMP_CWORD=str(len(words.split()) - (0 if words.endswith(" ") else 1)))
    else:
        env["_TYPER_COMPLETE_ARGS"] = words
    ran = subprocess.run([sys.executable, "-m", "vendoraudit"], env=env, capture_output=True, text=True,
                         timeout=60)
    assert ran.returncode == 0, ran.stderr
    return ran.stdout


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_script_for_each_shell(shell: str):
    result = CliRunner().invoke(app, ["completion", shell])
    assert result.exit_code == 0
    assert f"{COMPLETE_VAR}=complete_{shell}" in result.output
    assert "vendoraudit" in result.output
    checker = {"bash": ["bash", "-n"], "zsh": ["zsh", "-n"], "fish": ["fish", "--no-execute"]}[shell]
    if shutil.which(checker[0]):
        ran = subprocess.run(checker, input=result.output, capture_output=True, text=True, timeout=30)
        assert ran.returncode == 0, ran.stderr


def test_completion_rejects_other_shells():
    assert CliRunner().invoke(app, ["completion", "tcsh"]).exit_code == ExitCode.USAGE


def test_completion_answers_each_shell():
    assert "kpis" in _complete("bash", "vendoraudit kp").split()
    assert "contract" in _complete("bash", "vendoraudit con").split()
    assert "--by" in _complete("zsh", "vendoraudit kpis --b")
    fish = _complete("fish", "vendoraudit kpis x --by ", _TYPER_COMPLETE_FISH_ACTION="get-args").split()
    assert {"site", "vendor", "channel", "queue"} <= set(fish)


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash not installed")
def test_bash_completion_end_to_end(tmp_path: Path):
    """Source the script in bash and ask it to complete, as a user pressing Tab does."""
    script = CliRunner().invoke(app, ["completion", "bash"]).output
    launcher = tmp_path / "vendoraudit"
    launcher.write_text(f"#!/bin/sh\nPYTHONPATH={SRC} exec {sys.executable} -m vendoraudit \"$@\"\n")
    launcher.chmod(0o755)
    program = (f"{script}\nCOMP_WORDS=(vendoraudit contract ch); COMP_CWORD=2\n"
               "_vendoraudit_completion vendoraudit\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n")
    ran = subprocess.run(["bash", "-c", program], env={**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}"},
                         capture_output=True, text=True, timeout=60)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.split() == ["check"]
