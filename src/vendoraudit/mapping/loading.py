"""Reading mapping files with located errors: every problem as `file:line:col: path: message`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import ConfigError
from ..periods import zone_info
from ..problems import known_keys, sorted_problems, unknown_key_message, validate_located
from ..tables import ColType
from ..yamlsource import LocatedDocument, load_located
from .model import Mapping, Unmatched


def load_mapping(path: Path) -> Mapping:
    """Read one mapping file; ConfigError (every problem, `file:line:col: path: message`) if invalid."""
    doc = load_located(path)
    mapping, problems = _checked(doc)
    if mapping is None or problems:
        raise ConfigError(f"{doc.file}: invalid mapping ({len(problems)} problem(s))", tuple(problems))
    return mapping


def load_mappings(paths: Iterable[Path]) -> tuple[Mapping, ...]:
    """Read several mappings, reporting the problems of all of them at once."""
    mappings: list[Mapping] = []
    problems: list[str] = []
    for path in paths:
        try:
            mappings.append(load_mapping(Path(path)))
        except ConfigError as exc:
            problems.extend(exc.problems or (str(exc),))
    names = [m.name for m in mappings]
    problems += [f"mapping name {n!r} is used twice" for n in sorted({n for n in names if names.count(n) > 1})]
    if problems:
        problems = sorted_problems(problems)  # every file's, by file, line and column
        raise ConfigError(f"invalid mapping(s): {len(problems)} problem(s)", tuple(problems))
    return tuple(mappings)


# Semantic checks whose verdict depends only on values that are not replaced while a file with
# structural problems is checked further (problems.validate_located): the time zone; a column's
# rules, unless the table (which gives the columns' types) or the references between columns were.
_LOCAL_CHECKS = (
    (r"^timezone$", r"$^"),
    (r"^columns\.[^.]+\.(to|not_before)$", r"^table$|^columns\.[^.]+\.(to|not_before)$"),
    (r"^columns\.", r"^table$"),
)


def _checked(doc: LocatedDocument) -> tuple[Mapping | None, list[str]]:
    """The mapping (None when it cannot be built) and every problem of its file, sorted by line:
    structural ones, then (on a stand-in for the broken values) the semantic ones that cannot come
    from a replaced value."""
    if not isinstance(doc.data, dict):
        return None, [f"{doc.locate(())}: (root): a mapping file must be a YAML mapping of keys"]
    try:
        mapping = Mapping.model_validate(doc.data)
    except ValidationError as exc:
        found = [_located(doc, err) for err in exc.errors()]
        salvaged = validate_located(Mapping, doc, dependencies=_LOCAL_CHECKS)
        if isinstance(salvaged.value, Mapping):
            found += [text for path, text in _semantic_located(doc, salvaged.value)
                      if salvaged.trusts(path, text)]
        return None, sorted_problems(found)
    return mapping, _semantic_problems(doc, mapping)


def _located(doc: LocatedDocument, err: Any) -> str:
    path = _doc_path(doc, err["loc"])
    key = err["type"] == "extra_forbidden"
    where = doc.locate(path, key=key)
    dotted = ".".join(str(p) for p in path) or "(root)"
    if key:
        message = unknown_key_message(path[-1], known_keys(Mapping, err["loc"][:-1]))
    else:
        message = err["msg"].removeprefix("Value error, ")
    return f"{where}: {dotted}: {message}"


def _doc_path(doc: LocatedDocument, loc: Sequence[Any]) -> tuple[str | int, ...]:
    """Pydantic's error location without the union/validator tags it inserts."""
    path: tuple[str | int, ...] = ()
    for part in loc:
        candidate = path + (part,)
        if candidate in doc.locations or candidate in doc.key_locations:
            path = candidate
    return path


_CODE_TYPES: dict[ColType, tuple[type, ...]] = {
    ColType.STR: (str,),
    ColType.INT: (int,),
    ColType.FLOAT: (int, Decimal),
    ColType.BOOL: (bool,),
    ColType.DATE: (),
    ColType.DATETIME: (),
}


