"""Audit settings: command-line options over environment variables over vendoraudit.toml.

So a cron line stays short: `vendoraudit audit --period previous` with the rest in the file.
Environment variables: VENDORAUDIT_CONFIG (the file), VENDORAUDIT_EXPORTS, VENDORAUDIT_CONTRACTS,
VENDORAUDIT_PERIOD, VENDORAUDIT_OUT, VENDORAUDIT_PAPER, VENDORAUDIT_DISPUTES,
VENDORAUDIT_ROWS_PER_EVIDENCE_SHEET.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .errors import ConfigError
from .problems import unknown_key_message

CONFIG_NAME = "vendoraudit.toml"
_KEYS = {"exports", "contracts", "period", "out", "mappings", "paper", "history", "disputes",
         "max_quarantined_percent", "rows_per_evidence_sheet"}
_TEXT_KEYS = {"exports", "contracts", "period", "out", "paper", "history", "disputes"}  # paths and words
DEFAULT_MAX_QUARANTINED_PERCENT = 2.0
# Rows an evidence sheet shows before the whole list goes to a CSV (evidence.DEFAULT_ROWS_PER_SHEET).
DEFAULT_EVIDENCE_ROWS = 10_000


@dataclass(frozen=True)
class AuditSettings:
    """Where the inputs are, which periods to audit and where the outputs go."""

    exports: Path = Path("sample_exports")
    contracts: Path = Path("contracts")
    period: str = "previous"
    out: Path = Path("out")
    mappings: tuple[Path, ...] = ()
    paper: str = "A4"
    history: Path | None = None  # default: OUT/history.sqlite
    disputes: Path = Path("disputes")  # a folder of dispute files; none there (or no folder): no disputes
    # More rows quarantined for errors than this share of a table blocks the money (exclusions
    # a mapping makes on purpose never count).
    max_quarantined_percent: float = DEFAULT_MAX_QUARANTINED_PERCENT
    rows_per_evidence_sheet: int = DEFAULT_EVIDENCE_ROWS  # rows per evidence sheet; beyond, the list goes to CSV
    source: str = "built-in defaults"

    @property
    def history_path(self) -> Path:
        return self.history or self.out / "history.sqlite"


def load_settings(config: Path | None = None, env: dict[str, str] | None = None,
                  **overrides: object) -> AuditSettings:
    """Settings from the config file (if any), then the environment, then non-None overrides.

    Paths in the file are relative to the file; in the environment and on the command line,
    to the current folder.
    """
    env = dict(os.environ if env is None else env)
    path = config or (Path(env["VENDORAUDIT_CONFIG"]) if env.get("VENDORAUDIT_CONFIG") else None)
    if path is None and Path(CONFIG_NAME).is_file():
        path = Path(CONFIG_NAME)
    values: dict[str, object] = {}
    origin: dict[str, str] = {}  # where each value came from, for a message that names it
    if path is not None:
        values.update(_resolve(_read_toml(path), path.parent))
        origin.update({k: f"{path}: [audit] {k}" for k in values})
    for key in ("exports", "contracts", "period", "out", "paper", "disputes", "rows_per_evidence_sheet"):
        if env.get(f"VENDORAUDIT_{key.upper()}"):
            values[key] = env[f"VENDORAUDIT_{key.upper()}"]
            origin[key] = f"VENDORAUDIT_{key.upper()}"
    given = {k: v for k, v in overrides.items() if v is not None and v != ()}
    values.update(given)
    origin.update({k: f"--{k}" for k in given})
    _check_period(str(values.get("period", "previous")), origin.get("period", "period"))
    return AuditSettings(
        exports=Path(str(values.get("exports", "sample_exports"))),
        contracts=Path(str(values.get("contracts", "contracts"))),
        period=str(values.get("period", "previous")),
        out=Path(str(values.get("out", "out"))),
        mappings=tuple(Path(str(m)) for m in values.get("mappings", ()) or ()),  # type: ignore[union-attr]
        paper=_paper(str(values.get("paper", "A4"))),
        history=Path(str(values["history"])) if values.get("history") else None,
        disputes=Path(str(values.get("disputes", "disputes"))),
        max_quarantined_percent=_percent(values.get("max_quarantined_percent", DEFAULT_MAX_QUARANTINED_PERCENT)),
        rows_per_evidence_sheet=_evidence_rows(values.get("rows_per_evidence_sheet", DEFAULT_EVIDENCE_ROWS)),
        source=str(path) if path is not None else "built-in defaults",
    )


def _resolve(section: dict[str, object], base: Path) -> dict[str, object]:
    out = dict(section)
    for key in ("exports", "contracts", "out", "history", "disputes"):
        if key in out:
            out[key] = _relative_to(out[key], base)
    if "mappings" in out:
        out["mappings"] = [_relative_to(m, base) for m in out["mappings"]]  # type: ignore[union-attr]
    return out


def _relative_to(value: object, base: Path) -> Path:
    p = Path(str(value))
    return p if p.is_absolute() else base / p


def _read_toml(path: Path) -> dict[str, object]:
    """The [audit] table of `path`; ConfigError naming the file for anything that is not such a file."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ConfigError(f"{path}: not a TOML settings file: not UTF-8 text (byte 0x{raw[exc.start]:02x} "
                          f"on line {line})") from None
    if "\x00" in text:
        raise ConfigError(f"{path}: not a TOML settings file: it holds NUL bytes (binary data?)")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
    section = data.get("audit", {})
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: [audit] must be a table")
    problems = [f"{path}: [audit] {key}: {unknown_key_message(key, sorted(_KEYS))}"
                for key in sorted(set(section) - _KEYS)]
    mappings = section.get("mappings", [])
    if not isinstance(mappings, list) or not all(isinstance(m, str) and m for m in mappings):
        problems.append(f"{path}: [audit] mappings: a list of mapping files, e.g. mappings = [\"mappings/acd.yaml\"]")
    for key in sorted(_TEXT_KEYS & set(section)):
        # A list or number where a path belongs would otherwise become a path named after it
        # (numeric settings are checked by their own readers).
        if not isinstance(section[key], str):
            problems.append(f"{path}: [audit] {key}: must be text, not {type(section[key]).__name__}")
    if problems:
        raise ConfigError(problems[0] if len(problems) == 1 else f"{len(problems)} problems in {path}",
                          tuple(problems) if len(problems) > 1 else ())
    return section


