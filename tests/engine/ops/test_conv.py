"""The convolution primitives against explicit-loop float64 references, and their gradients."""
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import axon
from axon.engine import functional as F
from axon.engine.ops.conv import conv_pads, conv_transpose_geometry

RNG = np.random.default_rng(3)


def reference_conv(x, w, b, strides, dilation, pads, groups):
    """y[n, *i, o] = sum_{a, c} xpad[n, *(i*s + a*d), g*Cg + c] W[*a, c, o] + b[o], by loops."""
    nd = x.ndim - 2
    xpad = np.pad(x, [(0, 0), *pads, (0, 0)])
    kernel, cg, filters = w.shape[:-2], w.shape[-2], w.shape[-1]
    og = filters // groups
    out = [(xpad.shape[1 + i] - (kernel[i] - 1) * dilation[i] - 1) // strides[i] + 1
           for i in range(nd)]
    y = np.zeros((x.shape[0], *out, filters))
    for n, pos, o in itertools.product(range(x.shape[0]), itertools.product(*map(range, out)),
                                       range(filters)):
        total = 0.0 if b is None else b[o]
        for a in itertools.product(*map(range, kernel)):
            at = tuple(pos[i] * strides[i] + a[i] * dilation[i] for i in range(nd))
            for c in range(cg):
                total += xpad[(n, *at, (o // og) * cg + c)] * w[(*a, c, o)]
        y[(n, *pos, o)] = total
    return y


def reference_conv_transpose(x, w, strides, dilation, starts, out):
    """Scatter every input pixel through the kernel into the full frame, then crop (by loops)."""
    nd = x.ndim - 2
    kernel = w.shape[:-2]
    full = [(x.shape[1 + i] - 1) * strides[i] + (kernel[i] - 1) * dilation[i] + 1 for i in range(nd)]
    frame = np.zeros((x.shape[0], *[max(f, s + o) for f, s, o in zip(full, starts, out)], w.shape[-2]))
    for n, pos in itertools.product(range(x.shape[0]), itertools.product(*map(range, x.shape[1:-1]))):
        for a in itertools.product(*map(range, kernel)):
            at = tuple(pos[i] * strides[i] + a[i] * dilation[i] for i in range(nd))
            frame[(n, *at)] += w[a] @ x[(n, *pos)]
    return frame[(slice(None), *(slice(s, s + o) for s, o in zip(starts, out)))]


geometry = st.fixed_dictionaries({
    "nd": st.sampled_from([1, 2]), "groups": st.sampled_from([1, 2]),
    "kernel": st.integers(1, 3), "stride": st.integers(1, 3), "dilation": st.integers(1, 2),
    "size": st.integers(5, 8), "padding": st.sampled_from(["valid", "same", "causal"]),
})


@settings(max_examples=12, deadline=None)
@given(geometry)
def test_conv_matches_loops_and_gradchecks(g):
    nd, groups = g["nd"], g["groups"]
    padding = "same" if g["padding"] == "causal" and nd == 2 else g["padding"]
    size = (g["size"], g["size"] - 1)[:nd]
    kernel = (g["kernel"], max(1, g["kernel"] - 1))[:nd]
    x = RNG.normal(size=(2, *size, 2 * groups))
    w = RNG.normal(size=(*kernel, 2, 3 * groups))
    b = RNG.normal(size=3 * groups)
    kwargs = dict(strides=g["stride"], padding=padding, dilation_rate=g["dilation"], groups=groups)
    y = F.conv(x, w, b, **kwargs).numpy()
    pads = [conv_pads(n, k, g["stride"], g["dilation"], padding) for n, k in zip(size, kernel)]
    expected = reference_conv(x, w, b, (g["stride"],) * nd, (g["dilation"],) * nd, pads, groups)
    np.testing.assert_allclose(y, expected, atol=1e-10)
    assert axon.gradcheck(lambda x, w, b: F.conv(x, w, b, **kwargs), x, w, b)


@settings(max_examples=10, deadline=None)
@given(geometry, st.booleans())
def test_conv_transpose_matches_loops_and_gradchecks(g, explicit_output_padding):
    nd, stride, dilation = g["nd"], g["stride"], g["dilation"]
    padding = "valid" if g["padding"] == "causal" else g["padding"]
    size = (g["size"] - 2, g["size"] - 3)[:nd]
    kernel = (g["kernel"], g["kernel"] + 1)[:nd]
    extra = stride - 1 if explicit_output_padding else None
    x = RNG.normal(size=(2, *size, 2))
    w = RNG.normal(size=(*kernel, 3, 2))
    b = RNG.normal(size=3)
    kwargs = dict(strides=stride, padding=padding, output_padding=extra, dilation_rate=dilation)
    y = F.conv_transpose(x, w, b, **kwargs).numpy()
    geo = [conv_transpose_geometry(n, k, stride, dilation, padding, extra) for n, k in zip(size, kernel)]
    expected = reference_conv_transpose(x, w, (stride,) * nd, (dilation,) * nd,
                                        [p0 for _, p0 in geo], [o for o, _ in geo]) + b
    np.testing.assert_allclose(y, expected, atol=1e-10)
    assert axon.gradcheck(lambda x, w, b: F.conv_transpose(x, w, b, **kwargs), x, w, b)


def test_conv_transpose_is_the_adjoint_of_conv():
    """<conv(x, W), z> == <x, conv_transpose(z, W)>: the same kernel array serves both (its
    Conv layout (k, k, in, out) is the transposed layout (k, k, filters, in) of the adjoint)."""
    x, w = RNG.normal(size=(2, 7, 6, 3)), RNG.normal(size=(3, 3, 3, 4))
    y = F.conv(x, w, strides=2).numpy()
    z = RNG.normal(size=y.shape)
    back = F.conv_transpose(z, w, strides=2, output_padding=(0, 1)).numpy()
    assert back.shape == x.shape
    np.testing.assert_allclose(np.sum(y * z), np.sum(x * back), rtol=1e-10)


def test_channels_first_equals_transposed_channels_last():
    x, w = RNG.normal(size=(2, 3, 6, 5)), RNG.normal(size=(2, 2, 3, 4))
    first = F.conv(x, w, padding="same", data_format="channels_first").numpy()
    last = F.conv(np.moveaxis(x, 1, -1), w, padding="same").numpy()
    np.testing.assert_allclose(first, np.moveaxis(last, -1, 1), atol=1e-12)


def test_float32_stays_float32_and_grads_only_where_asked():
    x = axon.Tensor(RNG.normal(size=(4, 9, 9, 2)).astype(np.float32))
    w = axon.Tensor(RNG.normal(size=(3, 3, 2, 5)).astype(np.float32), requires_grad=True)
    y = F.conv(x, w, strides=2)
    assert y.dtype == np.float32
    F.sum(y * y).backward()
    assert x.grad is None and w.grad.dtype == np.float32 and w.grad.shape == (3, 3, 2, 5)


def test_bad_arguments_raise_clear_errors():
    x, w = np.zeros((1, 4, 4, 2)), np.zeros((5, 5, 2, 3))
    with pytest.raises(ValueError, match=r"kernel \(5, 5\).*larger.*\(4, 4\).*'valid'"):
        F.conv(x, w)
    with pytest.raises(ValueError, match="divisible by groups"):
        F.conv(x, np.zeros((1, 1, 2, 3)), groups=2)
    with pytest.raises(ValueError, match="padding"):
        F.conv(x, np.zeros((1, 1, 2, 3)), padding="full")
    with pytest.raises(ValueError, match="strides"):
        F.conv(x, np.zeros((1, 1, 2, 3)), strides=0)
    with pytest.raises(ValueError, match="rank >= 3"):
        F.conv(np.zeros((4, 2)), w)


@pytest.mark.parametrize("channels", [3, 16])
def test_a_retained_graph_gives_the_same_gradients_twice(channels):
    """backward may reuse its saved im2col buffer only when the graph is not kept."""
    rng = np.random.default_rng(0)
    x = axon.Tensor(rng.normal(size=(2, 6, 6, channels)), requires_grad=True)
    w = axon.Tensor(rng.normal(size=(3, 3, channels, 4)), requires_grad=True)
    y = F.sum(F.conv(x, w, padding="same"))
    first = axon.engine.tensor.grad(y, [x, w], retain_graph=True)
    second = axon.engine.tensor.grad(y, [x, w], retain_graph=True)
    third = axon.engine.tensor.grad(y, [x, w])
    for a, b, c in zip(first, second, third):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(a, c)


@pytest.mark.parametrize("kernel_grad, bias_grad", [(True, True), (True, False), (False, True)])
def test_the_bias_folded_into_the_product_gives_each_gradient_asked(kernel_grad, bias_grad):
    """With a bias and one group, Conv multiplies [P 1] by [W; b]: its output and gradients must
    match the loop reference and the bias-free (unfolded) product whichever of the kernel and
    the bias want a gradient, also when the one-column-wider im2col buffer is reused for dL/dP."""
    rng = np.random.default_rng(1)
    x0, w0, b0 = rng.normal(size=(2, 6, 6, 3)), rng.normal(size=(3, 3, 3, 4)), rng.normal(size=4)
    x = axon.Tensor(x0, requires_grad=True)
    w, b = axon.Tensor(w0, requires_grad=kernel_grad), axon.Tensor(b0, requires_grad=bias_grad)
    y = F.conv(x, w, b, padding="same")
    np.testing.assert_allclose(y.numpy(), reference_conv(x0, w0, b0, (1, 1), (1, 1),
                                                         [(1, 1), (1, 1)], 1), atol=1e-12)
    g = rng.normal(size=y.shape)
    F.sum(y * axon.Tensor(g)).backward()
    x_ref, w_ref = axon.Tensor(x0, requires_grad=True), axon.Tensor(w0, requires_grad=True)
    F.sum(F.conv(x_ref, w_ref, padding="same") * axon.Tensor(g)).backward()   # no bias: unfolded
    assert (w.grad is not None) == kernel_grad and (b.grad is not None) == bias_grad
    np.testing.assert_allclose(x.grad, x_ref.grad, atol=1e-12)
    if kernel_grad:
        np.testing.assert_allclose(w.grad, w_ref.grad, atol=1e-12)
    if bias_grad:
        np.testing.assert_allclose(b.grad, g.sum(axis=(0, 1, 2)), atol=1e-12)
