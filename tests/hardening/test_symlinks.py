"""Symbolic links in an export folder: followed only while they stay inside it.

A link that leads out of the folder (another month's file, another vendor's, /etc/passwd), to
nothing, or round in a loop is refused: exit 4, one line naming the link, no row read. A link
to a file of the same folder is read under its own name, and an export folder that is itself
a link (exports/2026-10 -> /data/...) is read as the folder it leads to.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from vendoraudit.errors import InputError
from vendoraudit.validate import load_exports

from .conftest import assert_one_line_error, invoke
from .corpus import csv_text, rows


@pytest.fixture()
def folders(tmp_path: Path) -> tuple[Path, Path]:
    inside = tmp_path / "exports" / "2026-10"
    outside = tmp_path / "elsewhere"
    inside.mkdir(parents=True)
    outside.mkdir()
    (inside / "interactions_a.csv").write_text(csv_text(rows(2)), encoding="utf-8")
    (outside / "interactions_other.csv").write_text(csv_text(rows(3, start=10)), encoding="utf-8")
    return inside, outside


@pytest.mark.parametrize("target", ["absolute", "relative", "etc-passwd", "outside-via-inside"])
def test_a_link_leading_out_of_the_folder_is_refused(folders: tuple[Path, Path], target: str) -> None:
    inside, outside = folders
    link = inside / "interactions_b.csv"
    if target == "absolute":
        link.symlink_to(outside / "interactions_other.csv")
    elif target == "relative":
        link.symlink_to(Path("..") / ".." / "elsewhere" / "interactions_other.csv")
    elif target == "etc-passwd":
        link.symlink_to("/etc/passwd")
    else:  # a chain: a link inside the folder to a link that leads out
        (inside / ".hop").symlink_to(outside / "interactions_other.csv")
        link.symlink_to(inside / ".hop")
    ran = invoke(["validate", str(inside), "--json"])
    line = assert_one_line_error(ran, 4, "outside the export folder")
    assert "interactions_b.csv" in line and ran.stdout == ""
    with pytest.raises(InputError, match="symbolic link"):
        load_exports(inside)


def test_a_linked_subfolder_claimed_by_a_mapping_is_refused(folders: tuple[Path, Path], tmp_path: Path) -> None:
    inside, outside = folders
    (inside / "sub").symlink_to(outside, target_is_directory=True)
    mapping = tmp_path / "m.yaml"
    mapping.write_text("name: sub\ntable: interactions\nfiles: ['sub/*.csv']\n", encoding="utf-8")
    ran = invoke(["validate", str(inside), "--mapping", str(mapping)])
    assert "sub/interactions_other.csv" in assert_one_line_error(ran, 4, "outside the export folder")


@pytest.mark.parametrize("shape", ["dangling", "loop"])
def test_a_link_to_nothing_is_refused_not_skipped(folders: tuple[Path, Path], shape: str) -> None:
    inside, _ = folders
    if shape == "dangling":
        (inside / "interactions_b.csv").symlink_to(inside / "gone.csv")
    else:
        (inside / "interactions_b.csv").symlink_to(inside / "interactions_c.csv")
        (inside / "interactions_c.csv").symlink_to(inside / "interactions_b.csv")
    ran = invoke(["validate", str(inside)])
    assert "interactions_" in assert_one_line_error(ran, 4, "symbolic link to nothing")


def test_a_link_inside_the_folder_is_read_under_its_name(folders: tuple[Path, Path]) -> None:
    inside, _ = folders
    (inside / "interactions_copy.csv").symlink_to("interactions_a.csv")
    result = load_exports(inside)
    assert {f.path: f.rows_read for f in result.files} == {"interactions_a.csv": 2, "interactions_copy.csv": 2}
    assert result.is_balanced
    assert {i.rule for i in result.issues} == {"duplicate_key"}  # the same rows twice: reported, not hidden


def test_an_export_folder_that_is_a_link_is_read(folders: tuple[Path, Path], tmp_path: Path) -> None:
    inside, _ = folders
    link = tmp_path / "linked-2026-10"
    link.symlink_to(inside, target_is_directory=True)
    result = load_exports(link)
    assert [(f.path, f.rows_read, f.rows_used) for f in result.files] == [("interactions_a.csv", 2, 2)]
    assert os.path.islink(link)
