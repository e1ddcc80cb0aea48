"""Safe YAML loading that remembers where every key and value stood (1-based line:column).

Plain data only: no tags, no object construction, a size limit, and aliases that cannot
explode (each alias counts the nodes it would copy against a budget). Floats are read as
Decimal from their text, so money written in YAML is exact.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import ConfigError

MAX_BYTES = 1_000_000
MAX_NODES = 100_000
MAX_DEPTH = 64
MAX_INT_DIGITS = 30  # no setting, count or amount needs more digits (Python cannot read past 4,300)

_PLAIN_TAGS = {
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:timestamp",
}

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Location:
    """Where a node stands in its file, 1-based like a compiler's messages."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass
class LocatedDocument:
    """A YAML document as plain Python data plus the location of every path in it."""

    file: str
    data: Any
    locations: dict[Path_, Location] = field(default_factory=dict)
    key_locations: dict[Path_, Location] = field(default_factory=dict)
    sha256: str = ""  # of the bytes parsed (set by `load_located`): what a fingerprint records

    def locate(self, path: Path_, key: bool = False) -> Location:
        """The location of `path`, or of its nearest located ancestor."""
        table = self.key_locations if key else self.locations
        p = tuple(path)
        while p:
            if p in table:
                return table[p]
            if p in self.locations:
                return self.locations[p]
            p = p[:-1]
        return self.locations.get((), Location(self.file, 1, 1))


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps to composing nodes; construction is ours."""


_EventLoader = getattr(yaml, "CSafeLoader", _Loader)


def load_located(path: Path, display_name: str | None = None) -> LocatedDocument:
    """Read `path` as one plain-data YAML document; raise ConfigError with a location on any problem."""
    name = display_name or str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{name}: cannot read: {exc.strerror}") from exc
    if len(raw) > MAX_BYTES:
        raise ConfigError(f"{name}:1:1: file is larger than {MAX_BYTES:,} bytes")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{name}:1:1: not UTF-8 text (byte {exc.start})") from exc
    doc = loads_located(text, name)
    doc.sha256 = hashlib.sha256(raw).hexdigest()
    return doc


def loads_located(text: str, name: str) -> LocatedDocument:
    """Parse YAML text (see load_located)."""
    try:
        _check_depth(text, name)
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{name}:{mark.line + 1}:{mark.column + 1}" if mark else name
        raise ConfigError(f"{where}: invalid YAML: {exc.problem or exc.context}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{name}: invalid YAML: {exc}") from exc
    doc = LocatedDocument(name, None)
    if node is None:
        doc.data = None
        return doc
    budget = [MAX_NODES]
    doc.data = _build(node, (), doc, budget, 0)
    return doc


def _check_depth(text: str, name: str) -> None:
    """Refuse deep nesting before composing: PyYAML's composer recurses once per level.

    Only events are read here (libyaml's parser when present: fast, iterative); a syntax error
    is left for the composer, whose messages and marks are the ones users see.
    """
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_EventLoader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    mark = event.start_mark
                    raise ConfigError(f"{name}:{mark.line + 1}:{mark.column + 1}: "
                                      f"nesting deeper than {MAX_DEPTH} levels")
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return


def _loc(doc: LocatedDocument, node: Node) -> Location:
    return Location(doc.file, node.start_mark.line + 1, node.start_mark.column + 1)


def _build(node: Node, path: Path_, doc: LocatedDocument, budget: list[int], depth: int) -> Any:
    budget[0] -= 1
    if budget[0] < 0:
        raise ConfigError(f"{_loc(doc, node)}: document too large once aliases are expanded "
                          f"(more than {MAX_NODES:,} nodes)")
    if depth > MAX_DEPTH:
        raise ConfigError(f"{_loc(doc, node)}: nesting deeper than {MAX_DEPTH} levels")
    if node.tag not in _PLAIN_TAGS:
        raise ConfigError(f"{_loc(doc, node)}: tag {node.tag!r} is not allowed (plain data only)")
    doc.locations.setdefault(path, _loc(doc, node))
    if isinstance(node, MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise ConfigError(f"{_loc(doc, key_node)}: merge keys (<<) are not allowed")
            if not isinstance(key_node, ScalarNode):
                raise ConfigError(f"{_loc(doc, key_node)}: keys must be plain text")
            key = str(key_node.value)
            if key in out:
                raise ConfigError(f"{_loc(doc, key_node)}: duplicate key {key!r}")
            doc.key_locations[path + (key,)] = _loc(doc, key_node)
            out[key] = _build(value_node, path + (key,), doc, budget, depth + 1)
        return out
    if isinstance(node, SequenceNode):
        return [_build(item, path + (i,), doc, budget, depth + 1) for i, item in enumerate(node.value)]
    return _scalar(node, doc)


def _scalar(node: ScalarNode, doc: LocatedDocument) -> Any:
    tag, text = node.tag, node.value
    if tag == "tag:yaml.org,2002:float":
        cleaned = text.replace("_", "")
        if cleaned.lower().lstrip("+-") in (".inf", ".nan"):
            raise ConfigError(f"{_loc(doc, node)}: {text!r} is not a finite number")
        try:
            number = Decimal(cleaned)
        except InvalidOperation:  # YAML 1.1 base-60 floats such as 1:30.5
            raise ConfigError(f"{_loc(doc, node)}: {text!r} is not a number vendoraudit reads; "
                              "quote it if it is text") from None
        if number and abs(number.adjusted()) > MAX_INT_DIGITS:
            # 1e400 or 1e-400: no setting means it, and a float field would read inf or 0
            raise ConfigError(f"{_loc(doc, node)}: {text[:24]!r} is out of range (between 1e-{MAX_INT_DIGITS} "
                              f"and 1e{MAX_INT_DIGITS} in size)")
        return number
    if tag == "tag:yaml.org,2002:str":
        return text
    if tag == "tag:yaml.org,2002:int" and (digits := sum(ch.isdigit() for ch in text)) > MAX_INT_DIGITS:
        # Python refuses to read an int of over 4,300 digits (a ValueError, not a located error)
        raise ConfigError(f"{_loc(doc, node)}: a whole number of {digits:,} digits "
                          f"is out of range (at most {MAX_INT_DIGITS})")
    # null, bool, int and timestamp: the safe constructor's own reading of a plain scalar.
    return _Loader("").construct_object(node)
