"""The TF.js graph loader and executor: weights manifest decoding, pruning, output names, errors, threads."""
import json

import numpy as np
import pytest
import torch

from tools.tfjs import TfjsGraph, TfjsGraphError, UnknownOpError, read_weights


def _model(tmp_path, nodes, weights):
    """Write model.json + one .bin shard; weights: [(entry dict, raw bytes)]."""
    (tmp_path / "m.bin").write_bytes(b"".join(raw for _, raw in weights))
    spec = {"format": "graph-model", "modelTopology": {"node": nodes},
            "weightsManifest": [{"paths": ["m.bin"], "weights": [e for e, _ in weights]}]}
    path = tmp_path / "m.json"
    path.write_text(json.dumps(spec))
    return path


def test_manifest_dtypes_and_quantization(tmp_path):
    f32 = np.array([1.5, -2.0], np.float32)
    f16 = np.array([[0.25, 3.0]], np.float16)
    i32 = np.array([1, 80, -1], np.int32)
    q8 = np.array([0, 2, 255], np.uint8)
    weights = [({"name": "a", "shape": [2], "dtype": "float32"}, f32.tobytes()),
               ({"name": "b", "shape": [1, 2], "dtype": "float32",
                 "quantization": {"dtype": "float16", "original_dtype": "float32"}}, f16.tobytes()),
               ({"name": "c", "shape": [3], "dtype": "int32"}, i32.tobytes()),
               ({"name": "e", "shape": [0, 1], "dtype": "int32"}, b""),
               ({"name": "d", "shape": [3], "dtype": "float32",
                 "quantization": {"dtype": "uint8", "scale": 0.5, "min": -1.0}}, q8.tobytes())]
    (tmp_path / "w.bin").write_bytes(b"".join(r for _, r in weights))
    got = read_weights([{"paths": ["w.bin"], "weights": [e for e, _ in weights]}], tmp_path)
    assert got["a"].tolist() == [1.5, -2.0] and got["b"].dtype == torch.float32
    assert got["b"].tolist() == [[0.25, 3.0]]
    assert got["c"].dtype == torch.int64 and got["c"].tolist() == [1, 80, -1]
    assert tuple(got["e"].shape) == (0, 1)
    assert got["d"].tolist() == [-1.0, 0.0, 126.5]


def test_load_run_prunes_and_reads_second_outputs(tmp_path):
    nodes = [{"name": "x", "op": "Placeholder"}, {"name": "k", "op": "Const"}, {"name": "two", "op": "Const"},
             {"name": "top", "op": "TopKV2", "input": ["x", "k"]},
             {"name": "double", "op": "Mul", "input": ["top:1", "two"]},
             {"name": "unused", "op": "NoSuchOp", "input": ["x", "^top"]}]
    weights = [({"name": "k", "shape": [], "dtype": "int32"}, np.int32(2).tobytes()),
               ({"name": "two", "shape": [], "dtype": "int32"}, np.int32(2).tobytes())]
    g = TfjsGraph.load(_model(tmp_path, nodes, weights))
    assert g.inputs == ["x"]
    values, doubled = g.run({"x:0": np.array([[0.1, 0.9, 0.5]])}, ["top:0", "double"], threads=1)
    assert doubled.tolist() == [[2, 4]] and values.is_inference()
    with pytest.raises(UnknownOpError, match="NoSuchOp"):
        g.run({"x": np.zeros((1, 3))}, ["unused"])
    with pytest.raises(TfjsGraphError, match="no value fed"):
        g.run({}, ["top"])
    with pytest.raises(TfjsGraphError, match="no node"):
        g.run({"x": np.zeros((1, 3))}, ["missing"])


def test_threads_are_restored():
    before = torch.get_num_threads()
    g = TfjsGraph([{"name": "x", "op": "Placeholder"}, {"name": "y", "op": "Relu", "input": ["x"]}], {})
    g.run({"x": np.ones(3)}, ["y"], threads=1)
    assert torch.get_num_threads() == before


def test_bad_model_json(tmp_path):
    (tmp_path / "bad.json").write_text("{}")
    with pytest.raises(TfjsGraphError, match="not a TF.js graph model"):
        TfjsGraph.load(tmp_path / "bad.json")
    nodes = [{"name": "w", "op": "Const"}]
    path = _model(tmp_path, nodes, [({"name": "w", "shape": [4], "dtype": "float32"}, b"\0" * 8)])
    with pytest.raises(ValueError, match="past the end"):
        TfjsGraph.load(path)
