"""Composites of functional.py: gradient checks (through the primitives they are written with),
forward values against NumPy and closed forms, and stability."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import axon
from axon import Tensor
from axon.engine import functional as F

from .strategies import FAST, away_from, away_from_zero, axes, distinct, seeds, shapes, uniform

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _np_erf(x):
    return np.vectorize(math.erf, otypes=[float])(x)


# ---- reductions -------------------------------------------------------------------------------
REDUCTIONS = {
    "mean": (F.mean, np.mean, uniform),
    "var": (F.var, np.var, uniform),
    "std": (F.std, np.std, uniform),
    "min": (F.min, np.min, distinct),
}


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
@FAST
@given(data=st.data(), shape=shapes, keepdims=st.booleans(), seed=seeds)
def test_reduction_composites_gradcheck_over_axes(name, data, shape, keepdims, seed):
    ours, reference, make = REDUCTIONS[name]
    axis = data.draw(axes(len(shape)), label="axis")
    x = make(seed, shape)
    expected = reference(x, axis=axis, keepdims=keepdims)
    if name == "std" and np.min(expected) < 0.05:  # sqrt's kink at var = 0 (one entry per group)
        return
    y = ours(Tensor(x), axis=axis, keepdims=keepdims)
    assert y.shape == np.shape(expected)
    np.testing.assert_allclose(y.numpy(), expected, rtol=1e-10, atol=1e-12)
    assert axon.gradcheck(lambda x: ours(x, axis=axis, keepdims=keepdims), x)


def test_mean_and_var_accept_axis_as_list():
    x = uniform(0, (2, 3, 4))
    np.testing.assert_allclose(F.mean(Tensor(x), axis=[0, 2]).numpy(), x.mean(axis=(0, 2)))
    np.testing.assert_allclose(F.var(Tensor(x), axis=[0, -1]).numpy(), x.var(axis=(0, 2)))


def test_tensor_methods_mean_var_min():
    x = uniform(1, (3, 4))
    t = Tensor(x)
    np.testing.assert_allclose(t.mean(axis=0).numpy(), x.mean(axis=0))
    np.testing.assert_allclose(t.var(axis=1, keepdims=True).numpy(), x.var(axis=1, keepdims=True))
    np.testing.assert_allclose(t.min().numpy(), x.min())


def test_min_with_ties_shares_gradient():
    x = Tensor(np.array([2.0, -1.0, -1.0]), requires_grad=True)
    F.min(x).backward()
    np.testing.assert_allclose(x.grad, [0.0, 0.5, 0.5])


def test_mean_gradient_is_one_over_n():
    x = Tensor(np.zeros((2, 5)), requires_grad=True)
    F.mean(x, axis=1).sum().backward()
    np.testing.assert_allclose(x.grad, np.full((2, 5), 0.2))


# ---- shape composites -------------------------------------------------------------------------
@FAST
@given(data=st.data(), shape=shapes, seed=seeds)
def test_stack_gradcheck(data, shape, seed):
    axis = data.draw(st.integers(-len(shape) - 1, len(shape)), label="axis")
    inputs = [uniform(seed + k, shape) for k in range(3)]
    y = F.stack([Tensor(x) for x in inputs], axis=axis)
    np.testing.assert_array_equal(y.numpy(), np.stack(inputs, axis=axis))
    assert axon.gradcheck(lambda a, b, c: F.stack([a, b, c], axis=axis), *inputs)


@FAST
@given(data=st.data(), shape=shapes, seed=seeds)
def test_expand_dims_gradcheck(data, shape, seed):
    axis = data.draw(st.integers(-len(shape) - 1, len(shape)), label="axis")
    x = uniform(seed, shape)
    assert F.expand_dims(Tensor(x), axis).shape == np.expand_dims(x, axis).shape
    assert axon.gradcheck(lambda x: F.expand_dims(x, axis), x)


@pytest.mark.parametrize("shape, axis", [((1, 3, 1), None), ((1, 3, 1), 0), ((1, 3, 1), -1),
                                         ((2, 1), 1), ((1,), None)])
def test_squeeze_gradcheck(shape, axis):
    x = uniform(0, shape)
    assert F.squeeze(Tensor(x), axis).shape == np.squeeze(x, axis).shape
    assert axon.gradcheck(lambda x: F.squeeze(x, axis), x)


def test_squeeze_of_non_unit_axis_is_an_error():
    with pytest.raises(ValueError, match="size 1"):
        F.squeeze(Tensor(np.zeros((2, 3))), 1)


# ---- elementwise composites -------------------------------------------------------------------
def _np_elu(x, alpha=1.0):
    return np.where(x > 0, x, alpha * (np.exp(np.minimum(x, 0)) - 1))


def _np_gelu_tanh(x):
    return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))


# name -> (function, NumPy reference, input generator)
ACTIVATIONS = {
    "square": (F.square, np.square, uniform),
    "leaky_relu": (F.leaky_relu, lambda x: np.where(x > 0, x, 0.2 * x), away_from_zero),
    "leaky_relu_0.01": (lambda x: F.leaky_relu(x, negative_slope=0.01),
                        lambda x: np.where(x > 0, x, 0.01 * x), away_from_zero),
    "elu": (F.elu, _np_elu, away_from_zero),
    "elu_alpha_0.5": (lambda x: F.elu(x, alpha=0.5), lambda x: _np_elu(x, 0.5), away_from_zero),
    "selu": (F.selu, lambda x: SELU_SCALE * _np_elu(x, SELU_ALPHA), away_from_zero),
    "gelu": (F.gelu, lambda x: 0.5 * x * (1 + _np_erf(x / math.sqrt(2))), uniform),
    "gelu_approximate": (lambda x: F.gelu(x, approximate=True), _np_gelu_tanh, uniform),
    "silu": (F.silu, lambda x: x / (1 + np.exp(-x)), uniform),
    "swish": (F.swish, lambda x: x / (1 + np.exp(-x)), uniform),
    "softsign": (F.softsign, lambda x: x / (1 + np.abs(x)), away_from_zero),
    "hard_sigmoid": (F.hard_sigmoid, lambda x: np.clip(x / 6 + 0.5, 0, 1),
                     lambda seed, shape: away_from(seed, shape, (-3.0, 3.0), low=-5.0, high=5.0)),
    "linear": (F.linear, lambda x: x, uniform),
}


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@FAST
@given(shape=shapes, seed=seeds)
def test_activation_composites_gradcheck_and_forward(name, shape, seed):
    fn, reference, make = ACTIVATIONS[name]
    x = make(seed, shape)
    y = fn(Tensor(x))
    assert y.shape == x.shape
    np.testing.assert_allclose(y.numpy(), reference(x), rtol=1e-12, atol=1e-14)
    if name == "linear":  # the identity returns its input: differentiate it inside a product
        assert axon.gradcheck(lambda x: fn(x) * 3.0, x)
    else:
        assert axon.gradcheck(fn, x)


def test_linear_returns_its_input():
    x = Tensor([1.0, 2.0])
    assert F.linear(x) is x


def test_selu_constants():
    assert F._SELU_ALPHA == pytest.approx(SELU_ALPHA, rel=1e-15)
    assert F._SELU_SCALE == pytest.approx(SELU_SCALE, rel=1e-15)
    # selu(x) -> -scale * alpha as x -> -inf; selu(1) = scale.
    y = F.selu(Tensor(np.array([-100.0, 1.0]))).numpy()
    np.testing.assert_allclose(y, [-SELU_SCALE * SELU_ALPHA, SELU_SCALE], rtol=1e-12)


@given(x=st.floats(-6.0, 6.0))
@FAST
def test_gelu_matches_erf_closed_form(x):
    expected = 0.5 * x * (1 + math.erf(x / math.sqrt(2)))
    assert F.gelu(Tensor(np.array(x))).item() == pytest.approx(expected, rel=1e-12, abs=1e-15)


@given(x=st.floats(-6.0, 6.0))
@FAST
def test_gelu_approximation_is_close_to_exact(x):
    exact = F.gelu(Tensor(np.array(x))).item()
    approximate = F.gelu(Tensor(np.array(x)), approximate=True).item()
    assert approximate == pytest.approx(exact, abs=1e-3)


@given(x=st.floats(-10.0, 10.0))
@FAST
def test_hard_sigmoid_closed_form(x):
    expected = min(max(x / 6 + 0.5, 0.0), 1.0)
    assert F.hard_sigmoid(Tensor(np.array(x))).item() == pytest.approx(expected, abs=1e-15)


def test_hard_sigmoid_gradient_is_one_sixth_inside_zero_outside():
    x = Tensor(np.array([-4.0, -1.0, 0.0, 2.0, 4.0]), requires_grad=True)
    F.hard_sigmoid(x).sum().backward()
    np.testing.assert_allclose(x.grad, [0.0, 1 / 6, 1 / 6, 1 / 6, 0.0])


def test_leaky_relu_gradient_at_zero_is_the_slope():
    x = Tensor(np.array([-1.0, 0.0, 1.0]), requires_grad=True)
    F.leaky_relu(x, negative_slope=0.1).sum().backward()
    np.testing.assert_allclose(x.grad, [0.1, 0.1, 1.0])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", ["elu", "selu"])
def test_elu_family_of_huge_values_has_no_nan_gradient(name, dtype):
    fn = {"elu": F.elu, "selu": F.selu}[name]
    x = Tensor(np.array([-1e4, -50.0, 0.5, 100.0, 1e4, 3e38], dtype=dtype), requires_grad=True)
    with np.errstate(over="raise", invalid="raise"):
        y = fn(x)
        y.sum().backward()
    assert np.all(np.isfinite(y.numpy()[:-1]))
    assert not np.any(np.isnan(x.grad)), x.grad
    scale = SELU_SCALE if name == "selu" else 1.0
    np.testing.assert_allclose(x.grad[2:], np.full(4, scale), rtol=1e-6)


def test_silu_gradient_closed_form():
    x = Tensor(np.array([-2.0, 0.0, 3.0]), requires_grad=True)
    F.silu(x).sum().backward()
    s = 1 / (1 + np.exp(-x.numpy()))
    np.testing.assert_allclose(x.grad, s + x.numpy() * s * (1 - s), rtol=1e-12)


def test_softsign_gradient_closed_form():
    x = Tensor(np.array([-2.0, 0.5, 3.0]), requires_grad=True)
    F.softsign(x).sum().backward()
    np.testing.assert_allclose(x.grad, 1 / (1 + np.abs(x.numpy())) ** 2, rtol=1e-12)


# ---- where through functional -----------------------------------------------------------------
@pytest.mark.parametrize("condition", [
    [[True, False, True]],
    np.array([[True], [False]]),
    Tensor(np.array([True, False, False])),
    np.array([[1, 0, 2], [0, 0, 1]]),  # non-boolean conditions are cast to bool
])
def test_where_via_functional_gradcheck(condition):
    a, b = uniform(0, (2, 3)), uniform(1, (3,))
    expected = np.where(np.asarray(getattr(condition, "data", condition)).astype(bool), a, b)
    np.testing.assert_array_equal(F.where(condition, Tensor(a), Tensor(b)).numpy(), expected)
    assert axon.gradcheck(lambda a, b: F.where(condition, a, b), a, b)


def test_where_with_python_scalar_branch_keeps_dtype():
    x = Tensor(np.array([1.0, -2.0], dtype=np.float32), requires_grad=True)
    y = F.where(x.data > 0, x, 0.0)
    assert y.dtype == np.float32
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, 0.0])
