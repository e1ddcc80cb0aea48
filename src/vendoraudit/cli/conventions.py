"""The conventions every command follows, applied once to the whole command tree.

Commands are plain typer functions registered by their own modules; `RootGroup` walks the
finished tree when typer builds it, so a command added anywhere (a new group included) gets:

- `-h` as well as `--help` (a context setting every sub-context inherits);
- placeholders people read in usage and help (`EXPORT_DIR`, `PERIOD`, `FILE`): a parameter
  without a `metavar` gets its name in capitals, a choice its values as `[a|b]`, never a Python
  type such as `<list[Path]>`;
- an `Example:` paragraph kept as typed (one command per line, long ones continued with `\\`
  so they can be pasted), never re-wrapped mid-command;
- an epilog naming the exit codes (`exit_codes_epilog`), after the command's own epilog if any
  (a command whose own epilog already says `Exit codes:` keeps it);
- usage errors in plain words: pydantic's "Value error, " prefix never reaches the user.

`period_option` is the one `--period` of every command: one parser, one message (exit 2).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import typer
from typer.core import TyperArgument, TyperGroup

from ..periods import PERIOD_FORMS, Period, parse_periods
from .exit_codes import ExitCode

HELP_OPTION_NAMES = ["-h", "--help"]
CONTEXT_SETTINGS: dict[str, Any] = {"help_option_names": HELP_OPTION_NAMES}

#: What each exit code means, in the README's words (the table there is the reference).
EXIT_MEANINGS: dict[ExitCode, str] = {
    ExitCode.OK: "done (data clean, or warnings only)",
    ExitCode.DATA_ERRORS: "blocking data errors",
    ExitCode.USAGE: "usage error (unknown option, bad value, missing argument)",
    ExitCode.CONFIG: "contract, mapping or configuration error",
    ExitCode.RUNTIME: "runtime failure (unreadable input, unwritable output, lock held)",
    ExitCode.BREACH: "a vendor missed a KPI (only with --fail-on-breach)",
}

_EXAMPLE_WIDTH = 64  # an example line after `  Example: ` (and its ` \\`) fits 80 columns
_PYDANTIC_PREFIXES = ("Value error, ", "Assertion failed, ")


def exit_codes_epilog(codes: Iterable[ExitCode] | None = None,
                      meanings: Mapping[ExitCode, str] | None = None) -> str:
    """The `Exit codes:` epilog for a command: the given codes (default all), one per line.

    `meanings` replaces a code's words for a command where it means something narrower (verify's
    1 is a failed check); the README's table says so too.
    """
    chosen = sorted(set(codes) if codes is not None else set(ExitCode))
    meanings = {**EXIT_MEANINGS, **({} if ExitCode.DATA_ERRORS in chosen else {ExitCode.OK: "done"}),
                **(meanings or {})}
    lines = ["\b", "Exit codes:"] + [f"  {int(c)}  {meanings[c]}" for c in chosen]
    return "\n".join(lines)


def _example_lines(command: str) -> list[str]:
    """A long example command broken before its options, continued with `\\` so it pastes."""
    if len(command) <= _EXAMPLE_WIDTH:
        return [command]
    units: list[str] = []  # the command and its arguments, then each option with its values
    for word in command.split():
        if not units or word.startswith("-"):
            units.append(word)
        else:
            units[-1] += " " + word
    lines: list[str] = []
    for unit in units:
        if lines and len(lines[-1]) + 1 + len(unit) <= _EXAMPLE_WIDTH - 2:
            lines[-1] += " " + unit
        else:
            lines.append(unit)
    return [("  " if i else "") + line + (" \\" if i < len(lines) - 1 else "") for i, line in enumerate(lines)]


def _example_commands(text: str | None) -> list[str]:
    """The example commands of a help text (a paragraph starting `Example:` or `Examples:`)."""
    for paragraph in textwrap.dedent(text or "").split("\n\n"):
        head, _, rest = paragraph.strip().lstrip("\b").strip().partition(":")
        if head.strip() in ("Example", "Examples"):
            lines = [" ".join(line.rstrip("\\").split()) for line in rest.strip().split("\n") if line.strip()]
            if all(not c.startswith(("vendoraudit", "$", "#")) for c in lines[1:]):
                return [" ".join(lines)]
            commands: list[str] = []
            for line in lines:  # a line without `vendoraudit` continues the one before (a `\` break)
                if commands and not line.startswith("vendoraudit"):
                    commands[-1] += " " + line
                else:
                    commands.append(line)
            return commands
    return []


def conform_help(text: str | None) -> str | None:
    """Help text with its `Example:` paragraphs kept verbatim (`\\b`), one command per line."""
    if not text:
        return text
    paragraphs = textwrap.dedent(text).strip("\n").split("\n\n")
    out = []
    for paragraph in paragraphs:
        body = paragraph.strip()
        head, _, rest = body.partition(":")
        if head.strip() not in ("Example", "Examples") or body.startswith("\b"):
            out.append(paragraph)
            continue
        commands = [" ".join(line.split()) for line in rest.strip().split("\n") if line.strip()]
        # One-line docstrings put the command after "Example:"; joined lines are one command.
        if all(not c.startswith(("vendoraudit", "$", "#")) for c in commands[1:]):
            commands = [" ".join(commands)]
        if len(commands) == 1:  # "Example: vendoraudit ..." on one line, as people copy it
            first, *more = _example_lines(commands[0])
            lines = ["\b", f"{head.strip()}: {first}"] + [f"  {line}" for line in more]
        else:
            lines = ["\b", f"{head.strip()}:"]
            for command in commands:
                lines += [f"  {line}" for line in _example_lines(command)]
        out.append("\n".join(lines))
    return "\n\n".join(out)


def _without_exit_codes(text: str | None) -> tuple[str | None, set[ExitCode]]:
    """Help text without an `Exit codes: 0 done, 2 usage, ...` paragraph, and the codes it named.

    The epilog lists the codes in one layout for every command; a docstring that lists them too
    would say it twice (and its codes become the epilog's when the command gives none).
    """
    if not text or "Exit codes:" not in text:
        return text, set()
    kept, codes = [], set()
    for paragraph in textwrap.dedent(text).split("\n\n"):
        if paragraph.strip().startswith("Exit codes:"):
            body = paragraph.strip().removeprefix("Exit codes:")
            codes |= {ExitCode(int(c)) for c in re.findall(r"(?:^|[,;:])\s*(\d)\b", body)
                      if int(c) in {int(x) for x in ExitCode}}
        else:
            kept.append(paragraph)
    return "\n\n".join(kept), codes


def _choices(param: Any) -> list[str] | None:
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is None or not descriptor.is_choice or not descriptor.choices:
        return None
    return [str(getattr(c, "value", c)) for c in descriptor.choices]


def _placeholder(param: Any) -> str | None:
    """A readable placeholder for a parameter that has none (flags take no value)."""
    if getattr(param, "is_flag", False) or getattr(param, "count", False):
        return None
    choices = _choices(param)
    if choices:
        return "[" + "|".join(choices) + "]"
    return (param.name or "value").upper()


class _ConformedArgument(TyperArgument):
    """An argument shown in usage as `NAME`, `[NAME]` or `NAME...` (not typer's `{name}`)."""

    def _usage_display_name(self) -> str:
        name = self.display_name_raw
        if self.nargs != 1 and not name.endswith("..."):
            name += "..."
        return name if self.required or name.startswith("[") else f"[{name}]"

    def _rich_display_name(self) -> str:
        return self.display_name_raw

    def display_type_rich(self, ctx: Any) -> str | None:
        return None  # the placeholder already says what to give; no `<path>` after it


def _walk(command: Any) -> Iterator[Any]:
    yield command
    for sub in getattr(command, "commands", {}).values():
        yield from _walk(sub)


def conform(command: Any) -> None:
    """Apply the conventions to a command tree in place (see the module docstring)."""
    for cmd in _walk(command):
        cmd.help, said = _without_exit_codes(cmd.help)
        if said and not cmd.epilog:
            cmd.epilog = exit_codes_epilog(said)
        subcommands = getattr(cmd, "commands", {})
        if subcommands and not _example_commands(cmd.help):
            # A group shows its commands' examples, so `vendoraudit GROUP -h` has one too.
            found = [c for sub in subcommands.values() for c in _example_commands(sub.help)[:1]]
            if found:
                head = "Example" if len(found) == 1 else "Examples"
                cmd.help = (cmd.help or "").rstrip() + f"\n\n{head}:\n" + "\n".join(found)
        cmd.help = conform_help(cmd.help)
        for param in cmd.params:
            if param.metavar is None and getattr(param, "param_type_name", "") in ("option", "argument"):
                param.metavar = _placeholder(param)
            if type(param) is TyperArgument:
                param.__class__ = _ConformedArgument
    for cmd in reversed(list(_walk(command))):  # children first: a group lists its commands' codes
        own = conform_help(cmd.epilog) if cmd.epilog else ""
        if "Exit codes:" not in own:
            subcommands = getattr(cmd, "commands", {})
            codes = {c for sub in subcommands.values() for c in _epilog_codes(sub.epilog)} or None
            cmd.epilog = (own + "\n\n" if own else "") + exit_codes_epilog(codes)


def _epilog_codes(epilog: str | None) -> set[ExitCode]:
    """The exit codes an `exit_codes_epilog` text lists."""
    listed = (epilog or "").partition("Exit codes:")[2]
    return {ExitCode(int(m)) for m in re.findall(r"^\s+(\d)  ", listed, flags=re.M)}


def _plain_message(message: str) -> str:
    for prefix in _PYDANTIC_PREFIXES:
        message = message.replace(prefix, "")
    return message


class RootGroup(TyperGroup):
    """The `vendoraudit` group: conforms the whole tree once built, cleans usage-error wording."""

    def __init__(self, **attrs: Any) -> None:
        attrs.setdefault("context_settings", dict(CONTEXT_SETTINGS))
        super().__init__(**attrs)
        conform(self)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except typer._click.exceptions.BadParameter as exc:  # type: ignore[attr-defined]
            exc.message = _plain_message(exc.message)
            raise
        except typer._click.exceptions.UsageError as exc:  # type: ignore[attr-defined]
            exc.message = _plain_message(exc.message)
            raise


def _parse_month(text: str) -> Period:
    return Period.parse(text)


def _parse_span(text: str) -> str:
    parse_periods(text)  # raises PeriodError with the one message
    return text.strip()


def period_option(help: str | None = None, *, months: bool = False, required: bool = False,
                  annotated: bool = False, flag: str = "--period") -> Any:
    """The `--period PERIOD` option of every command, with the one parser and message (exit 2).

    `months=False`: one month (`2026-10` or `previous`); the value is a `Period`.
    `months=True`: a month, a range or `previous`; the value is the checked text (give it to
    `periods.parse_periods`, or to the settings, which parse it the same way).
    Plain style: `period: Optional[Period] = period_option(...)` (None when not given; `required=True`
    makes it mandatory). Annotated style: `period: Annotated[Optional[str], period_option(...,
    annotated=True)] = None`. `flag`: the option's name when it is not `--period` (`--periods`).
    """
    default_help = ("a month, a range or previous: 2026-10, 2026-08..2026-10 or previous" if months
                    else "the month: 2026-10 or previous")
    default = ... if (required or annotated) else None
    return typer.Option(default, flag, metavar="PERIOD", help=help or default_help,
                        parser=_parse_span if months else _parse_month)


__all__ = ["CONTEXT_SETTINGS", "EXIT_MEANINGS", "PERIOD_FORMS", "RootGroup", "conform", "conform_help",
           "exit_codes_epilog", "period_option"]

