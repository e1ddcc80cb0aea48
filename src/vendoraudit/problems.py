"""Located problems of YAML files checked against pydantic models, all of them in one run.

Contracts, mappings and dispute files share this: `validate_located` turns pydantic's errors
into `file:line:col: path: message` problems (an unknown key gets "did you mean" from the known
keys) and, so the semantic checks can still run on the rest of the file, returns a stand-in
model in which every bad or missing value is replaced by a placeholder of its type. The paths
it replaced are *tainted*: `Salvaged.trusts` tells a checker which of its problems can be
believed (one at or under a tainted path, or one that depends on a tainted value, is dropped),
so a file with a schema error still shows its time-zone, metric and cross-file problems.
`sorted_problems` orders every problem of every file by file, line and column.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Union

from pydantic import BaseModel, ValidationError

from .yamlsource import LocatedDocument, Location

PathT = tuple[str | int, ...]

#: Placeholder ids carry this marker; a message that quotes one is never shown.
PLACEHOLDER_MARK = "zz-invalid-placeholder"
_MAX_ROUNDS = 12  # repairs reveal nested errors (a missing object's own fields); a few rounds settle


@dataclass(frozen=True)
class Problem:
    """One located problem: `file:line:col: path: message`."""

    location: Location
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.path}: {self.message}" if self.path else f"{self.location}: {self.message}"

    @property
    def sort_key(self) -> tuple[str, int, int]:
        return (self.location.file, self.location.line, self.location.column)


def format_path(path: Sequence[str | int]) -> str:
    """A path as the user reads it: dotted keys, [i] for list items (`kpis[2].target`)."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """`did you mean 'x'?` for the closest known word, or '' when none is close."""
    close = difflib.get_close_matches(str(word), list(known), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else ""


def suggest(word: str, known: Iterable[str]) -> str:
    """`did you mean 'x'?`, or `known: a, b` (sorted) when no known word is close."""
    known = list(known)
    return did_you_mean(word, known) or f"known: {', '.join(sorted(known)) or '(none)'}"


def unknown_key_message(key: str | int, known: Sequence[str]) -> str:
    """`unknown key 'tragte'; did you mean 'target'? known keys: ...` (the one wording for every file)."""
    hint = did_you_mean(str(key), known)
    listed = f"known keys: {', '.join(known)}" if known else ""
    return "; ".join(x for x in (f"unknown key {key!r}", " ".join(y for y in (hint, listed) if y)) if x)


_LOCATED = re.compile(r"^(?P<file>.*?):(?P<line>\d+):(?P<col>\d+): ")


def problem_sort_key(problem: Problem | str) -> tuple[str, int, int, str]:
    """(file, line, column, text) of a problem or of a `file:line:col: ...` line."""
    if isinstance(problem, Problem):
        return (*problem.sort_key, str(problem))
    text = str(problem)
    m = _LOCATED.match(text)
    if m:
        return (m.group("file"), int(m.group("line")), int(m.group("col")), text)
    return (text.split(":", 1)[0], 0, 0, text)


def sorted_problems(problems: Iterable[Problem | str]) -> list[str]:
    """Every problem once, as text, ordered by file, line and column."""
    seen: dict[str, tuple[str, int, int, str]] = {}
    for p in problems:
        seen.setdefault(str(p), problem_sort_key(p))
    return [text for text, _ in sorted(seen.items(), key=lambda item: item[1])]


# ------------------------------------------------------------------------------ schema problems

def schema_problems(exc: ValidationError, doc: LocatedDocument, root: type[BaseModel],
                    pattern_words: Mapping[str, str] | None = None) -> list[Problem]:
    """pydantic's errors as located problems, one per path (union alternatives joined)."""
    grouped: dict[str, tuple[PathT, bool, list[str]]] = {}
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        present = present_prefix(loc, doc.data)
        kind = err["type"]
        if kind == "missing":
            path, at, key = present + loc[len(present):len(present) + 1], present, False
            message = "required key is missing"
        elif kind == "extra_forbidden":
            path, at, key = loc, loc, True
            message = unknown_key_message(loc[-1], known_keys(root, loc[:-1]))
        else:
            # Leftover loc parts name union alternatives (e.g. 'str', 'int'), not places in the file.
            path, at, key = present, present, False
            message = _message(err, pattern_words or {})
        text = format_path(path)
        if text not in grouped:
            grouped[text] = (at, key, [])
        if message not in grouped[text][2]:
            grouped[text][2].append(message)
    return [Problem(doc.locate(at, key=key), text, _join(messages)) for text, (at, key, messages) in grouped.items()]


