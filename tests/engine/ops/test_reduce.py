"""Reductions (Sum, Max): gradient checks over drawn shapes and axis/keepdims variants, ties, and
forward values against NumPy."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import axon
from axon import Tensor
from axon.engine import functional as F

from ..strategies import FAST, axes, distinct, seeds, shapes, uniform

AXIS_CASES = [None, 0, 1, -1, (0, 2), (-1, 0), (0, 1, 2), ()]


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", AXIS_CASES)
def test_sum_gradcheck_axis_variants(axis, keepdims):
    assert axon.gradcheck(lambda x: F.sum(x, axis=axis, keepdims=keepdims), uniform(0, (2, 3, 4)))


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", AXIS_CASES)
def test_max_gradcheck_axis_variants(axis, keepdims):
    assert axon.gradcheck(lambda x: F.max(x, axis=axis, keepdims=keepdims), distinct(0, (2, 3, 4)))


@FAST
@given(data=st.data(), shape=shapes, keepdims=st.booleans(), seed=seeds)
def test_sum_gradcheck_on_drawn_shapes_and_axes(data, shape, keepdims, seed):
    axis = data.draw(axes(len(shape)), label="axis")
    assert axon.gradcheck(lambda x: F.sum(x, axis=axis, keepdims=keepdims), uniform(seed, shape))


@FAST
@given(data=st.data(), shape=shapes, keepdims=st.booleans(), seed=seeds)
def test_max_gradcheck_on_drawn_shapes_and_axes(data, shape, keepdims, seed):
    axis = data.draw(axes(len(shape)), label="axis")
    assert axon.gradcheck(lambda x: F.max(x, axis=axis, keepdims=keepdims), distinct(seed, shape))


@FAST
@given(data=st.data(), shape=shapes, keepdims=st.booleans(), seed=seeds)
def test_reductions_forward_match_numpy(data, shape, keepdims, seed):
    axis = data.draw(axes(len(shape)), label="axis")
    x = uniform(seed, shape)
    for ours, reference in ((F.sum, np.sum), (F.max, np.max)):
        y = ours(Tensor(x), axis=axis, keepdims=keepdims)
        expected = reference(x, axis=axis, keepdims=keepdims)
        assert y.shape == np.shape(expected)
        np.testing.assert_allclose(y.numpy(), expected, rtol=1e-12)


def test_sum_accepts_axis_as_list():
    x = Tensor(uniform(1, (2, 3, 4)), requires_grad=True)
    y = F.sum(x, axis=[0, 2])
    np.testing.assert_allclose(y.numpy(), x.numpy().sum(axis=(0, 2)))
    y.backward(np.ones(3))
    np.testing.assert_array_equal(x.grad, np.ones((2, 3, 4)))


def test_max_with_ties_shares_gradient_equally():
    x = Tensor(np.array([1.0, 3.0, 3.0, 2.0, 3.0]), requires_grad=True)
    F.max(x).backward()
    np.testing.assert_allclose(x.grad, [0.0, 1 / 3, 1 / 3, 0.0, 1 / 3])


def test_max_with_ties_along_an_axis_shares_per_row():
    x = Tensor(np.array([[1.0, 1.0, 0.0], [2.0, 5.0, 5.0], [7.0, 7.0, 7.0]]), requires_grad=True)
    F.max(x, axis=1).backward(np.array([1.0, 2.0, 3.0]))
    np.testing.assert_allclose(x.grad, [[0.5, 0.5, 0.0], [0.0, 1.0, 1.0], [1.0, 1.0, 1.0]])


def test_max_with_keepdims_and_negative_axis_routes_gradient_to_argmax():
    x = Tensor(np.array([[1.0, 4.0], [3.0, 2.0]]), requires_grad=True)
    F.max(x, axis=-2, keepdims=True).backward(np.array([[10.0, 20.0]]))
    np.testing.assert_array_equal(x.grad, [[0.0, 20.0], [10.0, 0.0]])


def test_sum_of_scalar_tensor():
    x = Tensor(np.array(2.5), requires_grad=True)
    y = F.sum(x)
    assert y.shape == ()
    y.backward()
    assert x.grad.shape == () and x.grad == 1.0


def test_reductions_keep_float32():
    x = Tensor(np.ones((2, 3), dtype=np.float32), requires_grad=True)
    (F.sum(x, axis=0) + F.max(x, axis=1).sum()).sum().backward()
    assert x.grad.dtype == np.float32
