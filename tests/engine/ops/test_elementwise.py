"""Elementwise primitives: gradient checks over drawn shapes and broadcasting pairs, exact values
at kinks, and forward values against NumPy."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import axon
from axon import Tensor
from axon.engine import functional as F

from ..strategies import (
    BROADCAST_PAIRS,
    FAST,
    away_from,
    away_from_zero,
    broadcast_pairs,
    broadcast_triples,
    offset_grid,
    positive,
    seeds,
    shapes,
    uniform,
)

# ---- binary ops: gradient checks --------------------------------------------------------------
# name -> (function, generator of the first input, generator of the second input)
BINARY = {
    "add": (F.add, uniform, uniform),
    "sub": (F.sub, uniform, uniform),
    "mul": (F.mul, uniform, uniform),
    "div": (F.div, uniform, lambda seed, shape: away_from_zero(seed, shape, margin=0.5)),
    "pow": (F.pow, positive, uniform),
    "maximum": (F.maximum, lambda seed, shape: offset_grid(seed, shape, 0.05),
                lambda seed, shape: offset_grid(seed, shape, 0.15)),
    "minimum": (F.minimum, lambda seed, shape: offset_grid(seed, shape, 0.05),
                lambda seed, shape: offset_grid(seed, shape, 0.15)),
}


@pytest.mark.parametrize("name", sorted(BINARY))
@pytest.mark.parametrize("shape_a, shape_b", BROADCAST_PAIRS)
def test_binary_gradcheck_on_broadcasting_pairs(name, shape_a, shape_b):
    fn, make_a, make_b = BINARY[name]
    assert axon.gradcheck(fn, make_a(1, shape_a), make_b(2, shape_b))


@pytest.mark.parametrize("name", sorted(BINARY))
@FAST
@given(pair=broadcast_pairs, seed=seeds)
def test_binary_gradcheck_on_drawn_broadcast_shapes(name, pair, seed):
    fn, make_a, make_b = BINARY[name]
    shape_a, shape_b = pair.input_shapes
    assert axon.gradcheck(fn, make_a(seed, shape_a), make_b(seed + 1, shape_b))


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_gradcheck_with_python_scalar_operand(name):
    fn, make_a, make_b = BINARY[name]
    b = float(make_b(3, ()))
    assert axon.gradcheck(lambda a: fn(a, b), make_a(4, (2, 3)))
    if name != "pow":  # a Python-number base is fine too, but keep it positive for pow
        assert axon.gradcheck(lambda a: fn(b, a), make_b(5, (2, 3)) if name == "div"
                              else make_a(5, (2, 3)))


@FAST
@given(shapes=broadcast_triples, seed=seeds)
def test_where_gradcheck_on_drawn_broadcast_shapes(shapes, seed):
    shape_c, shape_a, shape_b = shapes.input_shapes
    condition = np.random.default_rng(seed).random(shape_c) < 0.5
    assert axon.gradcheck(lambda a, b: F.where(condition, a, b),
                          uniform(seed, shape_a), uniform(seed + 1, shape_b))


# ---- unary ops: gradient checks ---------------------------------------------------------------
UNARY = {
    "neg": (F.neg, uniform),
    "exp": (F.exp, uniform),
    "log": (F.log, positive),
    "sqrt": (F.sqrt, positive),
    "abs": (F.abs, away_from_zero),
    "relu": (F.relu, away_from_zero),
    "step": (F.step, away_from_zero),
    "sigmoid": (F.sigmoid, uniform),
    "tanh": (F.tanh, uniform),
    "softplus": (F.softplus, uniform),
    "erf": (F.erf, uniform),
    "clip": (lambda x: F.clip(x, -0.5, 0.5),
             lambda seed, shape: away_from(seed, shape, (-0.5, 0.5))),
    "clip_low_only": (lambda x: F.clip(x, min_value=-0.5),
                      lambda seed, shape: away_from(seed, shape, (-0.5,))),
    "clip_high_only": (lambda x: F.clip(x, max_value=0.5),
                       lambda seed, shape: away_from(seed, shape, (0.5,))),
}


@pytest.mark.parametrize("name", sorted(UNARY))
@FAST
@given(shape=shapes, seed=seeds)
def test_unary_gradcheck_on_drawn_shapes(name, shape, seed):
    fn, make = UNARY[name]
    assert axon.gradcheck(fn, make(seed, shape))


def test_pow_gradcheck_with_integer_valued_exponent_and_negative_base():
    # d/da a**3 is defined for negative bases; the exponent gets no gradient there (a <= 0).
    a = np.array([[-1.5, -0.5, 0.7]])
    assert axon.gradcheck(lambda a: F.pow(a, 3.0), a)


def test_pow_exponent_gradient_is_zero_for_nonpositive_base():
    a = Tensor(np.array([-2.0, 0.0, 2.0]), requires_grad=True)
    b = Tensor(np.array([2.0, 2.0, 2.0]), requires_grad=True)
    F.pow(a, b).sum().backward()
    np.testing.assert_allclose(b.grad, [0.0, 0.0, 4.0 * math.log(2.0)])
    np.testing.assert_allclose(a.grad, [-4.0, 0.0, 4.0])


# ---- exact values at kinks --------------------------------------------------------------------
def _grad(fn, x):
    x = Tensor(np.asarray(x, dtype=np.float64), requires_grad=True)
    fn(x).sum().backward()
    return x.grad


def test_relu_gradient_at_zero_is_zero():
    np.testing.assert_array_equal(_grad(F.relu, [-1.0, 0.0, 2.0]), [0.0, 0.0, 1.0])


def test_step_gradient_is_zero_everywhere():
    np.testing.assert_array_equal(_grad(F.step, [-3.0, -1e-9, 0.0, 1e-9, 5.0]), np.zeros(5))


def test_step_forward_is_heaviside_with_zero_at_zero():
    y = F.step(Tensor(np.array([-1.0, 0.0, 1e-9, 4.0])))
    np.testing.assert_array_equal(y.numpy(), [0.0, 0.0, 1.0, 1.0])


def test_abs_gradient_at_zero_is_zero():
    np.testing.assert_array_equal(_grad(F.abs, [-2.0, 0.0, 3.0]), [-1.0, 0.0, 1.0])


def test_maximum_tie_splits_gradient_in_half():
    a = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    b = Tensor(np.array([1.0, 5.0, 0.0]), requires_grad=True)
    F.maximum(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad, [0.5, 0.0, 1.0])
    np.testing.assert_array_equal(b.grad, [0.5, 1.0, 0.0])


def test_minimum_tie_splits_gradient_in_half():
    a = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    b = Tensor(np.array([1.0, 5.0, 0.0]), requires_grad=True)
    F.minimum(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad, [0.5, 1.0, 0.0])
    np.testing.assert_array_equal(b.grad, [0.5, 0.0, 1.0])


def test_maximum_with_broadcast_scalar_tie_sums_halves():
    a = Tensor(np.array([0.0, 0.0, -1.0, 2.0]), requires_grad=True)
    b = Tensor(np.array(0.0), requires_grad=True)
    F.maximum(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad, [0.5, 0.5, 0.0, 1.0])
    assert b.grad.shape == ()
    assert b.grad == pytest.approx(2.0)  # 0.5 + 0.5 + 1 + 0


def test_clip_gradient_is_one_inside_and_at_bounds_zero_outside():
    np.testing.assert_array_equal(_grad(lambda x: F.clip(x, -1.0, 1.0), [-2.0, -1.0, 0.0, 1.0, 3.0]),
                                  [0.0, 1.0, 1.0, 1.0, 0.0])


def test_where_gradient_follows_the_chosen_side_and_condition_gets_none():
    condition = Tensor(np.array([True, False, True]))
    a = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    b = Tensor(np.array([4.0, 5.0, 6.0]), requires_grad=True)
    y = F.where(condition, a, b)
    np.testing.assert_array_equal(y.numpy(), [1.0, 5.0, 3.0])
    y.backward(np.array([10.0, 20.0, 30.0]))
    np.testing.assert_array_equal(a.grad, [10.0, 0.0, 30.0])
    np.testing.assert_array_equal(b.grad, [0.0, 20.0, 0.0])
    assert condition.grad is None


# ---- forward values against NumPy -------------------------------------------------------------
def _erf(x):
    return np.vectorize(math.erf)(x)


FORWARD = {
    "add": (lambda a, b: F.add(a, b), np.add),
    "sub": (lambda a, b: F.sub(a, b), np.subtract),
    "mul": (lambda a, b: F.mul(a, b), np.multiply),
    "div": (lambda a, b: F.div(a, b), np.divide),
    "pow": (lambda a, b: F.pow(F.abs(a), b), lambda a, b: np.abs(a) ** b),
    "maximum": (lambda a, b: F.maximum(a, b), np.maximum),
    "minimum": (lambda a, b: F.minimum(a, b), np.minimum),
    "neg": (lambda a, b: F.neg(a), lambda a, b: -a),
    "exp": (lambda a, b: F.exp(a), lambda a, b: np.exp(a)),
    "log": (lambda a, b: F.log(F.abs(a)), lambda a, b: np.log(np.abs(a))),
    "sqrt": (lambda a, b: F.sqrt(F.abs(a)), lambda a, b: np.sqrt(np.abs(a))),
    "abs": (lambda a, b: F.abs(a), lambda a, b: np.abs(a)),
    "relu": (lambda a, b: F.relu(a), lambda a, b: np.maximum(a, 0)),
    "step": (lambda a, b: F.step(a), lambda a, b: (a > 0).astype(float)),
    "sigmoid": (lambda a, b: F.sigmoid(a), lambda a, b: 1 / (1 + np.exp(-a))),
    "tanh": (lambda a, b: F.tanh(a), lambda a, b: np.tanh(a)),
    "softplus": (lambda a, b: F.softplus(a), lambda a, b: np.log1p(np.exp(a))),
    "erf": (lambda a, b: F.erf(a), lambda a, b: _erf(a)),
    "clip": (lambda a, b: F.clip(a, -0.5, 0.7), lambda a, b: np.clip(a, -0.5, 0.7)),
    "where": (lambda a, b: F.where(a.data > b.data, a, b), lambda a, b: np.where(a > b, a, b)),
}


@pytest.mark.parametrize("name", sorted(FORWARD))
@FAST
@given(pair=broadcast_pairs, seed=seeds)
def test_forward_matches_numpy(name, pair, seed):
    ours, reference = FORWARD[name]
    shape_a, shape_b = pair.input_shapes
    a = away_from_zero(seed, shape_a, margin=0.1, high=3.0)
    b = away_from_zero(seed + 1, shape_b, margin=0.1, high=3.0)
    y = ours(Tensor(a), Tensor(b))
    expected = reference(a, b)
    assert y.shape == np.shape(expected)
    assert y.dtype == np.float64
    np.testing.assert_allclose(y.numpy(), expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "softplus", "erf", "exp", "abs", "relu"])
def test_unary_forward_keeps_float32(name):
    fn = FORWARD[name][0]
    x = Tensor(np.linspace(-3, 3, 7, dtype=np.float32))
    assert fn(x, x).dtype == np.float32


# ---- stability --------------------------------------------------------------------------------
def test_sigmoid_of_huge_values_is_finite_with_finite_gradient():
    x = Tensor(np.array([-1000.0, -80.0, 0.0, 80.0, 1000.0], dtype=np.float32), requires_grad=True)
    y = F.sigmoid(x)
    assert np.all(np.isfinite(y.numpy()))
    np.testing.assert_allclose(y.numpy(), [0.0, 0.0, 0.5, 1.0, 1.0], atol=1e-7)
    y.sum().backward()
    assert np.all(np.isfinite(x.grad))
    np.testing.assert_allclose(x.grad, [0.0, 0.0, 0.25, 0.0, 0.0], atol=1e-7)


def test_softplus_of_huge_values_is_finite():
    x = Tensor(np.array([-1000.0, 0.0, 100.0, 1000.0], dtype=np.float32), requires_grad=True)
    y = F.softplus(x)
    np.testing.assert_allclose(y.numpy(), [0.0, math.log(2.0), 100.0, 1000.0], rtol=1e-6)
    y.sum().backward()
    np.testing.assert_allclose(x.grad, [0.0, 0.5, 1.0, 1.0], atol=1e-7)


@given(x=st.floats(-50, 50))
@FAST
def test_sigmoid_matches_logistic_formula(x):
    y = F.sigmoid(Tensor(np.array(x))).item()
    assert y == pytest.approx(1 / (1 + math.exp(-x)), rel=1e-12, abs=1e-15)