def present_prefix(loc: Sequence[Any], data: Any) -> PathT:
    """The longest prefix of `loc` that exists in the document's data."""
    prefix: list[str | int] = []
    current = data
    for part in loc:
        if isinstance(current, dict) and isinstance(part, str) and part in current:
            current = current[part]
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            current = current[part]
        else:
            break
        prefix.append(part)
    return tuple(prefix)


def _message(err: Any, pattern_words: Mapping[str, str]) -> str:
    pattern = (err.get("ctx") or {}).get("pattern")
    if err["type"] == "string_pattern_mismatch" and pattern in pattern_words:
        return f"{err['input']!r} {pattern_words[pattern]}"
    return str(err["msg"]).removeprefix("Value error, ")


def _join(messages: list[str]) -> str:
    """Union alternatives as one sentence: 'Input should be a, b or c'."""
    if len(messages) == 1:
        return messages[0]
    lead = "Input should be "
    if all(m.startswith(lead) for m in messages):
        parts = [m[len(lead):] for m in messages]
        return lead + ", ".join(parts[:-1]) + " or " + parts[-1]
    return "; or ".join(messages)


def known_keys(root: type[BaseModel], loc: Sequence[Any]) -> list[str]:
    """The keys (field names or aliases) of the model at `loc` (walking fields, list items, dict values)."""
    annotation: Any = root
    for part in loc:
        model = model_in(annotation)
        fields = model.model_fields if model is not None else {}
        match = next((f for n, f in fields.items() if part in (n, f.alias)), None) if isinstance(part, str) else None
        annotation = match.annotation if match is not None else item_type(annotation)
    model = model_in(annotation)
    return [f.alias or n for n, f in model.model_fields.items()] if model is not None else []


def model_in(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model an annotation is or holds (through Optional, unions, Annotated)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (Union, types.UnionType, typing.Annotated):
        for arg in typing.get_args(annotation):
            found = model_in(arg)
            if found is not None:
                return found
    return None


def item_type(annotation: Any) -> Any:
    """The element type of list[X] / dict[str, X], looking through Optional."""
    origin = typing.get_origin(annotation)
    if origin in (Union, types.UnionType):
        for arg in typing.get_args(annotation):
            if typing.get_origin(arg) in (list, dict):
                return item_type(arg)
        return annotation
    args = typing.get_args(annotation)
    return args[-1] if args else annotation


# ------------------------------------------------------------------------------ salvaging a model

@dataclass(frozen=True)
class Salvaged:
    """A file's schema problems and, when it could be built, a stand-in model for semantic checks.

    `value` is the model itself when the file is valid; else the model built with placeholders at
    `tainted` paths (None when even that failed). `trusts` decides whether a semantic problem
    found on the stand-in is real.
    """

    value: BaseModel | None
    problems: tuple[Problem, ...]
    tainted: tuple[PathT, ...] = ()
    dependencies: tuple[tuple[str, str], ...] = field(default=())

    def trusts(self, path: Sequence[str | int] | str, message: str = "") -> bool:
        """Whether a semantic problem at `path` can be believed (see `validate_located`)."""
        if PLACEHOLDER_MARK in message:
            return False
        if not self.tainted:
            return True
        text = path if isinstance(path, str) else format_path(path)
        tainted = [format_path(t) for t in self.tainted]
        if any(_under(text, t) for t in tainted):
            return False
        for problem_pattern, taint_pattern in self.dependencies:
            if re.search(problem_pattern, text):
                return not any(re.search(taint_pattern, t) for t in tainted)
        return False  # a check not known to be local may depend on a replaced value


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + ".") or path.startswith(prefix + "[") or prefix == ""


