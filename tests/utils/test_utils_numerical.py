"""Tests of axon.utils.normalize (as keras.utils.normalize)."""
from __future__ import annotations

import math

import numpy
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from axon.utils import normalize

X = numpy.random.default_rng(0).normal(size=(4, 5, 3))


def _norm(x, axis, order):
    if math.isinf(order):
        return numpy.abs(x).max(axis=axis, keepdims=True)
    return (numpy.abs(x) ** order).sum(axis=axis, keepdims=True) ** (1 / order)


@pytest.mark.parametrize("order", [1, 2, 3, math.inf])
@pytest.mark.parametrize("axis", [-1, 0, 1, (0, 2)])
def test_unit_norm_along_axis(order, axis):
    out = normalize(X, axis=axis, order=order)
    assert out.shape == X.shape and out.dtype == numpy.float64
    assert_allclose(_norm(out, axis, order), 1.0, rtol=1e-12)
    assert_allclose(out * _norm(X, axis, order), X, rtol=1e-12)  # a positive rescaling of X
    if not isinstance(axis, tuple):
        assert_allclose(_norm(X, axis, order),
                        numpy.linalg.norm(X, ord=order, axis=axis, keepdims=True), rtol=1e-12)


def test_keras_values_and_zero_rows():
    # Keras 3.15: keras.utils.normalize(numpy.array([[3., 4.], [0, 0]])) and order=1.
    assert_allclose(normalize(numpy.array([[3.0, 4.0], [0.0, 0.0]])), [[0.6, 0.8], [0.0, 0.0]])
    assert_allclose(normalize(numpy.array([[3.0, 4.0], [1.0, 2.0]]), order=1),
                    [[0.42857143, 0.57142857], [0.33333333, 0.66666667]], rtol=1e-7)


def test_axis_none_normalises_the_flat_array():
    out = normalize(X, axis=None)
    assert_allclose(numpy.sqrt((out**2).sum()), 1.0)
    assert_array_equal(normalize(numpy.zeros((2, 2)), axis=None), numpy.zeros((2, 2)))


def test_dtypes():
    assert normalize(numpy.ones((2, 3), dtype=numpy.float32)).dtype == numpy.float32
    ints = normalize([[3, 4]])
    assert ints.dtype == numpy.float64
    assert_allclose(ints, [[0.6, 0.8]])


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"order": 0.5}, "Received: order=0.5"),
    ({"order": "l2"}, "Received: order='l2'"),
    ({"axis": 3}, "Received: axis=3"),
])
def test_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        normalize(X, **kwargs)


def test_non_numeric_input():
    with pytest.raises(ValueError, match="numeric array"):
        normalize([["a", "b"]])
