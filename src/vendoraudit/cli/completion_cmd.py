"""`vendoraudit completion SHELL`: the shell completion script, for bash, zsh or fish.

typer's `--install-completion` / `--show-completion` guess the shell from the parent process;
this command names it, so a script can be generated for another shell, in CI or a Dockerfile.
"""

from __future__ import annotations

from enum import StrEnum

import typer

from .conventions import exit_codes_epilog
from .exit_codes import ExitCode

PROG = "vendoraudit"
COMPLETE_VAR = "_VENDORAUDIT_COMPLETE"  # the variable the scripts set when they ask for completions


class Shell(StrEnum):
    BASH = "bash"
    ZSH = "zsh"
    FISH = "fish"


def completion_script(shell: Shell) -> str:
    """The completion script of `shell` for the `vendoraudit` command."""
    from typer._completion_shared import get_completion_script

    return get_completion_script(prog_name=PROG, complete_var=COMPLETE_VAR, shell=shell.value)


def completion(
    shell: Shell = typer.Argument(..., metavar="SHELL", help="bash, zsh or fish"),
) -> None:
    """Print the shell completion script for bash, zsh or fish.

    Save it where the shell looks for completions: bash ~/.bash_completion.d/vendoraudit
    (sourced from ~/.bashrc), zsh a file _vendoraudit in a folder of $fpath, fish
    ~/.config/fish/completions/vendoraudit.fish.

    Example: vendoraudit completion bash > ~/.bash_completion.d/vendoraudit
    """
    typer.echo(completion_script(shell))


def register(app: typer.Typer) -> None:
    """Add the `completion` command to `app`."""
    app.command("completion", epilog=exit_codes_epilog([ExitCode.OK, ExitCode.USAGE]))(completion)