def validate_located(root: type[BaseModel], doc: LocatedDocument, *,
                     pattern_words: Mapping[str, str] | None = None,
                     pattern_placeholders: Mapping[str, str] | None = None,
                     dependencies: Sequence[tuple[str, str]] = ()) -> Salvaged:
    """Validate a located YAML document against `root`, salvaging what can be checked further.

    `pattern_words`: friendlier words for the model's regular expressions in messages.
    `pattern_placeholders`: a valid stand-in value per regular expression (`{n}` is numbered).
    `dependencies`: (problem path regex, tainted path regex) pairs: a semantic problem whose path
    matches the first is local and is believed unless a tainted path matches the second; a
    problem matching no pair is believed only when nothing was replaced.
    """
    try:
        return Salvaged(root.model_validate(doc.data), ())
    except ValidationError as exc:
        problems = tuple(schema_problems(exc, doc, root, pattern_words))
        first = exc
    if not isinstance(doc.data, dict):
        return Salvaged(None, problems)
    filler = _Filler(pattern_placeholders or {})
    data = _copy(doc.data)
    tainted: list[PathT] = []
    error: ValidationError | None = first
    for _ in range(_MAX_ROUNDS):
        assert error is not None
        changed = False
        for err in error.errors(include_url=False):
            changed |= _repair(data, tuple(err["loc"]), err["type"], root, filler, tainted)
        if not changed:
            break
        try:
            value = root.model_validate(data)
        except ValidationError as again:
            error = again
            continue
        return Salvaged(value, problems, tuple(tainted), tuple(dependencies))
    return Salvaged(None, problems, tuple(tainted), tuple(dependencies))


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _repair(data: dict[str, Any], loc: PathT, kind: str, root: type[BaseModel], filler: _Filler,
            tainted: list[PathT]) -> bool:
    """Fix one error in `data` in place: drop an unknown key, put a placeholder for a bad value."""
    if kind == "extra_forbidden":
        container = _get(data, loc[:-1])
        if isinstance(container, dict) and loc[-1] in container:
            del container[loc[-1]]
            return True
        return False
    present = present_prefix(loc, data)
    target = present + loc[len(present):len(present) + 1] if kind == "missing" else present
    if not target:
        return False
    annotation, info = _annotation_at(root, target)
    if annotation is None:
        return False
    container = _get(data, target[:-1])
    value = filler.value(annotation, info)
    if isinstance(container, dict):
        container[target[-1]] = value
    elif isinstance(container, list) and isinstance(target[-1], int) and target[-1] < len(container):
        container[target[-1]] = value
    else:
        return False
    if not any(target[:len(t)] == t for t in tainted):
        tainted.append(target)
    return True


def _get(data: Any, path: PathT) -> Any:
    for part in path:
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        else:
            return None
    return data


def _annotation_at(root: type[BaseModel], path: PathT) -> tuple[Any, Any]:
    """The annotation (and pydantic FieldInfo, for constraints) of the value at `path`."""
    annotation: Any = root
    info: Any = None
    for part in path:
        model = model_in(annotation)
        if isinstance(part, str) and model is not None:
            match = next((f for n, f in model.model_fields.items() if part in (n, f.alias)), None)
            if match is None:
                return None, None
            annotation, info = match.annotation, match
        else:
            annotation, info = item_type(annotation), None
    return annotation, info


class _Filler:
    """Placeholder values of a type, valid against common constraints (a pattern, a minimum)."""

    def __init__(self, patterns: Mapping[str, str]) -> None:
        self.patterns = patterns
        self.count = 0

    def value(self, annotation: Any, info: Any = None) -> Any:
        metadata = list(getattr(info, "metadata", None) or ())
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            base, *extra = typing.get_args(annotation)
            for item in extra:
                metadata += list(getattr(item, "metadata", None) or ()) + [item]
            return self._value(base, metadata)
        return self._value(annotation, metadata)

    def _value(self, annotation: Any, metadata: list[Any]) -> Any:
        origin = typing.get_origin(annotation)
        if origin in (Union, types.UnionType):
            options = [a for a in typing.get_args(annotation) if a is not type(None)]
            return self.value(options[0]) if options else None
        if origin is typing.Literal:
            return typing.get_args(annotation)[0]
        if origin is list:
            minimum = max((getattr(m, "min_length", 0) or 0 for m in metadata), default=0)
            return [self.value(typing.get_args(annotation)[0]) for _ in range(minimum)]
        if origin is dict:
            return {}
        model = model_in(annotation)
        if model is not None:
            return {(f.alias or n): self.value(f.annotation, f) for n, f in model.model_fields.items()
                    if f.is_required()}
        if isinstance(annotation, type) and issubclass(annotation, Enum):
            return next(iter(annotation)).value
        if annotation is bool:
            return False
        if annotation in (int, float, Decimal):
            return 1  # within ge=0, gt=0, le=N of the models' numbers
        if annotation is datetime:
            return "2000-01-01T00:00:00"
        if annotation is date:
            return "2000-01-01"
        pattern = next((getattr(m, "pattern", None) for m in metadata if getattr(m, "pattern", None)), None)
        self.count += 1
        if pattern is not None and pattern in self.patterns:
            return self.patterns[pattern].format(n=self.count)
        return f"{PLACEHOLDER_MARK}-{self.count}"
