from pathlib import Path

import pytest

from timeline.files import write_atomically


def test_write_atomically_replaces_and_leaves_nothing_behind(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "timeline.ics"
    write_atomically(target, b"one")
    write_atomically(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in target.parent.iterdir()] == ["timeline.ics"]


def test_a_failed_write_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "timeline.json"
    write_atomically(target, b"old")
    with pytest.raises(TypeError):
        write_atomically(target, "not bytes")  # type: ignore[arg-type]
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["timeline.json"]
