"""Maths, reductions, matrix products, shape and indexing ops of the TF.js executor against numpy
(the ops MoveNet and the face models add; tiny inputs, no weights)."""
import numpy as np

from tfjs_helpers import ints, run_op, strs

RNG = np.random.default_rng(2)


def rand(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def test_unary_maths():
    a = rand(3, 4)
    pos = np.abs(a) + 0.5
    assert np.allclose(run_op("Abs", [a])[0], np.abs(a))
    assert np.allclose(run_op("Exp", [a])[0], np.exp(a), rtol=1e-5)
    assert np.allclose(run_op("Sqrt", [pos])[0], np.sqrt(pos), rtol=1e-6)
    assert np.allclose(run_op("Reciprocal", [pos])[0], 1 / pos, rtol=1e-6)
    assert np.allclose(run_op("Tanh", [a])[0], np.tanh(a), atol=1e-6)
    soft = run_op("Softmax", [a])[0]
    ref = np.exp(a - a.max(-1, keepdims=True))
    assert np.allclose(soft, ref / ref.sum(-1, keepdims=True), atol=1e-6)


def test_binary_maths_and_comparisons():
    a, b = rand(2, 3), rand(3)
    assert np.allclose(run_op("RealDiv", [a, b])[0], a / b, rtol=1e-5)
    assert np.allclose(run_op("Maximum", [a, b])[0], np.maximum(a, b))
    assert np.allclose(run_op("Minimum", [a, b])[0], np.minimum(a, b))
    assert np.allclose(run_op("SquaredDifference", [a, b])[0], (a - b) ** 2, rtol=1e-5)
    assert np.array_equal(run_op("Greater", [a, b])[0], a > b)
    assert np.array_equal(run_op("GreaterEqual", [a, a])[0], np.ones_like(a, bool))
    assert np.array_equal(run_op("Less", [a, b])[0], a < b)
    assert np.array_equal(run_op("LogicalAnd", [a > 0, b > 0])[0], (a > 0) & (b > 0))
    assert np.allclose(run_op("AddN", [a, a, 2 * a])[0], 4 * a, rtol=1e-6)
    ints_div = run_op("RealDiv", [np.array([7, 1]), np.array([2, 4])])[0]
    assert np.allclose(ints_div, [3.5, 0.25])


def test_reductions_and_argmax():
    x = rand(2, 3, 4)
    assert np.allclose(run_op("Sum", [x], [np.array([1])])[0], x.sum(1), rtol=1e-5)
    kept = run_op("Max", [x], [np.array([-1, 0])], {"keep_dims": {"b": True}})[0]
    assert np.allclose(kept, x.max(axis=(0, 2), keepdims=True))
    assert np.array_equal(run_op("Max", [x], [np.array(2)])[0], x.max(2))
    arg = run_op("ArgMax", [x], [np.array(2)])[0]
    assert arg.dtype == np.int64 and np.array_equal(arg, x.argmax(2))


def test_fused_matmul_with_bias_and_activation():
    a, w, bias = rand(2, 5), rand(5, 3), rand(3)
    got = run_op("_FusedMatMul", [a], [w, bias], {"fused_ops": strs(["BiasAdd", "Relu"])})[0]
    assert np.allclose(got, np.maximum(a @ w + bias, 0), atol=1e-5)
    wt = rand(3, 5)
    got = run_op("_FusedMatMul", [a], [wt, bias], {"fused_ops": strs(["BiasAdd"]), "transpose_b": {"b": True}})[0]
    assert np.allclose(got, a @ wt.T + bias, atol=1e-5)


def test_shape_size_fill_range():
    x = rand(2, 3, 4)
    assert run_op("Shape", [x])[0].tolist() == [2, 3, 4]
    assert int(run_op("Size", [x])[0]) == 24
    filled = run_op("Fill", [np.array([2, 2])], [np.float32(1.5)])[0]
    assert filled.shape == (2, 2) and np.all(filled == 1.5)
    assert run_op("Range", [np.array(1), np.array(9), np.array(3)])[0].tolist() == [1, 4, 7]
    assert np.allclose(run_op("Range", [np.float32(0), np.float32(1), np.float32(0.25)])[0], [0, .25, .5, .75])


def test_pack_unpack_split_squeeze_tile():
    a, b = rand(2, 3), rand(2, 3)
    assert np.array_equal(run_op("Pack", [a, b], attr={"axis": {"i": "1"}})[0], np.stack([a, b], 1))
    first, second = run_op("Unpack", [a], attr={"axis": {"i": "1"}, "num": {"i": "3"}}, outputs=2)
    assert np.array_equal(first, a[:, 0]) and np.array_equal(second, a[:, 1])
    x = rand(2, 6)
    p0, p2 = run_op("Split", [np.array(1), x], attr={"num_split": {"i": "3"}}, outputs=3)[0::2]
    assert np.array_equal(p0, x[:, :2]) and np.array_equal(p2, x[:, 4:])
    y = rand(1, 3, 1, 2)
    assert run_op("Squeeze", [y], attr={"squeeze_dims": ints([2])})[0].shape == (1, 3, 2)
    assert run_op("Squeeze", [y])[0].shape == (3, 2)
    assert np.array_equal(run_op("Tile", [a], [np.array([2, 1])])[0], np.tile(a, (2, 1)))


def test_gather_nd_and_select():
    params = rand(3, 4, 2)
    idx = np.array([[[0, 1], [2, 3]], [[1, 0], [0, 0]]])
    got = run_op("GatherNd", [params], [idx])[0]
    assert got.shape == (2, 2, 2) and np.array_equal(got[0, 1], params[2, 3]) and np.array_equal(got[1, 0], params[1, 0])
    cond = np.array([True, False])
    a, b = rand(2, 3), rand(2, 3)
    assert np.array_equal(run_op("Select", [cond, a, b])[0], np.where(cond[:, None], a, b))
    mask = a > 0
    assert np.array_equal(run_op("SelectV2", [mask, a, b])[0], np.where(mask, a, b))
