"""Adagrad: hand-computed steps, Keras's defaults, bad arguments, config.

Keras's Adagrad: ``a <- a + g**2`` (``a`` from ``initial_accumulator_value``),
``w <- w - eta g / sqrt(a + epsilon)``. Trajectories: test_optimizer_trajectories.py.
"""
from __future__ import annotations

import math

import numpy
import pytest
from numpy.testing import assert_allclose

import axon
from axon.optimizers import Adagrad


def test_two_steps_by_hand():
    eta, a0, eps = 0.1, 0.1, 1e-7
    w = axon.Variable(numpy.array([1.0, -1.0]), dtype="float64")
    opt = Adagrad(learning_rate=eta)
    opt.apply([numpy.array([2.0, 0.0])], [w])
    a1 = numpy.array([a0 + 4.0, a0])
    w1 = numpy.array([1.0 - eta * 2.0 / math.sqrt(a1[0] + eps), -1.0])
    assert_allclose(w.numpy(), w1, rtol=1e-15)
    opt.apply([numpy.array([-1.0, 3.0])], [w])
    a2 = a1 + numpy.array([1.0, 9.0])
    assert_allclose(opt.slots(w)["accumulator"], a2, rtol=1e-15)
    assert_allclose(w.numpy(), w1 - eta * numpy.array([-1.0, 3.0]) / numpy.sqrt(a2 + eps), rtol=1e-14)


def test_accumulator_starts_at_initial_value():
    w = axon.Variable(numpy.zeros(3), dtype="float64")
    assert_allclose(Adagrad(initial_accumulator_value=0.25).slots(w)["accumulator"], [0.25] * 3)


def test_defaults_are_keras_defaults():
    opt = Adagrad()
    assert (opt.learning_rate, opt.initial_accumulator_value, opt.epsilon) == (0.001, 0.1, 1e-7)
    assert opt.name == "adagrad"


@pytest.mark.parametrize(("arg", "value"), [("initial_accumulator_value", -0.1), ("epsilon", -1e-7),
                                            ("learning_rate", -0.01), ("epsilon", "small")])
def test_bad_arguments(arg, value):
    with pytest.raises(ValueError, match=f"Adagrad expects .*{arg}.*Received: {arg}={value!r}"):
        Adagrad(**{arg: value})


def test_config_round_trip():
    opt = Adagrad(learning_rate=0.01, initial_accumulator_value=0.5, epsilon=1e-5, clipvalue=1.0)
    config = opt.get_config()
    assert config["initial_accumulator_value"] == 0.5 and config["epsilon"] == 1e-5
    assert Adagrad.from_config(config).get_config() == config
