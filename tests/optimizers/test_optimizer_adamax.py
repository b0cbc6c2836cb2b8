"""Adamax: hand-computed steps, Keras's defaults, bad arguments, config.

Keras's Adamax: ``m <- b1 m + (1 - b1) g``, ``u <- max(b2 u, |g|)``,
``w <- w - eta / (1 - b1**t) m / (u + eps)``. Trajectories: test_optimizer_trajectories.py.
"""
from __future__ import annotations

import numpy
import pytest
from numpy.testing import assert_allclose

import axon
from axon.optimizers import Adamax


def test_two_steps_by_hand():
    eta, b1, b2, eps = 0.1, 0.9, 0.5, 1e-7
    w = axon.Variable(numpy.array([0.0, 0.0]), dtype="float64")
    opt = Adamax(learning_rate=eta, beta_2=b2)
    opt.apply([numpy.array([4.0, -1.0])], [w])
    m1, u1 = 0.1 * numpy.array([4.0, -1.0]), numpy.array([4.0, 1.0])
    w1 = -eta / (1 - b1) * m1 / (u1 + eps)
    assert_allclose(w.numpy(), w1, rtol=1e-14)
    opt.apply([numpy.array([1.0, -3.0])], [w])
    m2 = b1 * m1 + 0.1 * numpy.array([1.0, -3.0])
    u2 = numpy.array([2.0, 3.0])     # max(0.5 * 4, 1) and max(0.5 * 1, 3)
    assert_allclose(opt.slots(w)["norm"], u2, rtol=0)
    assert_allclose(w.numpy(), w1 - eta / (1 - b1**2) * m2 / (u2 + eps), rtol=1e-14)


def test_defaults_are_keras_defaults():
    opt = Adamax()
    assert (opt.learning_rate, opt.beta_1, opt.beta_2, opt.epsilon) == (0.001, 0.9, 0.999, 1e-7)


@pytest.mark.parametrize(("arg", "value"), [("beta_1", 1.0), ("beta_2", -0.5), ("epsilon", -1e-3)])
def test_bad_arguments(arg, value):
    with pytest.raises(ValueError, match=f"Adamax expects {arg}.*Received: {arg}={value}"):
        Adamax(**{arg: value})


def test_config_round_trip():
    opt = Adamax(learning_rate=0.002, beta_1=0.8, beta_2=0.99, epsilon=1e-6)
    config = opt.get_config()
    assert (config["beta_1"], config["beta_2"], config["epsilon"]) == (0.8, 0.99, 1e-6)
    assert Adamax.from_config(config).get_config() == config
