"""Lion: hand-computed steps, Keras's defaults (beta_1 0.9, beta_2 0.99), bad arguments, config.

Keras's Lion: ``w <- w - eta sign(b1 m + (1 - b1) g)``, then ``m <- b2 m + (1 - b2) g``.
Trajectories: test_optimizer_trajectories.py.
"""
from __future__ import annotations

import numpy
import pytest
from numpy.testing import assert_allclose

import axon
from axon.optimizers import Lion


def test_two_steps_by_hand():
    eta = 0.1
    w = axon.Variable(numpy.array([0.0, 0.0, 0.0]), dtype="float64")
    opt = Lion(learning_rate=eta)
    opt.apply([numpy.array([5.0, -0.01, 0.0])], [w])       # sign(0.1 g): every entry moves eta
    assert_allclose(w.numpy(), [-0.1, 0.1, 0.0], rtol=0, atol=1e-15)
    m1 = 0.01 * numpy.array([5.0, -0.01, 0.0])
    assert_allclose(opt.slots(w)["momentum"], m1, rtol=1e-15)
    # c = 0.9 m + 0.1 g: first entry 0.045 - 0.1 < 0 (the gradient wins), second -0.00009 + 0.1 > 0.
    g2 = numpy.array([-1.0, 1.0, 0.0])
    opt.apply([g2], [w])
    c = 0.9 * m1 + 0.1 * g2
    assert_allclose(w.numpy(), [-0.1, 0.1, 0.0] - eta * numpy.sign(c), rtol=0, atol=1e-15)
    assert_allclose(opt.slots(w)["momentum"], 0.99 * m1 + 0.01 * g2, rtol=1e-15)


def test_momentum_can_outvote_the_gradient():
    # A large past gradient keeps the direction although the new gradient has the opposite sign.
    w = axon.Variable(numpy.array([0.0]), dtype="float64")
    opt = Lion(learning_rate=1.0, beta_1=0.99, beta_2=0.99)
    opt.apply([numpy.array([100.0])], [w])
    opt.apply([numpy.array([-1.0])], [w])       # c = 0.99 * 1 + 0.01 * -1 > 0
    assert_allclose(w.numpy(), [-2.0], rtol=0)


def test_defaults_are_keras_defaults():
    opt = Lion()
    assert (opt.learning_rate, opt.beta_1, opt.beta_2) == (0.001, 0.9, 0.99)


@pytest.mark.parametrize(("arg", "value"), [("beta_1", 0.0), ("beta_1", 1.5), ("beta_2", -0.1)])
def test_bad_arguments(arg, value):
    with pytest.raises(ValueError, match=f"Lion expects {arg}.*Received: {arg}={value}"):
        Lion(**{arg: value})


def test_beta_1_of_one_is_allowed_as_in_keras():
    assert Lion(beta_1=1.0).beta_1 == 1.0


def test_config_round_trip():
    opt = Lion(learning_rate=0.0003, beta_1=0.95, beta_2=0.98, weight_decay=0.1)
    config = opt.get_config()
    assert (config["beta_1"], config["beta_2"], config["weight_decay"]) == (0.95, 0.98, 0.1)
    assert Lion.from_config(config).get_config() == config
