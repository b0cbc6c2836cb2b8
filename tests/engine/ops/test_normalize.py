"""The fused Normalize primitive (``F.standardize``): values, gradients over axes, agreement
with the composite it replaces."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import axon
from axon import Tensor
from axon.engine import functional as F

from ..strategies import FAST, seeds
from . import assert_same_results


@pytest.mark.parametrize(("shape", "axis"), [((5, 3), 0), ((5, 3), -1), ((2, 3, 4), (0, 2)),
                                             ((2, 3, 4), (1, 2)), ((4,), 0), ((2, 3, 4), (0, 1, 2))])
def test_standardize_matches_numpy(shape, axis):
    x = np.random.default_rng(0).normal(size=shape) * 3 + 1
    y = F.standardize(x.copy(), axis=axis, epsilon=1e-3).numpy()
    expected = (x - x.mean(axis=axis, keepdims=True)) / np.sqrt(x.var(axis=axis, keepdims=True) + 1e-3)
    np.testing.assert_allclose(y, expected, rtol=1e-12, atol=1e-12)


@FAST
@given(shape=st.sampled_from([(3, 4), (2, 3, 2), (5,)]), data=st.data(), seed=seeds)
def test_standardize_gradcheck_over_axes(shape, data, seed):
    axes = data.draw(st.lists(st.integers(0, len(shape) - 1), min_size=1, max_size=len(shape),
                              unique=True))
    x = np.random.default_rng(seed).uniform(-2, 2, size=shape)
    assert axon.gradcheck(lambda t: F.standardize(t, axis=tuple(axes), epsilon=1e-2), x)


def test_standardize_gradient_equals_the_composite_gradient():
    rng = np.random.default_rng(4)
    x, g = rng.normal(size=(6, 3)), rng.normal(size=(6, 3))
    fused_x = Tensor(x, requires_grad=True)
    F.standardize(fused_x, axis=0, epsilon=0.1).backward(g)
    composite_x = Tensor(x, requires_grad=True)
    centered = composite_x - F.mean(composite_x, axis=0, keepdims=True)
    (centered / F.sqrt(F.var(composite_x, axis=0, keepdims=True) + 0.1)).backward(g)
    np.testing.assert_allclose(fused_x.grad, composite_x.grad, rtol=1e-10, atol=1e-12)


def test_standardize_keeps_float32_and_records_no_graph_without_grad():
    x = np.ones((4, 2), dtype="float32") * np.array([1.0, 3.0], dtype="float32")
    y = F.standardize(x, axis=-1, epsilon=0.0)
    assert y.dtype == np.float32 and y.creator is None
    np.testing.assert_array_equal(y.numpy(), np.tile([-1.0, 1.0], (4, 1)))


@pytest.mark.parametrize("scaled, shifted", [(True, True), (True, False), (False, True),
                                             (False, False)])
@pytest.mark.parametrize("shape, axes", [((6, 4, 4, 3), (0, 1, 2)), ((5, 3), (0,)),
                                         ((2, 5, 3), (0, 2))])
def test_batch_normalize_equals_standardize_scale_shift(scaled, shifted, shape, axes):
    rng = np.random.default_rng(7)
    stat = tuple(1 if i in axes else n for i, n in enumerate(shape))
    x0, g0, b0 = rng.normal(size=shape), rng.normal(size=stat), rng.normal(size=stat)
    upstream = rng.normal(size=shape)
    results = []
    for fused in (True, False):
        x, gamma, beta = (Tensor(a, requires_grad=True) for a in (x0, g0, b0))
        moments = []
        if fused:
            y = F.batch_normalize(x, axes, 1e-3, gamma if scaled else None,
                                  beta if shifted else None, moments=moments)
        else:
            y = F.standardize(x, axes, 1e-3, moments=moments)
            y = y * gamma if scaled else y
            y = y + beta if shifted else y
        y.backward(upstream)
        results.append((y.numpy(), x.grad, gamma.grad, beta.grad, *moments))
    assert_same_results(*results, rtol=1e-10)


def test_batch_normalize_rejects_a_scale_that_varies_along_the_reduced_axes():
    with pytest.raises(ValueError, match=r"gamma of shape \(1, 3\).*gamma.shape=\(5, 3\)"):
        F.batch_normalize(np.ones((5, 3)), 0, gamma=np.ones((5, 3)))
