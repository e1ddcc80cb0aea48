"""A settings file that is not TOML text (binary, another encoding, NULs, wrong value types) is a
configuration error: exit 3, one line naming the file, never an "unexpected failure"."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import assert_one_line_error, invoke

BAD_FILES = {
    "random-bytes": bytes(range(256)) * 3,
    "png-image": b"\x89PNG\r\n\x1a\n" + bytes(200),
    "utf16-text": "[audit]\nperiod = \"2026-10\"\n".encode("utf-16"),
    "latin1-text": "[audit]\npaper = \"A4\" # r\xe9sum\xe9\n".encode("latin-1"),
    "nul-bytes": b"[audit]\nperiod = \"2026-10\"\n\x00\x00\x00",
    "invalid-toml": b"[audit\nout = 1\n",
    "audit-not-a-table": b"audit = 5\n",
    "list-for-a-path": b"[audit]\nout = [\"a\", \"b\"]\n",
    "number-for-a-period": b"[audit]\nperiod = 202610\n",
    "text-for-mappings": b"[audit]\nmappings = \"m.yaml\"\n",
    "numbers-in-mappings": b"[audit]\nmappings = [1, 2]\n",
    "list-for-disputes": b"[audit]\ndisputes = [\"d\"]\n",
}


@pytest.mark.parametrize("how", ["option", "environment"])
@pytest.mark.parametrize("content", list(BAD_FILES.values()), ids=list(BAD_FILES))
def test_a_bad_settings_file_is_exit_3_naming_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes,
                                                  how: str) -> None:
    config = tmp_path / "settings-file.toml"
    config.write_bytes(content)
    args = ["audit", "--period", "2026-10", "--out", str(tmp_path / "out")]
    if how == "option":
        args += ["--config", str(config)]
    else:
        monkeypatch.setenv("VENDORAUDIT_CONFIG", str(config))
    ran = invoke(args)
    line = assert_one_line_error(ran, 3)
    assert "settings-file.toml" in line and "unexpected" not in line
    assert not (tmp_path / "out" / "2026-10").exists()


def test_a_folder_given_as_the_settings_file(tmp_path: Path) -> None:
    ran = invoke(["audit", "--config", str(tmp_path), "--period", "2026-10", "--out", str(tmp_path / "out")])
    assert str(tmp_path) in assert_one_line_error(ran, 3)
