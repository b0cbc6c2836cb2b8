"""Adam: hand-computed steps and golden trajectories against Keras's equations in NumPy.

Keras's Adam (``keras/src/optimizers/adam.py``), step ``t`` counted from 1:

    m <- beta_1 m + (1 - beta_1) g
    v <- beta_2 v + (1 - beta_2) g**2
    alpha = eta sqrt(1 - beta_2**t) / (1 - beta_1**t)
    w <- w - alpha m / (sqrt(v) + epsilon)          (amsgrad: v_hat <- max(v_hat, v) replaces v)
"""
from __future__ import annotations

import math

import numpy
import pytest
from numpy.testing import assert_allclose

import axon
from axon.optimizers import Adam

W0 = (numpy.array([[1.0, -2.0, 0.5], [3.0, 0.0, -1.5]]), numpy.array([0.25, -0.75, 2.0]))
TARGETS = (numpy.array([[0.0, 1.0, -1.0], [2.0, 2.0, 0.0]]), numpy.array([-1.0, 0.5, 1.0]))


@pytest.fixture(autouse=True)
def float64():
    previous = axon.config.floatx()
    axon.config.set_floatx("float64")
    yield
    axon.config.set_floatx(previous)


def reference_adam(steps, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                   amsgrad=False):
    """Weights after each step on L = sum((w - target)**2), by Keras's equations."""
    w = [x.copy() for x in W0]
    m = [numpy.zeros_like(x) for x in W0]
    v = [numpy.zeros_like(x) for x in W0]
    v_hat = [numpy.zeros_like(x) for x in W0]
    history = []
    for t in range(1, steps + 1):
        alpha = learning_rate * math.sqrt(1 - beta_2**t) / (1 - beta_1**t)
        for i, target in enumerate(TARGETS):
            g = 2.0 * (w[i] - target)
            m[i] = beta_1 * m[i] + (1 - beta_1) * g
            v[i] = beta_2 * v[i] + (1 - beta_2) * g**2
            v_hat[i] = numpy.maximum(v_hat[i], v[i])
            w[i] = w[i] - alpha * m[i] / (numpy.sqrt(v_hat[i] if amsgrad else v[i]) + epsilon)
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
    # t = 1: m = 0.1 g, v = 0.001 g**2, alpha = eta sqrt(0.001) / 0.1,
    # so w moves by eta * sqrt(0.001)|g| / (sqrt(0.001)|g| + eps) against sign(g).
    eta, eps = 0.01, 1e-7
    g = numpy.array([0.5, -2.0, 0.0])
    w = axon.Variable(numpy.array([1.0, 1.0, 1.0]))
    Adam(learning_rate=eta).apply([g], [w])
    root = math.sqrt(0.001) * numpy.abs(g)
    expected = 1.0 - eta * numpy.sign(g) * root / (root + eps)
    assert_allclose(w.numpy(), expected, rtol=0, atol=1e-15)
    assert w.numpy()[2] == 1.0  # zero gradient, zero step


def test_second_step_by_hand():
    eta, b1, b2, eps = 0.1, 0.9, 0.999, 1e-7
    w = axon.Variable(numpy.array([0.0]))
    opt = Adam(learning_rate=eta)
    opt.apply([numpy.array([1.0])], [w])
    opt.apply([numpy.array([3.0])], [w])
    m1, v1 = (1 - b1) * 1.0, (1 - b2) * 1.0
    w1 = -eta * math.sqrt(1 - b2) / (1 - b1) * m1 / (math.sqrt(v1) + eps)
    m2, v2 = b1 * m1 + (1 - b1) * 3.0, b2 * v1 + (1 - b2) * 9.0
    w2 = w1 - eta * math.sqrt(1 - b2**2) / (1 - b1**2) * m2 / (math.sqrt(v2) + eps)
    assert_allclose(w.numpy(), [w2], rtol=1e-14)
    assert_allclose(opt.slots(w)["m"], [m2], rtol=1e-14)
    assert_allclose(opt.slots(w)["v"], [v2], rtol=1e-14)
    assert opt.iterations == 2


