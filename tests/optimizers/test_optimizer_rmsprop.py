"""RMSprop: hand-computed steps and golden trajectories against Keras's equations in NumPy.

Keras's RMSprop (``keras/src/optimizers/rmsprop.py``; TF's ``ApplyRMSProp`` alike) puts epsilon
inside the square root:

    a <- rho a + (1 - rho) g**2
    c <- rho c + (1 - rho) g                      (centered only)
    d = a - c**2 + epsilon   (centered)   or   a + epsilon
    increment = eta g / sqrt(d)
    w <- w - increment                            (plain)
    u <- mu u + increment;  w <- w - u            (momentum mu > 0)
"""
from __future__ import annotations

import math

import numpy
import pytest
from numpy.testing import assert_allclose

import axon
from axon.optimizers import RMSprop

W0 = (numpy.array([[1.0, -2.0, 0.5], [3.0, 0.0, -1.5]]), numpy.array([0.25, -0.75, 2.0]))
TARGETS = (numpy.array([[0.0, 1.0, -1.0], [2.0, 2.0, 0.0]]), numpy.array([-1.0, 0.5, 1.0]))


@pytest.fixture(autouse=True)
def float64():
    previous = axon.config.floatx()
    axon.config.set_floatx("float64")
    yield
    axon.config.set_floatx(previous)


def reference_rmsprop(steps, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7,
                      centered=False):
    """Weights after each step on L = sum((w - target)**2), by Keras's equations."""
    w = [x.copy() for x in W0]
    a = [numpy.zeros_like(x) for x in W0]
    c = [numpy.zeros_like(x) for x in W0]
    u = [numpy.zeros_like(x) for x in W0]
    history = []
    for _ in range(steps):
        for i, target in enumerate(TARGETS):
            g = 2.0 * (w[i] - target)
            a[i] = rho * a[i] + (1 - rho) * g**2
            c[i] = rho * c[i] + (1 - rho) * g
            d = (a[i] - c[i] ** 2 if centered else a[i]) + epsilon
            increment = learning_rate * g / numpy.sqrt(d)
            if momentum > 0:
                u[i] = momentum * u[i] + increment
                increment = u[i]
            w[i] = w[i] - increment
        history.append([x.copy() for x in w])
    return history


def axon_trajectory(optimizer, steps):
    """The same descent with axon: autograd gradients, optimizer.apply, weights after each step."""
    w = [axon.Variable(x.copy()) for x in W0]
    history = []
    for _ in range(steps):
        loss = ((w[0] - TARGETS[0]) ** 2).sum() + ((w[1] - TARGETS[1]) ** 2).sum()
        for variable in w:
            variable.grad = None
        loss.backward()
        optimizer.apply([variable.grad for variable in w], w)
        history.append([variable.numpy().copy() for variable in w])
    return history


def test_single_step_by_hand():
    # a = 0.1 g**2, so the first step is eta g / sqrt(0.1 g**2 + eps).
    eta, eps = 0.01, 1e-7
    g = numpy.array([0.5, -2.0, 0.0])
    w = axon.Variable(numpy.ones(3))
    RMSprop(learning_rate=eta).apply([g], [w])
    assert_allclose(w.numpy(), 1.0 - eta * g / numpy.sqrt(0.1 * g**2 + eps), rtol=0, atol=1e-15)


def test_epsilon_inside_the_square_root_as_in_keras():
    # With a tiny gradient the placement of epsilon decides the step: Keras divides by
    # sqrt(0.1 g**2 + eps) = sqrt(1.01e-7); sqrt(0.1 g**2) + eps would give a step 10x larger.
    g = 1e-4
    w = axon.Variable(numpy.array([0.0]))
    RMSprop(learning_rate=1.0).apply([numpy.array([g])], [w])
    assert_allclose(w.numpy(), [-g / math.sqrt(0.1 * g * g + 1e-7)], rtol=1e-12)


