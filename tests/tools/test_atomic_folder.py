"""atomic_folder: a finished block replaces the folder whole; a failed one leaves the old folder and no temp."""
import pytest

from tools.atomic_folder import atomic_folder


def test_replaces_whole_or_not_at_all(tmp_path):
    target = tmp_path / "ckpt"
    with atomic_folder(target) as tmp:
        (tmp / "a.txt").write_text("one")
    assert (target / "a.txt").read_text() == "one"
    with atomic_folder(target) as tmp:
        (tmp / "b.txt").write_text("two")
    assert sorted(p.name for p in target.iterdir()) == ["b.txt"]  # nothing of the old folder is left in it
    with pytest.raises(RuntimeError):
        with atomic_folder(target) as tmp:
            (tmp / "c.txt").write_text("half")
            raise RuntimeError("killed mid-write")
    assert sorted(p.name for p in target.iterdir()) == ["b.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt"]  # no temp or old folders beside it