def _percent(value: object) -> float:
    try:
        number = float(str(value)) if not isinstance(value, bool) else float("nan")
    except ValueError:
        number = float("nan")
    if not 0 <= number <= 100:
        raise ConfigError(f"max_quarantined_percent must be a number from 0 to 100, got {value!r}")
    return number


def _evidence_rows(value: object) -> int:
    """A whole number of rows >= 1 (text from the environment too); ConfigError otherwise."""
    try:
        rows = int(str(value).strip().replace("_", "")) if not isinstance(value, bool) else 0
    except ValueError:
        rows = 0
    if rows < 1:  # 2.5 and "3.0" do not read as int either
        raise ConfigError(f"rows_per_evidence_sheet must be a whole number of rows, at least 1, got {value!r}")
    return rows


def _check_period(text: str, origin: str) -> None:
    """A period from the file or the environment is parsed as the --period option is (one message)."""
    from .periods import PeriodError, parse_periods

    try:
        parse_periods(text)
    except PeriodError as exc:
        raise ConfigError(f"{origin}: {exc}") from None


def _paper(value: str) -> str:
    normal = {"a4": "A4", "letter": "Letter", "us-letter": "Letter"}.get(value.lower())
    if normal is None:
        raise ConfigError(f"paper must be A4 or Letter, got {value!r}")
    return normal