def _semantic_problems(doc: LocatedDocument, m: Mapping) -> list[str]:
    """Checks that need the canonical table: column names, code types, references, time zone."""
    return [text for _, text in _semantic_located(doc, m)]


def _semantic_located(doc: LocatedDocument, m: Mapping) -> list[tuple[tuple[str | int, ...], str]]:
    """`_semantic_problems` with each problem's path."""
    spec = m.spec
    out: list[tuple[tuple[str | int, ...], str]] = []

    def add(path: tuple[str | int, ...], message: str, key: bool = False) -> None:
        out.append((path, f"{doc.locate(path, key=key)}: {'.'.join(map(str, path))}: {message}"))

    if m.timezone is not None:
        try:
            zone_info(m.timezone)
        except ConfigError:
            add(("timezone",), f"unknown time zone {m.timezone!r} (use an IANA name like Asia/Manila)")
    for name, rule in m.columns.items():
        base: tuple[str | int, ...] = ("columns", name)
        if name not in spec.names:
            add(base, f"{name!r} is not a column of {m.table}; columns: {', '.join(spec.names)}", key=True)
            continue
        ctype = spec.column(name).type
        is_time = ctype in (ColType.DATE, ColType.DATETIME)
        if rule.codes is not None:
            allowed = _CODE_TYPES[ctype]
            if not allowed:
                add(base + ("codes",), f"code maps cannot produce a {ctype} (use 'format')")
            for code, value in rule.codes.items():
                ok = value is None or (isinstance(value, allowed) and not (bool not in allowed and isinstance(value, bool)))
                if allowed and not ok:
                    add(base + ("codes", code), f"{value!r} is not a {ctype} value for {name}")
            if rule.unmatched is Unmatched.KEEP and ctype is not ColType.STR:
                add(base + ("unmatched",), "'keep' is only for text columns")
        if (rule.date or rule.add_seconds or rule.not_before) and ctype is not ColType.DATETIME:
            add(base, f"'date', 'add_seconds' and 'not_before' make timestamps, but {name} is a {ctype}")
        if rule.format and not is_time:
            add(base + ("format",), f"'format' is for date and datetime columns; {name} is a {ctype}")
        if rule.unit and ctype not in (ColType.FLOAT, ColType.INT) and not (rule.add_seconds or rule.plus):
            add(base + ("unit",), f"'unit' is for durations; {name} is a {ctype}")
        if rule.sum is not None and ctype not in (ColType.FLOAT, ColType.INT):
            add(base + ("sum",), f"'sum' adds numbers; {name} is a {ctype}")
        if rule.test is not None and ctype is not ColType.BOOL:
            add(base + ("test",), f"'test' makes true/false; {name} is a {ctype}")
        if rule.plus is not None and ctype is not ColType.DATETIME:
            add(base + ("plus",), f"'plus' adds durations to a timestamp; {name} is a {ctype}")
        for ref_key in ("to", "not_before"):
            ref = getattr(rule, ref_key)
            if ref is None:
                continue
            if ref not in spec.names or spec.column(ref).type is not ColType.DATETIME:
                add(base + (ref_key,), f"{ref!r} is not a datetime column of {m.table}")
            elif ref == name:
                add(base + (ref_key,), f"{ref!r} is the column itself")
    for name in _in_cycle(m):
        rule = m.columns[name]
        key = "to" if rule.to else "not_before"
        add(("columns", name, key), f"{name!r} is computed from {getattr(rule, key)!r}, which is computed from "
            f"{name!r} (a cycle of 'to'/'not_before')")
    return out


def _in_cycle(m: Mapping) -> list[str]:
    """Columns whose `to`/`not_before` chain comes back to them."""
    found = []
    for start in m.columns:
        seen: list[str] = []
        todo = [start]
        while todo:
            name = todo.pop()
            rule = m.columns.get(name)
            for ref in rule.references if rule else ():
                if ref == start and ref != name:
                    found.append(start)
                    todo = []
                    break
                if ref not in seen:
                    seen.append(ref)
                    todo.append(ref)
    return found
