"""Convolution layers: loop references, Keras golden outputs, gradchecks, shapes, weights, errors."""
import itertools
import json
import pathlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from layer_testing import layer_gradcheck, run_layer_test

from axon.layers import convolutional as C

RNG = np.random.default_rng(11)
GOLDEN = json.loads((pathlib.Path(__file__).parent / "conv_keras_golden.json").read_text())


def loop_conv(x, w, b, stride, dilation, padding, groups=1):
    """Explicit-loop float64 conv, channels-last, Keras's padding (extra on the bottom/right)."""
    nd, kernel = x.ndim - 2, w.shape[:-2]
    pads = []
    for n, k in zip(x.shape[1:-1], kernel):
        dk = (k - 1) * dilation + 1
        total = max((-(-n // stride) - 1) * stride + dk - n, 0) if padding == "same" else 0
        pads.append((dk - 1, 0) if padding == "causal" else (total // 2, total - total // 2))
    xp = np.pad(x, [(0, 0), *pads, (0, 0)])
    out = [(xp.shape[1 + i] - (kernel[i] - 1) * dilation - 1) // stride + 1 for i in range(nd)]
    cg, filters = w.shape[-2], w.shape[-1]
    y = np.zeros((x.shape[0], *out, filters))
    for n, pos, o in itertools.product(range(len(x)), itertools.product(*map(range, out)),
                                       range(filters)):
        for a in itertools.product(*map(range, kernel)):
            at = tuple(p * stride + q * dilation for p, q in zip(pos, a))
            group = o // (filters // groups)
            y[(n, *pos, o)] += xp[(n, *at)][group * cg:(group + 1) * cg] @ w[(*a, slice(None), o)]
    return y + (0 if b is None else b)


def loop_depthwise(x, w, stride, dilation, padding):
    channels, mult = w.shape[-2:]
    out = [loop_conv(x[..., c:c + 1], w[..., c:c + 1, :], None, stride, dilation, padding)
           for c in range(channels)]
    return np.concatenate(out, axis=-1)  # channel c*m + k, as Keras orders them


def loop_conv_transpose(x, w, b, stride, padding, output_padding):
    """Scatter each input pixel into the full output, then crop by Keras's output size rule."""
    kernel = w.shape[:-2]
    full = np.zeros((len(x), *[(n - 1) * stride + k + stride for n, k in zip(x.shape[1:-1], kernel)],
                     w.shape[-2]))
    for n, pos in itertools.product(range(len(x)), itertools.product(*map(range, x.shape[1:-1]))):
        for a in itertools.product(*map(range, kernel)):
            full[(n, *(p * stride + q for p, q in zip(pos, a)))] += w[a] @ x[(n, *pos)]
    crops = []
    for n, k in zip(x.shape[1:-1], kernel):
        if padding == "valid":
            length = n * stride + max(k - stride, 0) if output_padding is None \
                else (n - 1) * stride + k + output_padding
            crops.append(slice(0, length))
        else:
            length = n * stride if output_padding is None else (n - 1) * stride + k % 2 + output_padding
            pad_len = stride + k - 2 if output_padding is None else k + k % 2 - 2 + output_padding
            start = k - 1 - min(pad_len // 2 + pad_len % 2, k - 1)
            crops.append(slice(start, start + length))
    return full[(slice(None), *crops)] + b


def _built(cls, x, **kwargs):
    layer = cls(dtype="float64", **kwargs)
    layer(x)
    layer.set_weights([RNG.normal(size=w.shape) for w in layer.get_weights()])
    return layer


@pytest.mark.parametrize("rank,padding,stride,dilation,groups", [
    (1, "valid", 2, 1, 1), (1, "causal", 1, 2, 2), (1, "same", 3, 1, 1),
    (2, "valid", 1, 2, 2), (2, "same", 2, 1, 1), (2, "same", 1, 1, 2)])
def test_conv_matches_loop_reference(rank, padding, stride, dilation, groups):
    x = RNG.normal(size=(2, *(7, 6)[:rank], 4))
    cls = C.Conv1D if rank == 1 else C.Conv2D
    layer = _built(cls, x, filters=6, kernel_size=3, strides=stride, padding=padding,
                   dilation_rate=dilation, groups=groups)
    expected = loop_conv(x, layer.kernel.numpy(), layer.bias.numpy(), stride, dilation, padding, groups)
    np.testing.assert_allclose(layer(x).numpy(), expected, atol=1e-6)


@pytest.mark.parametrize("padding,stride", [("valid", 1), ("same", 2)])
def test_depthwise_and_separable_match_loop_reference(padding, stride):
    x = RNG.normal(size=(2, 6, 7, 3))
    depthwise = _built(C.DepthwiseConv2D, x, kernel_size=(3, 2), strides=stride, padding=padding,
                       depth_multiplier=2)
    z = loop_depthwise(x, depthwise.kernel.numpy(), stride, 1, padding) + depthwise.bias.numpy()
    np.testing.assert_allclose(depthwise(x).numpy(), z, atol=1e-6)
    separable = _built(C.SeparableConv2D, x, filters=4, kernel_size=3, strides=stride,
                       padding=padding, depth_multiplier=2)
    dw, pw, b = separable.get_weights()
    expected = loop_depthwise(x, dw, stride, 1, padding) @ pw[0, 0] + b
    np.testing.assert_allclose(separable(x).numpy(), expected, atol=1e-6)


@pytest.mark.parametrize("padding,stride,output_padding", [
    ("valid", 2, None), ("same", 2, None), ("same", 3, 1), ("valid", 1, None), ("valid", 3, 2)])
def test_conv_transpose_matches_loop_reference(padding, stride, output_padding):
    x = RNG.normal(size=(2, 4, 3, 3))
    layer = _built(C.Conv2DTranspose, x, filters=2, kernel_size=(3, 2), strides=stride,
                   padding=padding, output_padding=output_padding)
    expected = loop_conv_transpose(x, layer.kernel.numpy(), layer.bias.numpy(), stride, padding,
                                   output_padding)
    np.testing.assert_allclose(layer(x).numpy(), expected, atol=1e-6)


@pytest.mark.parametrize("case", GOLDEN["cases"], ids=lambda c: c["layer"])
def test_matches_keras_golden_outputs(case):
    """Outputs recorded from Keras 3.15.1 (JAX backend, float64) with the same weights."""
    layer = getattr(C, case["layer"])(dtype="float64", **case["kwargs"])
    x = np.array(case["x"])
    layer(x)
    layer.set_weights([np.array(w) for w in case["weights"]])
    np.testing.assert_allclose(layer(x).numpy(), np.array(case["y"]), atol=1e-9)


LAYERS = {
    "Conv1D": (C.Conv1D, {"filters": 4}, 1), "Conv2D": (C.Conv2D, {"filters": 4}, 2),
    "DepthwiseConv2D": (C.DepthwiseConv2D, {"depth_multiplier": 2}, 2),
    "SeparableConv2D": (C.SeparableConv2D, {"filters": 3, "depth_multiplier": 2}, 2),
    "Conv2DTranspose": (C.Conv2DTranspose, {"filters": 3}, 2),
    "Conv1DTranspose": (C.Conv1DTranspose, {"filters": 3}, 1),
    "DepthwiseConv1D": (C.DepthwiseConv1D, {}, 1), "SeparableConv1D": (C.SeparableConv1D, {"filters": 3}, 1),
}
combos = st.fixed_dictionaries({
    "kernel": st.integers(1, 3), "stride": st.integers(1, 2), "dilated": st.booleans(),
    "padding": st.sampled_from(["valid", "same"]), "size": st.integers(6, 7),
    "channels_first": st.booleans(), "groups": st.sampled_from([1, 2]),
})


def _layer_and_input(name, c):
    cls, extra, rank = LAYERS[name]
    kwargs = dict(extra, kernel_size=c["kernel"], strides=c["stride"], padding=c["padding"],
                  dilation_rate=2 if c["dilated"] and c["stride"] == 1 else 1,
                  data_format="channels_first" if c["channels_first"] else "channels_last")
    if name in ("Conv1D", "Conv2D"):
        kwargs["groups"] = c["groups"]
    shape = (2, *(c["size"], c["size"] - 1)[:rank])
    shape = (shape[0], 4, *shape[1:]) if c["channels_first"] else (*shape, 4)
    return cls(dtype="float64", **kwargs), RNG.normal(size=shape)


@pytest.mark.parametrize("name", sorted(LAYERS))
@settings(max_examples=4, deadline=None)
@given(c=combos)
def test_gradcheck_wrt_input_and_weights(name, c):
    layer, x = _layer_and_input(name, c)
    layer(x)
    assert layer_gradcheck(layer, x)


@pytest.mark.parametrize("name", sorted(LAYERS))
@settings(max_examples=8, deadline=None)
@given(c=combos)
def test_compute_output_shape_matches_the_output(name, c):
    layer, x = _layer_and_input(name, c)
    y = layer(x)
    assert layer.compute_output_shape((None, *x.shape[1:])) == (None, *y.shape[1:])


@pytest.mark.parametrize("cls,kwargs,weights", [
    (C.Conv2D, {"filters": 6, "kernel_size": (3, 2), "groups": 2},
     [("kernel", (3, 2, 2, 6), True), ("bias", (6,), True)]),
    (C.Conv1D, {"filters": 5, "kernel_size": 2, "use_bias": False}, [("kernel", (2, 4, 5), True)]),
    (C.DepthwiseConv2D, {"kernel_size": 3, "depth_multiplier": 3},
     [("kernel", (3, 3, 4, 3), True), ("bias", (12,), True)]),
    (C.SeparableConv2D, {"filters": 5, "kernel_size": 3, "depth_multiplier": 2},
     [("depthwise_kernel", (3, 3, 4, 2), True), ("pointwise_kernel", (1, 1, 8, 5), True),
      ("bias", (5,), True)]),
    (C.Conv2DTranspose, {"filters": 5, "kernel_size": 3, "strides": 2},
     [("kernel", (3, 3, 5, 4), True), ("bias", (5,), True)]),
])
def test_weights_names_shapes_order_and_config_round_trip(cls, kwargs, weights):
    rank = 1 if cls is C.Conv1D else 2
    x = RNG.normal(size=(2, *(6, 7)[:rank], 4)).astype("float32")
    layer = cls(**kwargs)
    expected = tuple(layer.compute_output_shape((2, *x.shape[1:])))
    run_layer_test(cls, kwargs, x, expected, weights)


def test_defaults_follow_keras():
    layer = C.Conv2D(8, 3)
    assert (layer.strides, layer.padding, layer.data_format, layer.dilation_rate, layer.groups,
            layer.use_bias) == ((1, 1), "valid", "channels_last", (1, 1), 1, True)
    assert C.Conv2DTranspose(2, 3).output_padding is None
    assert C.Conv2D(8, 3, padding="SAME").padding == "same"


def test_spatial_size_may_vary_but_channels_may_not():
    layer = C.Conv2D(2, 3)
    assert layer(np.zeros((1, 5, 5, 3))).shape == (1, 3, 3, 2)
    assert layer(np.zeros((2, 8, 6, 3))).shape == (2, 6, 4, 2)
    with pytest.raises(ValueError, match=r"expected 3 channels \(as built\), got 4"):
        layer(np.zeros((1, 5, 5, 4)))


@pytest.mark.parametrize("make,x,message", [
    (lambda: C.Conv2D(2, 3), np.zeros((4, 5)),
     r"'conv2d.*\(Conv2D\) expects an input of rank 4 \(batch, height, width, channels\)\. "
     r"Received: shape=\(None, 5\)"),
    (lambda: C.Conv2D(2, 3, data_format="channels_first"), np.zeros((4, 5, 5)),
     r"rank 4 \(batch, channels, height, width\)"),
    (lambda: C.Conv2D(2, 5, dilation_rate=2), np.zeros((1, 8, 8, 1)),
     r"kernel \(5, 5\) \(dilation_rate=\(2, 2\)\) is larger than the input's spatial size "
     r"\(8, 8\) with padding='valid'"),
    (lambda: C.Conv1D(2, 4), np.zeros((1, 3, 2)), r"kernel \(4,\).*\(3,\)"),
    (lambda: C.Conv2D(4, 1, groups=2), np.zeros((1, 3, 3, 3)), "divisible by groups=2.*3 channels"),
])
def test_input_errors_name_the_layer_and_the_shape(make, x, message):
    with pytest.raises(ValueError, match=message):
        make()(x)


@pytest.mark.parametrize("make,message", [
    (lambda: C.Conv2D(5, 3, groups=2), "filters to be divisible by groups"),
    (lambda: C.Conv2D(-3, 3), r"Received: filters=-3"),
    (lambda: C.Conv2D(4, (3,)), r"kernel_size.*Received: kernel_size=\(3,\)"),
    (lambda: C.Conv2D(4, 3, strides=0), "Received: strides=0"),
    (lambda: C.Conv2D(4, 3, padding="full"), "Received: padding='full'"),
    (lambda: C.Conv2D(4, 3, padding="causal"), "Received: padding='causal'"),
    (lambda: C.Conv2D(4, 3, data_format="nhwc"), "Received: data_format='nhwc'"),
    (lambda: C.Conv2D(4, 3, strides=2, dilation_rate=2), "strides > 1 together with dilation"),
    (lambda: C.Conv2DTranspose(4, 3, strides=2, output_padding=2), "output_padding to be smaller"),
    (lambda: C.DepthwiseConv2D(3, depth_multiplier=0), "Received: depth_multiplier=0"),
])
def test_bad_configuration_raises(make, message):
    with pytest.raises(ValueError, match=message):
        make()
