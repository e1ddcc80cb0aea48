"""Settings precedence: command line over environment over vendoraudit.toml."""

from pathlib import Path

import pytest

from vendoraudit.config import load_settings
from vendoraudit.errors import ConfigError


def test_file_then_env_then_options(tmp_path: Path):
    cfg = tmp_path / "cfg" / "vendoraudit.toml"
    cfg.parent.mkdir()
    cfg.write_text('[audit]\nexports = "data"\nperiod = "2026-08"\nout = "/abs/out"\n')
    s = load_settings(cfg, env={})
    assert s.exports == cfg.parent / "data"  # relative to the file
    assert s.out == Path("/abs/out") and s.period == "2026-08"
    s = load_settings(cfg, env={"VENDORAUDIT_PERIOD": "previous", "VENDORAUDIT_OUT": "o2"})
    assert s.period == "previous" and s.out == Path("o2")
    s = load_settings(cfg, env={"VENDORAUDIT_PERIOD": "previous"}, period="2026-09", out=None)
    assert s.period == "2026-09" and s.out == Path("/abs/out")
    assert s.history_path == Path("/abs/out/history.sqlite")


def test_env_names_the_file(tmp_path: Path):
    cfg = tmp_path / "x.toml"
    cfg.write_text('[audit]\npaper = "letter"\n')
    assert load_settings(env={"VENDORAUDIT_CONFIG": str(cfg)}).paper == "Letter"


def test_unknown_key_names_the_known_ones(tmp_path: Path):
    cfg = tmp_path / "x.toml"
    cfg.write_text('[audit]\nexprots = "x"\n')
    with pytest.raises(ConfigError, match=r"unknown key 'exprots'; did you mean 'exports'\? known keys: contracts, disputes, exports"):
        load_settings(cfg, env={})


def test_bad_toml_is_one_line(tmp_path: Path):
    cfg = tmp_path / "x.toml"
    cfg.write_text("[audit\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_settings(cfg, env={})


def test_rows_per_evidence_sheet_from_file_environment_and_option(tmp_path: Path):
    from vendoraudit.config import DEFAULT_EVIDENCE_ROWS
    from vendoraudit.evidence import DEFAULT_ROWS_PER_SHEET

    assert DEFAULT_EVIDENCE_ROWS == DEFAULT_ROWS_PER_SHEET
    cfg = tmp_path / "x.toml"
    cfg.write_text("[audit]\nrows_per_evidence_sheet = 500\n")
    assert load_settings(cfg, env={}).rows_per_evidence_sheet == 500
    assert load_settings(cfg, env={"VENDORAUDIT_ROWS_PER_EVIDENCE_SHEET": "2_000"}).rows_per_evidence_sheet == 2000
    assert load_settings(cfg, env={}, rows_per_evidence_sheet=7).rows_per_evidence_sheet == 7
    for bad in ("0", "-3", "many", "1.5"):
        with pytest.raises(ConfigError, match="rows_per_evidence_sheet must be a whole number of rows, at least 1"):
            load_settings(cfg, env={"VENDORAUDIT_ROWS_PER_EVIDENCE_SHEET": bad})
    cfg.write_text("[audit]\nrows_per_evidence_sheet = 2.5\n")
    with pytest.raises(ConfigError, match="rows_per_evidence_sheet"):
        load_settings(cfg, env={})


def test_every_unknown_key_is_reported_with_did_you_mean_and_mappings_must_be_a_list(tmp_path: Path):
    cfg = tmp_path / "vendoraudit.toml"
    cfg.write_text('[audit]\nmapings = ["a.yaml"]\nperiodd = "2026-10"\nmappings = "a.yaml"\n')
    with pytest.raises(ConfigError) as info:
        load_settings(cfg, env={})
    text = "\n".join(info.value.problems)
    assert "mapings: unknown key 'mapings'; did you mean 'mappings'?" in text
    assert "periodd: unknown key 'periodd'; did you mean 'period'?" in text
    assert "mappings: a list of mapping files" in text


def test_mappings_are_relative_to_the_settings_file(tmp_path: Path):
    cfg = tmp_path / "conf" / "vendoraudit.toml"
    cfg.parent.mkdir()
    cfg.write_text('[audit]\nmappings = ["mappings/acd.yaml", "/abs/x.yaml"]\n')
    settings = load_settings(cfg, env={})
    assert settings.mappings == (tmp_path / "conf" / "mappings" / "acd.yaml", Path("/abs/x.yaml"))
    # --mapping on the command line replaces the file's list for that run
    assert load_settings(cfg, env={}, mappings=(Path("cli.yaml"),)).mappings == (Path("cli.yaml"),)


def test_every_setting_is_documented():
    from vendoraudit.config import _KEYS

    page = (Path(__file__).resolve().parents[1] / "docs" / "settings.md").read_text(encoding="utf-8")
    assert sorted(k for k in _KEYS if f"| `{k}` |" not in page) == []
