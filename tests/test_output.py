"""Gather first, write last: a month folder is replaced whole or not at all."""

from pathlib import Path

import pytest

from reports.output import write_month


def test_writes_every_file_and_replaces_an_earlier_run(tmp_path: Path):
    write_month({"a.txt": b"old", "stale.txt": b"x"}, tmp_path, "2026-10")
    folder = write_month({"a.txt": b"new", "sub/b.txt": b"b"}, tmp_path, "2026-10")
    assert folder == tmp_path / "2026-10"
    assert sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()) == ["a.txt", "sub/b.txt"]
    assert (folder / "a.txt").read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026-10"]  # no staging folder left behind


def test_a_failed_write_leaves_the_previous_month_untouched(tmp_path: Path):
    write_month({"a.txt": b"old"}, tmp_path, "2026-10")
    with pytest.raises(OSError):
        write_month({"a.txt": b"new", "a.txt/nested": b"cannot exist"}, tmp_path, "2026-10")
    assert (tmp_path / "2026-10" / "a.txt").read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026-10"]
