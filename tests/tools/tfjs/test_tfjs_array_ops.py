"""Elementwise and array ops of the TF.js executor against numpy (tiny inputs, no weights)."""
import numpy as np
import pytest

from tfjs_helpers import run_op

RNG = np.random.default_rng(1)


def rand(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def test_elementwise_and_activations():
    a, b = rand(2, 3), rand(3)
    assert np.allclose(run_op("Add", [a, b])[0], a + b)
    assert np.allclose(run_op("AddV2", [a, b])[0], a + b)
    assert np.allclose(run_op("Sub", [a, b])[0], a - b)
    assert np.allclose(run_op("Mul", [a], [np.float32(2.5)])[0], a * 2.5)
    assert np.allclose(run_op("Relu", [a])[0], np.maximum(a, 0))
    assert np.allclose(run_op("Relu6", [a * 10])[0], np.clip(a * 10, 0, 6))
    assert np.allclose(run_op("Sigmoid", [a])[0], 1 / (1 + np.exp(-a)), atol=1e-6)
    assert np.allclose(run_op("LeakyRelu", [a], attr={"alpha": {"f": 0.1}})[0], np.where(a > 0, a, 0.1 * a))
    assert np.array_equal(run_op("Identity", [a])[0], a)


def test_integer_ops_follow_floor_semantics():
    a, b = np.array([7, -7, 5, -5, 0]), np.array([2, 2, -3, -3, 4])
    assert run_op("FloorDiv", [a, b])[0].tolist() == np.floor_divide(a, b).tolist()
    assert run_op("FloorMod", [a, b])[0].tolist() == np.mod(a, b).tolist()
    eq = run_op("Equal", [a, np.array([7, 0, 5, 0, 0])])[0]
    assert eq.tolist() == [True, False, True, False, True]
    cast = run_op("Cast", [eq.astype(np.int64)], attr={"DstT": {"type": "DT_FLOAT"}})[0]
    assert cast.dtype == np.float32 and cast.tolist() == [1, 0, 1, 0, 1]


def test_mean_reshape_transpose_expand_concat():
    x = rand(1, 4, 5, 3)
    got = run_op("Mean", [x], [np.array([1, 2])], {"keep_dims": {"b": True}})[0]
    assert np.allclose(got, x.mean(axis=(1, 2), keepdims=True), atol=1e-6)
    assert run_op("Reshape", [x], [np.array([1, -1, 3])])[0].shape == (1, 20, 3)
    assert np.array_equal(run_op("Transpose", [x], [np.array([0, 3, 1, 2])])[0], x.transpose(0, 3, 1, 2))
    assert run_op("ExpandDims", [x[0]], [np.array(-1)])[0].shape == (4, 5, 3, 1)
    y = rand(1, 4, 5, 2)
    assert np.array_equal(run_op("ConcatV2", [x, y], [np.array(3)])[0], np.concatenate([x, y], axis=3))


def test_splitv_second_output_and_rest_size():
    x = rand(2, 124)
    first, second = run_op("SplitV", [x], [np.array([80, -1]), np.array(1)], outputs=2)
    assert np.array_equal(first, x[:, :80]) and np.array_equal(second, x[:, 80:])


def test_topk_values_and_indices():
    x = np.array([[0.1, 0.9, 0.3, 0.7]], np.float32)
    values, indices = run_op("TopKV2", [x], [np.array(2)], outputs=2)
    assert values.tolist() == [[pytest.approx(0.9), pytest.approx(0.7)]] and indices.tolist() == [[1, 3]]


def test_gather_v2():
    params, idx = rand(5, 3), np.array([[4, 0], [1, 1]])
    got = run_op("GatherV2", [params, idx], [np.array(0)], {"batch_dims": {"i": "0"}})[0]
    assert np.array_equal(got, params[idx])
    got = run_op("GatherV2", [params, np.array([2, 0])], [np.array(1)])[0]
    assert np.array_equal(got, params[:, [2, 0]])


def test_sparse_to_dense_with_empty_and_real_indices():
    empty = np.zeros((0, 1), np.int64)
    got = run_op("SparseToDense", [], [empty, np.array([3]), np.zeros(0, np.int64), np.array(0)])[0]
    assert got.tolist() == [0, 0, 0]
    got = run_op("SparseToDense", [], [np.array([[0, 1], [2, 0]]), np.array([3, 2]), np.array([5, 6]),
                                       np.array(-1)])[0]
    assert got.tolist() == [[-1, 5], [-1, -1], [6, -1]]


def strided(x, begin, end, strides, **masks):
    attr = {k: {"i": str(v)} for k, v in masks.items()}
    return run_op("StridedSlice", [x], [np.array(begin), np.array(end), np.array(strides)], attr)[0]


def test_strided_slice_masks():
    x = rand(1, 100, 6)
    # CenterNet's pattern: begin/end masks on the first two axes, one column kept as a length-1 axis
    assert np.array_equal(strided(x, [0, 0, 2], [0, 0, 3], [1, 1, 1], begin_mask=3, end_mask=3), x[:, :, 2:3])
    assert np.array_equal(strided(x, [0, 5, 0], [1, 9, 6], [1, 2, 1], shrink_axis_mask=1), x[0, 5:9:2, :])
    assert np.array_equal(strided(x, [0, -1, 0], [0, 0, 0], [1, -1, 1], begin_mask=5, end_mask=7), x[:, ::-1, :])
    assert np.array_equal(strided(x, [0, 1], [0, 4], [1, 1], ellipsis_mask=1), x[..., 1:4])
    assert np.array_equal(strided(x, [0, 0, 0], [0, 0, 2], [1, 1, 1], begin_mask=7, end_mask=3,
                                  new_axis_mask=2), x[:, None, :2])
