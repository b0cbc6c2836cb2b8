"""Pooling primitives (MaxPool, AvgPool): values and gradients against explicit-loop float64
references over drawn pool/stride/padding/layout combinations, float64 gradient checks, the tie
rule, accumulation over overlapping windows, and the argument errors."""
from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import axon
from axon import Tensor
from axon.engine import functional as F

from ..strategies import FAST, seeds

POOLS = {"max": F.max_pool, "avg": F.avg_pool}


def _geometry(n, k, s, padding):
    """Output count and leading pad of one axis, written out independently of the library."""
    if padding == "valid":
        return (n - k) // s + 1, 0
    out = math.ceil(n / s)
    return out, max((out - 1) * s + k - n, 0) // 2


def reference_pool(x, kind, pool, strides, padding, channels_last=True):
    """Explicit loops over samples, channels and output positions; each window keeps only its
    real (unpadded) entries. Returns the output and the gradient map ``dy[o] -> dx`` for a
    given cotangent via :func:`reference_grad`."""
    if not channels_last:
        x = np.moveaxis(x, 1, -1)
    spatial = x.shape[1:-1]
    geometry = [_geometry(n, k, s, padding) for n, k, s in zip(spatial, pool, strides)]
    out_shape = tuple(o for o, _ in geometry)
    y = np.zeros((x.shape[0],) + out_shape + (x.shape[-1],))
    chosen = {}
    for b in range(x.shape[0]):
        for c in range(x.shape[-1]):
            for o in itertools.product(*(range(n) for n in out_shape)):
                starts = [oi * s - before for oi, s, (_, before) in zip(o, strides, geometry)]
                cells = [p for p in itertools.product(*(range(st_, st_ + k)
                                                        for st_, k in zip(starts, pool)))
                         if all(0 <= pi < n for pi, n in zip(p, spatial))]
                values = [x[(b, *p, c)] for p in cells]
                if kind == "max":
                    first = int(np.argmax(values))  # the first maximum in row-major order
                    y[(b, *o, c)] = values[first]
                    chosen[(b, *o, c)] = [(cells[first], 1.0)]
                else:
                    y[(b, *o, c)] = sum(values) / len(values)
                    chosen[(b, *o, c)] = [(p, 1.0 / len(cells)) for p in cells]
    return (y if channels_last else np.moveaxis(y, -1, 1)), chosen, x.shape


def reference_grad(g, chosen, x_shape, channels_last=True):
    """``dL/dx`` by explicit accumulation of each output's share (overlaps add up)."""
    if not channels_last:
        g = np.moveaxis(g, 1, -1)
    dx = np.zeros(x_shape)
    for (b, *o, c), shares in chosen.items():
        for p, weight in shares:
            dx[(b, *p, c)] += weight * g[(b, *o, c)]
    return dx if channels_last else np.moveaxis(dx, -1, 1)


@st.composite
def pool_cases(draw):
    """A small input shape with pool/strides/padding/layout that fit it."""
    spatial = draw(st.sampled_from([1, 2]))
    padding = draw(st.sampled_from(["valid", "same"]))
    pool = tuple(draw(st.integers(1, 3)) for _ in range(spatial))
    strides = tuple(draw(st.integers(1, 3)) for _ in range(spatial))
    sizes = tuple(draw(st.integers(k if padding == "valid" else 1, 6)) for k in pool)
    channels_last = draw(st.booleans())
    batch, channels = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    shape = (batch, *sizes, channels) if channels_last else (batch, channels, *sizes)
    return shape, pool, strides, padding, channels_last


def _distinct(seed, shape):
    """Distinct values (no ties), spaced 0.1 apart so finite differences never reorder them."""
    rng = np.random.default_rng(seed)
    return (rng.permutation(math.prod(shape)) * 0.1 - 1.0).reshape(shape)


@pytest.mark.parametrize("kind", sorted(POOLS))
@FAST
@given(case=pool_cases(), seed=seeds)
def test_pool_matches_loop_reference_and_gradchecks(kind, case, seed):
    shape, pool, strides, padding, channels_last = case
    data_format = "channels_last" if channels_last else "channels_first"
    x = _distinct(seed, shape)

    def fn(x):
        return POOLS[kind](x, pool, strides, padding, data_format)

    expected, chosen, x_shape = reference_pool(x, kind, pool, strides, padding, channels_last)
    tensor = Tensor(x, requires_grad=True)
    y = fn(tensor)
    np.testing.assert_allclose(y.numpy(), expected, rtol=1e-12, atol=1e-12)
    g = np.random.default_rng(seed).standard_normal(expected.shape)
    (y * Tensor(g)).sum().backward()
    np.testing.assert_allclose(tensor.grad, reference_grad(g, chosen, x_shape, channels_last),
                               rtol=1e-12, atol=1e-12)
    assert axon.gradcheck(fn, x)


