"""SGD: hand-computed steps and golden trajectories against Keras's equations in NumPy.

Keras's SGD (``keras/src/optimizers/sgd.py``), learning rate ``eta``, momentum ``mu``:

    plain:     w <- w - eta g
    momentum:  v <- mu v - eta g;   w <- w + v
    nesterov:  v <- mu v - eta g;   w <- w + mu v - eta g
"""
from __future__ import annotations

import numpy
import pytest
from numpy.testing import assert_allclose

import axon
from axon.optimizers import SGD

W0 = (numpy.array([[1.0, -2.0, 0.5], [3.0, 0.0, -1.5]]), numpy.array([0.25, -0.75, 2.0]))
TARGETS = (numpy.array([[0.0, 1.0, -1.0], [2.0, 2.0, 0.0]]), numpy.array([-1.0, 0.5, 1.0]))


@pytest.fixture(autouse=True)
def float64():
    previous = axon.config.floatx()
    axon.config.set_floatx("float64")
    yield
    axon.config.set_floatx(previous)


def reference_sgd(steps, learning_rate, momentum=0.0, nesterov=False):
    """Weights after each step on L = sum((w - target)**2), by Keras's equations."""
    w = [x.copy() for x in W0]
    v = [numpy.zeros_like(x) for x in W0]
    history = []
    for _ in range(steps):
        for i, target in enumerate(TARGETS):
            g = 2.0 * (w[i] - target)
            if momentum == 0.0:
                w[i] = w[i] - learning_rate * g
                continue
            v[i] = momentum * v[i] - learning_rate * g
            w[i] = w[i] + (momentum * v[i] - learning_rate * g if nesterov else v[i])
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


def test_plain_single_step_by_hand():
    w = axon.Variable(numpy.array([1.0, -2.0]))
    SGD(learning_rate=0.1).apply([numpy.array([0.5, -1.0])], [w])
    assert_allclose(w.numpy(), [1.0 - 0.1 * 0.5, -2.0 + 0.1 * 1.0], rtol=0, atol=1e-15)


def test_momentum_two_steps_by_hand():
    w = axon.Variable(numpy.array([1.0]))
    opt = SGD(learning_rate=0.1, momentum=0.9)
    opt.apply([numpy.array([2.0])], [w])   # v = -0.2;               w = 0.8
    assert_allclose(w.numpy(), [0.8], atol=1e-15)
    opt.apply([numpy.array([1.0])], [w])   # v = 0.9*-0.2 - 0.1 = -0.28;  w = 0.52
    assert_allclose(w.numpy(), [0.52], atol=1e-15)
    assert_allclose(opt.slots(w)["momentum"], [-0.28], atol=1e-15)


def test_nesterov_two_steps_by_hand():
    w = axon.Variable(numpy.array([1.0]))
    opt = SGD(learning_rate=0.1, momentum=0.9, nesterov=True)
    opt.apply([numpy.array([2.0])], [w])   # v = -0.2;  w = 1 + 0.9*-0.2 - 0.2 = 0.62
    assert_allclose(w.numpy(), [0.62], atol=1e-15)
    opt.apply([numpy.array([1.0])], [w])   # v = -0.28; w = 0.62 + 0.9*-0.28 - 0.1 = 0.268
    assert_allclose(w.numpy(), [0.268], atol=1e-15)


@pytest.mark.parametrize(("kwargs"), [
    {"learning_rate": 0.1},
    {"learning_rate": 0.05, "momentum": 0.9},
    {"learning_rate": 0.05, "momentum": 0.5, "nesterov": True},
], ids=["plain", "momentum", "nesterov"])
def test_golden_trajectory(kwargs):
    expected = reference_sgd(6, **kwargs)
    got = axon_trajectory(SGD(**kwargs), 6)
    for step, (mine, ref) in enumerate(zip(got, expected)):
        for a, b in zip(mine, ref):
            assert_allclose(a, b, rtol=1e-13, atol=1e-15, err_msg=f"step {step + 1}")


def test_update_is_in_place_and_keeps_dtype():
    w = axon.Variable(numpy.ones(3, dtype=numpy.float32))
    data = w.data
    SGD(learning_rate=0.5, momentum=0.9).apply([numpy.full(3, 0.5, dtype=numpy.float32)], [w])
    assert w.data is data
    assert w.dtype == numpy.float32
    assert_allclose(w.numpy(), [0.75] * 3, rtol=1e-7)


def test_defaults_are_keras_defaults():
    opt = SGD()
    assert (opt.learning_rate, opt.momentum, opt.nesterov) == (0.01, 0.0, False)
    assert opt.name == "sgd" and opt.weight_decay is None


@pytest.mark.parametrize("momentum", [-0.1, 1.5, float("nan"), "0.9"])
def test_bad_momentum(momentum):
    with pytest.raises(ValueError, match=r"SGD expects momentum in \[0.0, 1.0\]. Received: momentum="):
        SGD(momentum=momentum)


def test_momentum_of_one_is_allowed_as_in_keras():
    assert SGD(momentum=1.0).momentum == 1.0


def test_config_round_trip():
    opt = SGD(learning_rate=0.1, momentum=0.9, nesterov=True, clipnorm=1.0)
    config = opt.get_config()
    assert config["momentum"] == 0.9 and config["nesterov"] is True and config["clipnorm"] == 1.0
    assert SGD.from_config(config).get_config() == config
