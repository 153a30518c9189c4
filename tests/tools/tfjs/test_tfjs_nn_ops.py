"""Spatial ops of the TF.js executor against hand-written numpy references (tiny random inputs, no weights)."""
import numpy as np
import pytest
import torch

from tfjs_helpers import ints, np_conv2d, np_depthwise, np_resize_axis, run_op, s, same_pads, strs
from tools.tfjs.nn_ops import same_padding

RNG = np.random.default_rng(0)


def rand(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def conv_attr(stride, padding="SAME", op_extra=None, dilation=1):
    attr = {"strides": ints([1, stride, stride, 1]), "padding": s(padding), "data_format": s("NHWC"),
            "dilations": ints([1, dilation, dilation, 1])}
    attr.update(op_extra or {})
    return attr


def test_same_padding_is_asymmetric():
    assert same_padding(4, 3, 2) == (0, 1)  # stride 2, even input: nothing before, one after
    assert same_padding(5, 3, 2) == (1, 1)
    assert same_padding(5, 3, 1) == (1, 1)
    assert same_padding(4, 1, 2) == (0, 0)
    assert same_padding(6, 4, 1) == (1, 2)


@pytest.mark.parametrize("size", [6, 7])
@pytest.mark.parametrize("stride", [1, 2])
@pytest.mark.parametrize("padding", ["SAME", "VALID"])
def test_conv2d(size, stride, padding):
    x, w = rand(1, size, size + 1, 3), rand(3, 3, 3, 4)
    (got,) = run_op("Conv2D", [x], [w], conv_attr(stride, padding))
    np.testing.assert_allclose(got, np_conv2d(x, w, stride, padding), rtol=1e-4, atol=1e-4)


def test_conv2d_dilated_and_even_kernel():
    x, w = rand(1, 9, 8, 2), rand(2, 2, 2, 3)
    (got,) = run_op("Conv2D", [x], [w], conv_attr(1, "SAME", dilation=2))
    np.testing.assert_allclose(got, np_conv2d(x, w, 1, "SAME", dilation=2), rtol=1e-4, atol=1e-4)


def test_conv_filter_fed_at_run_time_is_not_cached():
    x = rand(1, 5, 5, 2)
    w1, w2 = rand(3, 3, 2, 2), rand(3, 3, 2, 2)
    from tools.tfjs import TfjsGraph

    nodes = [{"name": "x", "op": "Placeholder"}, {"name": "w", "op": "Placeholder"},
             {"name": "y", "op": "Conv2D", "input": ["x", "w"], "attr": conv_attr(1)}]
    g = TfjsGraph(nodes, {})
    for w in (w1, w2):
        (y,) = g.run({"x": x, "w": w}, ["y"])
        np.testing.assert_allclose(y.numpy(), np_conv2d(x, w, 1, "SAME"), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("size,stride", [(6, 1), (6, 2), (7, 2)])
def test_depthwise_with_multiplier(size, stride):
    x, w = rand(1, size, size, 3), rand(3, 3, 3, 2)  # multiplier 2: output channel c * 2 + m
    (got,) = run_op("DepthwiseConv2dNative", [x], [w], conv_attr(stride))
    np.testing.assert_allclose(got, np_depthwise(x, w, stride, "SAME"), rtol=1e-4, atol=1e-4)
    assert got.shape[-1] == 6


def test_fused_conv2d_bias_relu_from_base64_attrs():
    x, w, b = rand(1, 6, 6, 3), rand(3, 3, 3, 4), rand(4)
    attr = conv_attr(2, op_extra={"fused_ops": strs(["BiasAdd", "Relu"]), "num_args": {"i": "1"}})
    (got,) = run_op("_FusedConv2D", [x], [w, b], attr)
    np.testing.assert_allclose(got, np.maximum(np_conv2d(x, w, 2, "SAME") + b, 0), rtol=1e-4, atol=1e-4)


def test_fused_depthwise_bias():
    x, w, b = rand(1, 7, 7, 2), rand(3, 3, 2, 1), rand(2)
    attr = conv_attr(1, op_extra={"fused_ops": strs(["BiasAdd"]), "num_args": {"i": "1"}})
    (got,) = run_op("FusedDepthwiseConv2dNative", [x], [w, b], attr)
    np.testing.assert_allclose(got, np_depthwise(x, w, 1, "SAME") + b, rtol=1e-4, atol=1e-4)


def test_unknown_fused_op_is_named():
    from tools.tfjs import UnknownOpError

    attr = conv_attr(1, op_extra={"fused_ops": strs(["BiasAdd", "Gelu"])})
    with pytest.raises(UnknownOpError, match="Gelu"):
        run_op("_FusedConv2D", [rand(1, 4, 4, 1)], [rand(1, 1, 1, 1), rand(1)], attr)


def np_maxpool_same(x, k, stride):
    (t, b), (l, r) = same_pads(x.shape[1], k, stride), same_pads(x.shape[2], k, stride)
    xp = np.pad(x, ((0, 0), (t, b), (l, r), (0, 0)), constant_values=-np.inf)
    oh, ow = (xp.shape[1] - k) // stride + 1, (xp.shape[2] - k) // stride + 1
    return np.stack([np.stack([xp[:, i * stride:i * stride + k, j * stride:j * stride + k].max(axis=(1, 2))
                               for j in range(ow)], 1) for i in range(oh)], 1)


@pytest.mark.parametrize("size,stride", [(6, 1), (6, 2), (7, 2)])
def test_maxpool_same_pads_with_minus_infinity(size, stride):
    x = -np.abs(rand(1, size, size, 2)) - 1.0  # all negative: zero padding would show up at the border
    attr = {"ksize": ints([1, 3, 3, 1]), "strides": ints([1, stride, stride, 1]), "padding": s("SAME")}
    (got,) = run_op("MaxPool", [x], [], attr)
    np.testing.assert_allclose(got, np_maxpool_same(x, 3, stride), rtol=1e-6)
    assert got.max() < 0


@pytest.mark.parametrize("mode", ["legacy", "half", "align"])
@pytest.mark.parametrize("in_hw,out_hw", [((3, 4), (6, 8)), ((5, 5), (3, 7))])
def test_resize_bilinear_modes(mode, in_hw, out_hw):
    x = rand(1, *in_hw, 2)
    attr = {"align_corners": {"b": mode == "align"}, "half_pixel_centers": {"b": mode == "half"}}
    (got,) = run_op("ResizeBilinear", [x], [np.array(out_hw, np.int32)], attr)
    want = np_resize_axis(np_resize_axis(x, 1, out_hw[0], mode), 2, out_hw[1], mode)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    if mode == "half":  # = torch's align_corners=False
        ref = torch.nn.functional.interpolate(torch.from_numpy(x).permute(0, 3, 1, 2), size=out_hw,
                                              mode="bilinear", align_corners=False).permute(0, 2, 3, 1)
        np.testing.assert_allclose(got, ref.numpy(), rtol=1e-5, atol=1e-5)


def test_legacy_resize_differs_from_half_pixel():
    x = rand(1, 4, 4, 1)
    size = np.array([8, 8], np.int32)
    legacy = run_op("ResizeBilinear", [x], [size], {})[0]
    half = run_op("ResizeBilinear", [x], [size], {"half_pixel_centers": {"b": True}})[0]
    np.testing.assert_allclose(legacy[0, ::2, ::2], x[0])  # legacy: even outputs sit on input pixels
    assert not np.allclose(legacy, half)


def test_pad_and_padv2_minus_infinity():
    x = rand(1, 2, 3, 2)
    pads = np.array([[0, 0], [1, 2], [0, 1], [0, 0]], np.int32)
    (got,) = run_op("Pad", [x], [pads])
    np.testing.assert_array_equal(got, np.pad(x, pads))
    (got,) = run_op("PadV2", [x], [pads, np.array(-np.inf, np.float32)])
    np.testing.assert_array_equal(got, np.pad(x, pads, constant_values=-np.inf))