def test_max_pool_ties_send_the_gradient_to_the_first_maximum():
    x = Tensor(np.array([[[[1.0], [1.0]], [[1.0], [0.0]]]]), requires_grad=True)  # (1, 2, 2, 1)
    F.max_pool(x, 2).sum().backward()
    assert x.grad[0, :, :, 0].tolist() == [[1.0, 0.0], [0.0, 0.0]]


def test_max_pool_overlapping_windows_accumulate():
    x = Tensor(np.array([[[0.0], [5.0], [1.0], [2.0]]]), requires_grad=True)  # (1, 4, 1)
    y = F.max_pool(x, 3, strides=1)  # windows [0, 5, 1] and [5, 1, 2]: both pick the 5
    assert y.numpy()[0, :, 0].tolist() == [5.0, 5.0]
    y.sum().backward()
    assert x.grad[0, :, 0].tolist() == [0.0, 2.0, 0.0, 0.0]


def test_avg_pool_same_divides_by_real_entries_only():
    # Keras 3.15.1 (jax backend), AveragePooling2D(3, 2, padding="same") on 1..25 in a 5x5 image.
    x = np.arange(1.0, 26.0).reshape(1, 5, 5, 1)
    y = F.avg_pool(x, 3, 2, "same").numpy()[0, :, :, 0]
    np.testing.assert_allclose(y, [[4.0, 5.5, 7.0], [11.5, 13.0, 14.5], [19.0, 20.5, 22.0]])


def test_max_pool_same_pads_with_minus_infinity_after_first():
    # Keras 3.15.1: MaxPooling2D(2, 2, padding="same") on -25..-1 (padding must never win).
    x = -np.arange(25.0, 0.0, -1.0).reshape(1, 5, 5, 1)
    y = F.max_pool(x, 2, 2, "same").numpy()[0, :, :, 0]
    np.testing.assert_array_equal(y, [[-19.0, -17.0, -16.0], [-9.0, -7.0, -6.0],
                                      [-4.0, -2.0, -1.0]])


@pytest.mark.parametrize("kind", sorted(POOLS))
def test_pool_keeps_float32(kind):
    x = np.random.default_rng(0).standard_normal((2, 6, 6, 3)).astype(np.float32)
    tensor = Tensor(x, requires_grad=True)
    y = POOLS[kind](tensor, 3, 2, "same")
    y.sum().backward()
    assert y.dtype == np.float32 and tensor.grad.dtype == np.float32


@pytest.mark.parametrize("kwargs, message", [
    ({"pool_size": 4}, "larger than the spatial size"),
    ({"pool_size": 2, "padding": "full"}, "padding='full'"),
    ({"pool_size": 2, "data_format": "NHWC"}, "data_format='NHWC'"),
    ({"pool_size": (2, 2, 2)}, "pool_size to be a positive integer or a tuple of 2 positive "
                               "integers. Received: pool_size=(2, 2, 2)"),
    ({"pool_size": 2, "strides": 0}, "strides=0"),
    ({"pool_size": 2.0}, "pool_size to be a positive integer or a tuple of 2 positive integers. "
                         "Received: pool_size=2.0"),
    ({"pool_size": True}, "Received: pool_size=True"),
    ({"pool_size": (2, 1.5)}, "Received: pool_size=(2, 1.5)"),
    ({"pool_size": 2, "strides": "2"}, "Received: strides='2'"),
    ({"pool_size": 2, "strides": (1, False)}, "Received: strides=(1, False)"),
])
def test_pool_argument_errors(kwargs, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        F.max_pool(np.zeros((1, 3, 3, 1)), **kwargs)


@pytest.mark.parametrize("kind", sorted(POOLS))
def test_pool_promotes_integer_inputs_to_the_default_float_type(kind):
    x = np.array([[[0], [1], [2], [3], [4]]])  # int64, shape (1, 5, 1)
    y = POOLS[kind](x, 2, 2, "same")
    assert y.dtype == np.dtype(axon.backend.floatx())
    want = [0.5, 2.5, 4.0] if kind == "avg" else [1.0, 3.0, 4.0]
    np.testing.assert_array_equal(y.numpy()[0, :, 0], want)


def test_pool_rejects_inputs_without_spatial_axes():
    with pytest.raises(ValueError, match="rank >= 3"):
        F.avg_pool(np.zeros((2, 3)), 2)