def test_amsgrad_keeps_the_largest_second_moment():
    opt = Adam(learning_rate=0.1, amsgrad=True)
    w = axon.Variable(numpy.array([0.0]))
    opt.apply([numpy.array([10.0])], [w])
    opt.apply([numpy.array([0.1])], [w])  # v shrinks; v_hat keeps the first step's value
    v1 = 0.001 * 100.0
    v2 = 0.999 * v1 + 0.001 * 0.01
    assert_allclose(opt.slots(w)["v"], [v2], rtol=1e-14)
    assert_allclose(opt.slots(w)["v_hat"], [v1], rtol=1e-14)


@pytest.mark.parametrize("kwargs", [
    {"learning_rate": 0.1},
    {"learning_rate": 0.05, "beta_1": 0.5, "beta_2": 0.9, "epsilon": 1e-3},
    {"learning_rate": 0.1, "amsgrad": True},
    {"learning_rate": 0.3, "beta_2": 0.5, "amsgrad": True},  # v falls: v_hat and v differ
], ids=["default_betas", "custom", "amsgrad", "amsgrad_fast_v"])
def test_golden_trajectory(kwargs):
    expected = reference_adam(6, **kwargs)
    got = axon_trajectory(Adam(**kwargs), 6)
    for step, (mine, ref) in enumerate(zip(got, expected)):
        for a, b in zip(mine, ref):
            assert_allclose(a, b, rtol=1e-12, atol=1e-14, err_msg=f"step {step + 1}")


def test_amsgrad_trajectory_differs_from_adam_when_v_falls():
    kwargs = {"learning_rate": 0.3, "beta_2": 0.5}
    plain, ams = reference_adam(6, **kwargs), reference_adam(6, amsgrad=True, **kwargs)
    assert not numpy.allclose(plain[-1][0], ams[-1][0])  # the case above really tests v_hat


def test_update_is_in_place():
    w = axon.Variable(numpy.ones((2, 2)))
    data = w.data
    Adam().apply([numpy.ones((2, 2))], [w])
    assert w.data is data


def test_defaults_are_keras_defaults():
    opt = Adam()
    assert (opt.learning_rate, opt.beta_1, opt.beta_2, opt.epsilon, opt.amsgrad) == (
        0.001, 0.9, 0.999, 1e-7, False)


@pytest.mark.parametrize(("arg", "value"), [("beta_1", 1.0), ("beta_2", -0.1), ("beta_1", 1.5)])
def test_bad_betas(arg, value):
    with pytest.raises(ValueError, match=f"Received: {arg}={value}"):
        Adam(**{arg: value})


def test_config_round_trip():
    opt = Adam(learning_rate=0.01, beta_1=0.8, amsgrad=True, clipvalue=2.0)
    config = opt.get_config()
    assert config["beta_1"] == 0.8 and config["amsgrad"] is True and config["clipvalue"] == 2.0
    assert Adam.from_config(config).get_config() == config


# ---- AdamW: Adam after a decoupled decay w <- w - eta * lambda * w -------------------------------
def test_adamw_is_adam_after_decoupled_decay():
    from axon.optimizers import AdamW

    eta, wd = 0.1, 0.5
    w = axon.Variable(numpy.array([2.0, -1.0]))
    g = numpy.array([0.5, 0.25])
    AdamW(learning_rate=eta, weight_decay=wd).apply([g], [w])
    decayed = numpy.array([2.0, -1.0]) * (1 - eta * wd)
    root = math.sqrt(0.001) * numpy.abs(g)
    expected = decayed - eta * numpy.sign(g) * root / (root + 1e-7)
    assert_allclose(w.numpy(), expected, rtol=1e-14)


def test_adamw_defaults_are_keras_defaults():
    from axon.optimizers import AdamW

    opt = AdamW()
    assert (opt.learning_rate, opt.weight_decay, opt.beta_1, opt.beta_2, opt.epsilon, opt.amsgrad) == (
        0.001, 0.004, 0.9, 0.999, 1e-7, False)
    assert opt.name == "adamw" and isinstance(opt, Adam)


@pytest.mark.parametrize("value", [None, -0.1])
def test_adamw_bad_weight_decay(value):
    from axon.optimizers import AdamW

    with pytest.raises(ValueError, match=f"AdamW expects weight_decay.*Received: weight_decay={value}"):
        AdamW(weight_decay=value)


def test_adamw_config_round_trip():
    from axon.optimizers import AdamW

    opt = AdamW(learning_rate=0.01, weight_decay=0.1, amsgrad=True)
    config = opt.get_config()
    assert config["weight_decay"] == 0.1 and config["amsgrad"] is True
    assert AdamW.from_config(config).get_config() == config