def test_momentum_two_steps_by_hand():
    eta, rho, mu = 0.1, 0.9, 0.5
    w = axon.Variable(numpy.array([0.0]))
    opt = RMSprop(learning_rate=eta, rho=rho, momentum=mu, epsilon=0.0)
    opt.apply([numpy.array([1.0])], [w])
    opt.apply([numpy.array([2.0])], [w])
    a1 = 0.1
    u1 = eta * 1.0 / math.sqrt(a1)
    a2 = rho * a1 + 0.1 * 4.0
    u2 = mu * u1 + eta * 2.0 / math.sqrt(a2)
    assert_allclose(w.numpy(), [-u1 - u2], rtol=1e-14)
    assert_allclose(opt.slots(w)["momentum"], [u2], rtol=1e-14)


def test_centered_two_steps_by_hand():
    eta, rho = 0.1, 0.9
    w = axon.Variable(numpy.array([0.0]))
    opt = RMSprop(learning_rate=eta, rho=rho, centered=True, epsilon=0.0)
    opt.apply([numpy.array([1.0])], [w])
    opt.apply([numpy.array([-2.0])], [w])
    a1, c1 = 0.1, 0.1
    w1 = -eta * 1.0 / math.sqrt(a1 - c1**2)
    a2, c2 = rho * a1 + 0.1 * 4.0, rho * c1 + 0.1 * -2.0
    w2 = w1 - eta * -2.0 / math.sqrt(a2 - c2**2)
    assert_allclose(w.numpy(), [w2], rtol=1e-14)
    assert_allclose(opt.slots(w)["average_gradient"], [c2], rtol=1e-14)


# epsilon=0 isolates the moving averages, momentum and centering from epsilon's placement.
@pytest.mark.parametrize("epsilon", [0.0, 1e-7], ids=["eps0", "eps_default"])
@pytest.mark.parametrize("kwargs", [
    {"learning_rate": 0.05},
    {"learning_rate": 0.05, "rho": 0.5},
    {"learning_rate": 0.02, "momentum": 0.9},
    {"learning_rate": 0.05, "centered": True},
    {"learning_rate": 0.02, "momentum": 0.5, "centered": True},
], ids=["plain", "rho", "momentum", "centered", "momentum_centered"])
def test_golden_trajectory(kwargs, epsilon):
    expected = reference_rmsprop(6, epsilon=epsilon, **kwargs)
    got = axon_trajectory(RMSprop(epsilon=epsilon, **kwargs), 6)
    for step, (mine, ref) in enumerate(zip(got, expected)):
        for a, b in zip(mine, ref):
            assert_allclose(a, b, rtol=1e-12, atol=1e-14, err_msg=f"step {step + 1}")


def test_slots_only_for_the_features_used():
    w = axon.Variable(numpy.zeros(2))
    assert set(RMSprop().slots(w)) == {"velocity"}
    assert set(RMSprop(momentum=0.9, centered=True).slots(w)) == {
        "velocity", "momentum", "average_gradient"}


def test_update_is_in_place():
    w = axon.Variable(numpy.ones((2, 2)))
    data = w.data
    RMSprop(momentum=0.9, centered=True).apply([numpy.ones((2, 2))], [w])
    assert w.data is data


def test_defaults_are_keras_defaults():
    opt = RMSprop()
    assert (opt.learning_rate, opt.rho, opt.momentum, opt.epsilon, opt.centered) == (
        0.001, 0.9, 0.0, 1e-7, False)


@pytest.mark.parametrize("rho", [1.0, -0.5])
def test_bad_rho(rho):
    with pytest.raises(ValueError, match=f"Received: rho={rho}"):
        RMSprop(rho=rho)


def test_config_round_trip():
    opt = RMSprop(learning_rate=0.01, rho=0.8, momentum=0.5, centered=True, global_clipnorm=3.0)
    config = opt.get_config()
    assert config["rho"] == 0.8 and config["centered"] is True and config["global_clipnorm"] == 3.0
    assert RMSprop.from_config(config).get_config() == config
