"""Every JSON output carries kind and schema_version and matches docs/schemas/<kind>.json.

Adding a kind (see docs/json.md, "Adding a JSON output"): a `JsonKind` member, its schema file,
its section in docs/json.md and a producer below. `test_every_kind_is_shipped_documented_and_produced`
fails until all four exist; the producers' outputs are then validated against the schema.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from json_schemas import SCHEMAS, assert_matches_schema, schema_errors, schema_kinds
from vendoraudit.cli import app
from vendoraudit.report_json import JsonKind, document_text, dumps, json_document

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_exports"
DOCS = (ROOT / "docs" / "json.md").read_text(encoding="utf-8")


def _cli(*args: str) -> dict:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def _audit(request: pytest.FixtureRequest, tmp_path: Path) -> list[dict]:
    return [json.loads(dumps(request.getfixturevalue("sample_audit"), JsonKind.AUDIT))]


def _scorecard(request: pytest.FixtureRequest, tmp_path: Path) -> list[dict]:
    from vendoraudit.render_pdf import scorecard_json

    result = request.getfixturevalue("sample_audit")
    return [json.loads(scorecard_json(result, v.vendor_id)) for v in result.vendors]


def _manifest(request: pytest.FixtureRequest, tmp_path: Path) -> list[dict]:
    from vendoraudit.deliver import _manifest as manifest

    (tmp_path / "quarantine").mkdir()
    (tmp_path / "quarantine" / "q.csv").write_text("a\n")
    (tmp_path / "x.json").write_text("{}\n")
    return [json.loads(manifest(request.getfixturevalue("sample_audit"), tmp_path))]


def _validate(request: pytest.FixtureRequest, tmp_path: Path) -> list[dict]:
    docs = [_cli("validate", str(ROOT / "tests/fixtures/bad_exports/cp1252_ok"), "--json")]
    if (SAMPLES / "broken").is_dir():  # errors, warnings, quarantined rows
        docs.append(_cli("validate", str(SAMPLES / "broken"), "--period", "2026-10", "--contracts",
                         str(ROOT / "contracts"), "--json"))
    return docs


def _kpis(request: pytest.FixtureRequest, tmp_path: Path) -> list[dict]:
    month = SAMPLES / "2026-10"
    if not month.is_dir():
        pytest.skip("sample exports not generated")
    common = [str(month), "--period", "2026-10", "--contracts", str(ROOT / "contracts"), "--json"]
    return [_cli("kpis", *common, "--by", "vendor"),
            _cli("kpis", *common, "--by", "agent", "--metric", "ops.aht", "--metric", "qa.score")]


def _backtest(request: pytest.FixtureRequest, tmp_path: Path) -> list[dict]:
    if not (SAMPLES / "2026-10").is_dir():
        pytest.skip("sample exports not generated")
    return [_cli("backtest", "--contract", str(ROOT / "contracts" / "acme.yaml"), "--exports", str(SAMPLES),
                 "--periods", "2026-10", "--contracts", str(ROOT / "contracts"), "--json")]


def _forecast(request: pytest.FixtureRequest, tmp_path: Path) -> list[dict]:
    if not (SAMPLES / "2026-10").is_dir():
        pytest.skip("sample exports not generated")
    return [_cli("forecast", str(SAMPLES / "2026-10"), "--period", "2026-10", "--as-of", "2026-10-15",
                 "--contracts", str(ROOT / "contracts"), "--json")]


def _blocked(request: pytest.FixtureRequest, tmp_path: Path) -> list[dict]:
    import dispute_world as w

    world = w.build(tmp_path / "world")
    path = world.exports / w.PERIOD / "interactions_SKY-CHI.csv"
    path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")  # no contacts
    ran = CliRunner().invoke(app, ["audit", "--exports", str(world.exports), "--contracts", str(world.contracts),
                                   "--period", w.PERIOD, "--out", str(world.out), "--quiet"])
    assert ran.exit_code == 1, ran.output
    folder = world.out / w.PERIOD
    validation = json.loads((folder / f"validation-{w.PERIOD}.json").read_text())
    assert validation["kind"] == JsonKind.VALIDATE and validation["blocking"]
    assert_matches_schema(validation)
    return [json.loads((folder / "blocked.json").read_text())]


def _mapping_preview(request: pytest.FixtureRequest, tmp_path: Path) -> list[dict]:
    return [_cli("mapping", "preview", str(ROOT / "tests/fixtures/real_world/acd_log_sample.txt"), "--mapping",
                 str(ROOT / "contracts/mappings/acd-log-interactions.yaml"), "--rows", "3", "--json")]


def _verification(request: pytest.FixtureRequest, tmp_path: Path) -> list[dict]:
    import dispute_world as w

    world = w.build(tmp_path / "world")
    ran = CliRunner().invoke(app, ["audit", "--exports", str(world.exports), "--contracts", str(world.contracts),
                                   "--period", w.PERIOD, "--out", str(world.out), "--quiet"])
    assert ran.exit_code == 0, ran.output
    pdfs = sorted((world.out / w.PERIOD).glob("scorecard-*.pdf"))
    good = CliRunner().invoke(app, ["verify", *map(str, pdfs), "--json"])
    assert good.exit_code == 0, good.output
    not_a_pdf = tmp_path / "x.pdf"
    not_a_pdf.write_bytes(b"not a pdf")
    bad = CliRunner().invoke(app, ["verify", str(not_a_pdf), "--json"])
    assert bad.exit_code == 1
    return [json.loads(good.stdout), json.loads(bad.stdout)]


#: kind -> a function producing real documents of that kind (the CLI's or the library's own text).
PRODUCERS: dict[str, Callable[[pytest.FixtureRequest, Path], list[dict]]] = {
    JsonKind.AUDIT: _audit,
    JsonKind.SCORECARD: _scorecard,
    JsonKind.MANIFEST: _manifest,
    JsonKind.VALIDATE: _validate,
    JsonKind.KPIS: _kpis,
    JsonKind.BACKTEST: _backtest,
    JsonKind.FORECAST: _forecast,
    JsonKind.BLOCKED: _blocked,
    JsonKind.MAPPING_PREVIEW: _mapping_preview,
    JsonKind.VERIFICATION: _verification,
}


def test_every_kind_is_shipped_documented_and_produced():
    kinds = sorted(k.value for k in JsonKind)
    assert schema_kinds() == kinds, "docs/schemas/ must hold exactly one <kind>.json per JsonKind"
    documented = set(re.findall(r"^## `([a-z_.]+)`", DOCS, flags=re.M))
    assert documented >= set(kinds), f"not in docs/json.md: {sorted(set(kinds) - documented)}"
    assert sorted(PRODUCERS) == kinds, "add a producer for each kind to PRODUCERS"


def test_every_document_written_names_a_json_kind():
    """A kind given as a literal string (not a JsonKind member) would escape the schema check."""
    calls = re.compile(r"(?<![.\w])(?:dumps|json_document|document_text|flat_document)\(\s*[^,()]+,\s*[\"']|"
                       r"\b(?:json_document|document_text)\(\s*[\"']")
    offenders = [f"{p.relative_to(ROOT)}: {m.group(0)}" for p in sorted((ROOT / "src").rglob("*.py"))
                 for m in calls.finditer(p.read_text(encoding="utf-8"))]
    assert not offenders, offenders


@pytest.mark.parametrize("kind", sorted(PRODUCERS))
def test_outputs_match_their_schema(kind: str, request: pytest.FixtureRequest, tmp_path: Path):
    documents = PRODUCERS[kind](request, tmp_path)
    assert documents
    for document in documents:
        assert document["kind"] == kind
        assert isinstance(document["schema_version"], int)
        assert_matches_schema(document)


@pytest.mark.parametrize("kind", schema_kinds())
def test_each_schema_names_its_kind_and_version(kind: str):
    schema = json.loads((SCHEMAS / f"{kind}.json").read_text())
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["properties"]["kind"] == {"const": kind}
    assert {"kind", "schema_version"} <= set(schema["required"])
    assert schema.get("title") and schema.get("description")


def test_the_schemas_catch_a_broken_document(sample_audit):
    """The check can fail: a float amount, a missing key and a wrong kind are all reported."""
    good = json.loads(dumps(sample_audit, JsonKind.AUDIT))
    assert not schema_errors(good)
    bad = copy.deepcopy(good)
    vendor = next(v for v in bad["result"]["vendors"] if v["settlement"])
    vendor["settlement"]["net_adjustment"] = -12.5  # money must be exact decimal text
    del bad["result"]["inputs_fingerprint"]
    bad["result"]["period"] = "2026-13"
    errors = schema_errors(bad)
    assert any("net_adjustment" in e for e in errors)
    assert any("inputs_fingerprint" in e for e in errors)
    assert any("period" in e for e in errors)
    wrong = dict(good, kind="vendoraudit.validate")
    assert schema_errors(wrong)


def test_json_document_puts_kind_and_version_first():
    doc = json_document(JsonKind.KPIS, {"period": "2026-10"})
    assert list(doc) == ["kind", "schema_version", "period"]
    assert document_text("vendoraudit.kpis", {"a": 1}).endswith("}\n")
    with pytest.raises(ValueError):
        json_document(JsonKind.KPIS, {"kind": "other"})
    with pytest.raises(TypeError):
        json_document(JsonKind.KPIS, [1, 2])
