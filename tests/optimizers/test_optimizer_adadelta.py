"""Adadelta: hand-computed steps, Keras's defaults (learning_rate 0.001, unlike the paper's 1),
bad arguments, config. Trajectories: test_optimizer_trajectories.py.

Keras's Adadelta:
    E[g2]  <- rho E[g2] + (1 - rho) g**2
    dx      = sqrt(E[dx2] + eps) / sqrt(E[g2] + eps) g
    E[dx2] <- rho E[dx2] + (1 - rho) dx**2
    w      <- w - eta dx
"""
from __future__ import annotations

import math

import numpy
import pytest
from numpy.testing import assert_allclose

import axon
from axon.optimizers import Adadelta


def test_two_steps_by_hand():
    eta, rho, eps = 1.0, 0.9, 1e-2
    w = axon.Variable(numpy.array([0.0]), dtype="float64")
    opt = Adadelta(learning_rate=eta, rho=rho, epsilon=eps)
    opt.apply([numpy.array([2.0])], [w])
    eg2 = 0.1 * 4.0
    dx1 = math.sqrt(eps) / math.sqrt(eg2 + eps) * 2.0
    edx2 = 0.1 * dx1**2
    assert_allclose(w.numpy(), [-dx1], rtol=1e-14)
    opt.apply([numpy.array([-1.0])], [w])
    eg2 = rho * eg2 + 0.1 * 1.0
    dx2 = math.sqrt(edx2 + eps) / math.sqrt(eg2 + eps) * -1.0
    edx2 = rho * edx2 + 0.1 * dx2**2
    assert_allclose(w.numpy(), [-dx1 - dx2], rtol=1e-14)
    assert_allclose(opt.slots(w)["accumulated_grad"], [eg2], rtol=1e-14)
    assert_allclose(opt.slots(w)["accumulated_delta_var"], [edx2], rtol=1e-14)


def test_learning_rate_scales_the_paper_step():
    # The paper has eta = 1; Keras's default 0.001 moves 1000 times less on the first step.
    def first_step(**kwargs):
        w = axon.Variable(numpy.array([0.0]), dtype="float64")
        Adadelta(**kwargs).apply([numpy.array([1.0])], [w])
        return w.numpy()[0]

    assert_allclose(first_step(), 0.001 * first_step(learning_rate=1.0), rtol=1e-12)


def test_defaults_are_keras_defaults():
    opt = Adadelta()
    assert (opt.learning_rate, opt.rho, opt.epsilon) == (0.001, 0.95, 1e-7)


@pytest.mark.parametrize(("arg", "value"), [("rho", 1.0), ("rho", -0.1), ("epsilon", -1.0)])
def test_bad_arguments(arg, value):
    with pytest.raises(ValueError, match=f"Adadelta expects {arg}.*Received: {arg}={value}"):
        Adadelta(**{arg: value})


def test_config_round_trip():
    opt = Adadelta(learning_rate=1.0, rho=0.8, epsilon=1e-6)
    config = opt.get_config()
    assert (config["rho"], config["epsilon"]) == (0.8, 1e-6)
    assert Adadelta.from_config(config).get_config() == config
