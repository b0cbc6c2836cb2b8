"""Nadam: hand-computed steps in Keras's momentum-cache form, the cache shared by all weights,
Keras's defaults, bad arguments, config. Trajectories: test_optimizer_trajectories.py.

Keras's Nadam, ``mu_t = b1 (1 - 0.5 * 0.96**t)``, ``P_t = mu_1 ... mu_t``:
    m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g**2
    m_hat = mu_{t+1} m / (1 - P_t mu_{t+1}) + (1 - mu_t) g / (1 - P_t);  v_hat = v / (1 - b2**t)
    w <- w - eta m_hat / (sqrt(v_hat) + eps)
"""
from __future__ import annotations

import math

import numpy
import pytest
from numpy.testing import assert_allclose

import axon
from axon.optimizers import Nadam


def mu(t, b1=0.9):
    return b1 * (1 - 0.5 * 0.96**t)


def test_two_steps_by_hand():
    eta, b1, b2, eps = 0.1, 0.9, 0.999, 1e-7
    w = axon.Variable(numpy.array([0.0]), dtype="float64")
    opt = Nadam(learning_rate=eta)
    opt.apply([numpy.array([1.0])], [w])
    m, v, p = 0.1, 0.001, mu(1)
    m_hat = mu(2) * m / (1 - p * mu(2)) + (1 - mu(1)) * 1.0 / (1 - p)
    w1 = -eta * m_hat / (math.sqrt(v / (1 - b2)) + eps)
    assert_allclose(w.numpy(), [w1], rtol=1e-13)
    opt.apply([numpy.array([-2.0])], [w])
    m, v, p = b1 * m + 0.1 * -2.0, b2 * v + 0.001 * 4.0, mu(1) * mu(2)
    m_hat = mu(3) * m / (1 - p * mu(3)) + (1 - mu(2)) * -2.0 / (1 - p)
    w2 = w1 - eta * m_hat / (math.sqrt(v / (1 - b2**2)) + eps)
    assert_allclose(w.numpy(), [w2], rtol=1e-13)


def test_momentum_cache_advances_once_per_step_for_all_weights():
    # Two weights updated in one step must see the same P_t as one weight alone.
    together = [axon.Variable(numpy.array([0.0]), dtype="float64") for _ in range(3)]
    alone = axon.Variable(numpy.array([0.0]), dtype="float64")
    opt_together, opt_alone = Nadam(learning_rate=0.1), Nadam(learning_rate=0.1)
    for g in (1.0, -2.0, 0.5):
        opt_together.apply([numpy.array([g])] * 3, together)
        opt_alone.apply([numpy.array([g])], [alone])
    for variable in together:
        assert_allclose(variable.numpy(), alone.numpy(), rtol=1e-15)
    assert opt_together._cache == opt_alone._cache == (3, pytest.approx(mu(1) * mu(2) * mu(3)))


def test_momentum_cache_recomputed_when_iterations_jump():
    opt = Nadam()
    opt.iterations = 4   # e.g. restored state: P_5 is rebuilt from scratch
    w = axon.Variable(numpy.array([0.0]), dtype="float64")
    opt.apply([numpy.array([1.0])], [w])
    assert opt._cache[0] == 5
    assert opt._cache[1] == pytest.approx(math.prod(mu(i) for i in range(1, 6)), rel=1e-15)


def test_defaults_are_keras_defaults():
    opt = Nadam()
    assert (opt.learning_rate, opt.beta_1, opt.beta_2, opt.epsilon) == (0.001, 0.9, 0.999, 1e-7)


@pytest.mark.parametrize(("arg", "value"), [("beta_1", 1.0), ("beta_2", 1.5), ("epsilon", -1.0)])
def test_bad_arguments(arg, value):
    with pytest.raises(ValueError, match=f"Nadam expects {arg}.*Received: {arg}={value}"):
        Nadam(**{arg: value})


def test_config_round_trip():
    opt = Nadam(learning_rate=0.002, beta_1=0.8, epsilon=1e-6, global_clipnorm=1.0)
    config = opt.get_config()
    assert (config["beta_1"], config["epsilon"], config["global_clipnorm"]) == (0.8, 1e-6, 1.0)
    assert Nadam.from_config(config).get_config() == config
