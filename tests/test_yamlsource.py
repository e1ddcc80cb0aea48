"""Safe, located YAML: 1-based locations, Decimal floats, and everything unsafe refused with a location."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from vendoraudit.errors import ConfigError
from vendoraudit.yamlsource import MAX_BYTES, MAX_DEPTH, Location, load_located, loads_located

TEXT = """\
# a comment
name: acme
kpis:
  - id: sl
    target: 80.5
  - {id: cb, target: 95}
"""


def _error(text: str) -> str:
    with pytest.raises(ConfigError) as info:
        loads_located(text, "f.yaml")
    return str(info.value)


def test_values_and_keys_are_located_one_based() -> None:
    doc = loads_located(TEXT, "f.yaml")
    assert doc.locate(("name",)) == Location("f.yaml", 2, 7)
    assert doc.locate(("name",), key=True) == Location("f.yaml", 2, 1)
    assert doc.locate(("kpis", 0)) == Location("f.yaml", 4, 5)
    assert doc.locate(("kpis", 0, "target")) == Location("f.yaml", 5, 13)
    assert doc.locate(("kpis", 0, "target"), key=True) == Location("f.yaml", 5, 5)
    assert doc.locate(("kpis", 1, "target")) == Location("f.yaml", 6, 22)
    assert str(doc.locate(("kpis", 1, "id"))) == "f.yaml:6:10"


def test_missing_path_falls_back_to_the_nearest_ancestor() -> None:
    doc = loads_located(TEXT, "f.yaml")
    assert doc.locate(("kpis", 1, "minimum")) == doc.locate(("kpis", 1))
    assert doc.locate(("nothing", "here")) == Location("f.yaml", 2, 1)


def test_plain_data_types() -> None:
    doc = loads_located("a: 80.5\nb: 1_000.25\nc: 7\nd: true\ne: 2026-03-17\nf: 2026-03\ng: null\nh: '1.5'\n", "f")
    assert doc.data == {"a": Decimal("80.5"), "b": Decimal("1000.25"), "c": 7, "d": True,
                        "e": date(2026, 3, 17), "f": "2026-03", "g": None, "h": "1.5"}
    assert isinstance(doc.data["a"], Decimal) and isinstance(doc.data["c"], int)


@pytest.mark.parametrize("text", ["a: .inf\n", "a: -.Inf\n", "a: .nan\n"])
def test_non_finite_floats_are_refused(text: str) -> None:
    assert _error(text).endswith("is not a finite number")
    assert _error(text).startswith("f.yaml:1:4: ")


def test_base_60_float_is_refused_not_a_crash() -> None:
    assert _error("a: 1:30.5\n") == "f.yaml:1:4: '1:30.5' is not a number vendoraudit reads; quote it if it is text"


@pytest.mark.parametrize(("text", "expected"), [
    ("a: !!python/object/apply:os.system ['echo hi']\n",
     "f.yaml:1:4: tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed (plain data only)"),
    ("a: !custom x\n", "f.yaml:1:4: tag '!custom' is not allowed (plain data only)"),
    ("a: !!binary aGk=\n", "f.yaml:1:4: tag 'tag:yaml.org,2002:binary' is not allowed (plain data only)"),
    ("a: !!set {x: null}\n", "f.yaml:1:4: tag 'tag:yaml.org,2002:set' is not allowed (plain data only)"),
])
def test_tags_are_refused(text: str, expected: str) -> None:
    assert _error(text) == expected


def test_merge_keys_are_refused() -> None:
    assert _error("base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n") == "f.yaml:3:3: merge keys (<<) are not allowed"


def test_duplicate_keys_are_refused() -> None:
    assert _error("a: 1\nb: 2\na: 3\n") == "f.yaml:3:1: duplicate key 'a'"


def test_complex_keys_are_refused() -> None:
    assert _error("? [a, b]\n: 1\n") == "f.yaml:1:3: keys must be plain text"


def test_small_aliases_are_expanded() -> None:
    assert loads_located("a: &x [1, 2]\nb: *x\n", "f").data == {"a": [1, 2], "b": [1, 2]}


def test_alias_bomb_is_refused_quickly() -> None:
    lines = ["l0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]" for i in range(1, 9)]
    message = _error("\n".join(lines) + "\n")
    assert message.endswith("document too large once aliases are expanded (more than 100,000 nodes)")
    assert message.startswith("f.yaml:")


@pytest.mark.parametrize("text", ["[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), "[" * 50_000])
def test_deep_nesting_is_refused_without_recursion_error(text: str) -> None:
    assert _error(text) == f"f.yaml:1:{MAX_DEPTH + 1}: nesting deeper than {MAX_DEPTH} levels"


def test_nesting_at_the_limit_is_fine() -> None:
    depth = MAX_DEPTH - 1
    assert loads_located("[" * depth + "1" + "]" * depth, "f").data is not None


def test_syntax_error_is_located() -> None:
    assert _error("a: [1, 2\nb: 3\n") == "f.yaml:2:2: invalid YAML: expected ',' or ']', but got ':'"


def test_empty_document_has_no_data() -> None:
    assert loads_located("# only a comment\n", "f").data is None


def test_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a: " + b"x" * MAX_BYTES + b"\n")
    with pytest.raises(ConfigError, match=r"big\.yaml:1:1: file is larger than 1,000,000 bytes"):
        load_located(path, display_name="big.yaml")


def test_not_utf8_and_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "latin.yaml"
    path.write_bytes("name: Bogot\xe1\n".encode("latin-1"))
    with pytest.raises(ConfigError, match=r"^latin\.yaml:1:1: not UTF-8 text \(byte 11\)$"):
        load_located(path, display_name="latin.yaml")
    with pytest.raises(ConfigError, match=r"^missing\.yaml: cannot read: "):
        load_located(tmp_path / "missing.yaml", display_name="missing.yaml")


def test_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfa: 1\n")
    doc = load_located(path)
    assert doc.data == {"a": 1} and doc.file == str(path)
