"""Tests of axon.activations: every name in ALL against a NumPy reference, exact values at the
kinks, stability at extreme inputs, float64 gradient checks, and lookup."""
from __future__ import annotations

import math

import numpy
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import axon
from axon import activations

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
_erf = numpy.vectorize(math.erf)


def np_sigmoid(x):
    return 1.0 / (1.0 + numpy.exp(-x))


def np_log_softmax(x):
    m = x.max(axis=-1, keepdims=True)
    return x - m - numpy.log(numpy.exp(x - m).sum(axis=-1, keepdims=True))


REFERENCES = {
    "linear": lambda x: x,
    "step": lambda x: (x > 0).astype(x.dtype),
    "heaviside": lambda x: (x > 0).astype(x.dtype),
    "sigmoid": np_sigmoid,
    "tanh": numpy.tanh,
    "relu": lambda x: numpy.maximum(x, 0.0),
    "leaky_relu": lambda x: numpy.where(x > 0, x, 0.2 * x),  # Keras's default slope 0.2
    "elu": lambda x: numpy.where(x > 0, x, numpy.expm1(numpy.minimum(x, 0))),
    "selu": lambda x: SELU_SCALE * numpy.where(x > 0, x, SELU_ALPHA * numpy.expm1(numpy.minimum(x, 0))),
    "gelu": lambda x: 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0))),  # exact, Keras's default
    "silu": lambda x: x * np_sigmoid(x),
    "swish": lambda x: x * np_sigmoid(x),
    "softplus": lambda x: numpy.log1p(numpy.exp(x)),
    "softsign": lambda x: x / (1.0 + numpy.abs(x)),
    "hard_sigmoid": lambda x: numpy.clip(x / 6.0 + 0.5, 0.0, 1.0),
    "softmax": lambda x: numpy.exp(np_log_softmax(x)),
    "log_softmax": np_log_softmax,
    "exponential": numpy.exp,
}

X = numpy.array([[-5.0, -2.5, -1.0, -0.3],
                 [0.0, 0.3, 1.0, 2.5],
                 [5.0, -4.0, 3.0, -3.0]])


def test_every_activation_has_a_reference():
    assert set(activations.ALL) == set(REFERENCES)


@pytest.mark.parametrize("name", sorted(activations.ALL))
def test_forward_matches_numpy(name):
    y = activations.get(name)(axon.Tensor(X))
    assert y.shape == X.shape
    assert y.dtype == numpy.float64
    assert_allclose(y.numpy(), REFERENCES[name](X), rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("name", sorted(activations.ALL))
def test_float32_stays_float32(name):
    y = activations.get(name)(axon.Tensor(X.astype(numpy.float32)))
    assert y.dtype == numpy.float32
    assert_allclose(y.numpy(), REFERENCES[name](X), rtol=2e-6, atol=1e-6)


def test_softmax_rows_sum_to_one():
    y = activations.get("softmax")(axon.Tensor(X)).numpy()
    assert numpy.all(y > 0)
    assert_allclose(y.sum(axis=-1), numpy.ones(3), rtol=1e-15)


def test_exact_values_at_kinks():
    zero = axon.Tensor(numpy.array([0.0]))
    for name in ("relu", "leaky_relu", "elu", "selu", "step", "softsign", "linear", "gelu", "silu"):
        assert activations.get(name)(zero).numpy()[0] == 0.0, name
    hard = activations.get("hard_sigmoid")(axon.Tensor(numpy.array([-3.0, 0.0, 3.0]))).numpy()
    assert_array_equal(hard, [0.0, 0.5, 1.0])
    assert activations.get("sigmoid")(zero).numpy()[0] == 0.5
    assert activations.get("softplus")(zero).numpy()[0] == math.log(2.0)


def test_relu_gradient_at_zero_is_zero():
    x = axon.Tensor(numpy.array([-1.0, 0.0, 1.0]), requires_grad=True)
    activations.get("relu")(x).sum().backward()
    assert_array_equal(x.grad, [0.0, 0.0, 1.0])


def test_extreme_inputs_stay_finite():
    x = numpy.array([[-1000.0, 0.0, 1000.0]])
    for name in ("sigmoid", "tanh", "softplus", "softsign", "elu", "selu", "gelu", "silu",
                 "softmax", "log_softmax", "hard_sigmoid"):
        t = axon.Tensor(x, requires_grad=True)
        y = activations.get(name)(t)
        assert numpy.all(numpy.isfinite(y.numpy())), name
        y.sum().backward()
        assert numpy.all(numpy.isfinite(t.grad)), name
    assert_allclose(activations.get("softplus")(axon.Tensor(x)).numpy(), [[0.0, math.log(2), 1000.0]])
    assert_allclose(activations.get("softmax")(axon.Tensor(x)).numpy(), [[0.0, 0.0, 1.0]])


# Points away from every kink (0 for relu-like, +-3 for hard_sigmoid).
X_SMOOTH = numpy.array([[-2.7, -1.1, -0.4, 0.35], [0.9, 1.7, 2.6, -3.6], [3.4, -0.05, 0.07, 4.2]])


@pytest.mark.parametrize("name", sorted(activations.ALL))
def test_gradcheck(name):
    assert axon.gradcheck(activations.get(name), X_SMOOTH)


# ---- lookup -------------------------------------------------------------------------------------
def test_none_is_linear():
    fn = activations.get(None)
    assert fn is activations.linear
    assert_array_equal(fn(axon.Tensor(X)).numpy(), X)


def test_callable_passes_through():
    def double(x):
        return x * 2

    assert activations.get(double) is double


def test_names_are_case_insensitive():
    assert activations.get("ReLU") is activations.relu
    assert activations.get("Softmax") is activations.softmax


def test_unknown_activation_name_lists_known_names():
    with pytest.raises(ValueError, match="Unknown activation: 'rellu'") as info:
        activations.get("rellu")
    for name in activations.ALL:
        assert name in str(info.value)


def test_uninterpretable_activation_identifier():
    with pytest.raises(ValueError, match="Could not interpret activation identifier: 3"):
        activations.get(3)


@pytest.mark.parametrize("name", ["relu", "softmax", "gelu", "hard_sigmoid", "linear"])
def test_serialize_round_trip(name):
    assert activations.get(activations.serialize(activations.get(name))) is activations.get(name)
