"""Independent float64 NumPy references for the optimizer tests (no axon inside).

The problem: least squares with a kernel and a bias, ``L = 0.5 / n * sum((X W + b - Y)**2)``, whose
gradients ``dL/dW = X^T R / n`` and ``dL/db = sum_rows(R) / n`` (``R = X W + b - Y``) are computed
here by hand. Each ``*_rule`` is one algorithm's published update (in the variant Keras 3 uses),
written plainly, as a new value from old values; ``reference`` runs a rule with the base options
(clipping, decoupled weight decay, a schedule) in Keras's order.
"""
from __future__ import annotations

import math

import numpy

X = numpy.array([[1.0, -0.5, 2.0], [0.3, 1.2, -1.0], [-1.5, 0.4, 0.7], [2.2, -1.1, 0.1],
                 [0.6, 0.9, -0.8]])
Y = numpy.array([[1.0, -2.0], [0.5, 0.25], [-1.0, 3.0], [2.0, 0.0], [0.1, -0.7]])
W0 = numpy.array([[0.5, -0.3], [0.8, 0.1], [-0.6, 0.9]])
B0 = numpy.array([0.2, -0.4])
START = (W0, B0)


def gradients(w):
    """``[dL/dW, dL/db]`` of the least-squares loss at ``w = [W, b]``."""
    kernel, bias = w
    r = X @ kernel + bias - Y
    return [X.T @ r / len(X), r.sum(axis=0) / len(X)]


# ---- the rules: (state dict, g, w, t from 1, eta, hyper-parameters) -> new w ----------------------
def sgd_rule(s, g, w, t, eta, momentum=0.0, nesterov=False):
    if momentum == 0.0:
        return w - eta * g
    s["v"] = momentum * s.get("v", 0.0) - eta * g
    return w + momentum * s["v"] - eta * g if nesterov else w + s["v"]


def adagrad_rule(s, g, w, t, eta, initial_accumulator_value=0.1, epsilon=1e-7):
    s["a"] = s.get("a", initial_accumulator_value) + g**2
    return w - eta * g / numpy.sqrt(s["a"] + epsilon)


def rmsprop_rule(s, g, w, t, eta, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False):
    s["a"] = rho * s.get("a", 0.0) + (1 - rho) * g**2
    s["c"] = rho * s.get("c", 0.0) + (1 - rho) * g
    d = (s["a"] - s["c"] ** 2 if centered else s["a"]) + epsilon
    increment = eta * g / numpy.sqrt(d)
    if momentum > 0:
        s["u"] = momentum * s.get("u", 0.0) + increment
        increment = s["u"]
    return w - increment


def adadelta_rule(s, g, w, t, eta, rho=0.95, epsilon=1e-7):
    s["eg2"] = rho * s.get("eg2", 0.0) + (1 - rho) * g**2
    dx = numpy.sqrt(s.get("edx2", 0.0) + epsilon) / numpy.sqrt(s["eg2"] + epsilon) * g
    s["edx2"] = rho * s.get("edx2", 0.0) + (1 - rho) * dx**2
    return w - eta * dx


def adam_rule(s, g, w, t, eta, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False):
    s["m"] = beta_1 * s.get("m", 0.0) + (1 - beta_1) * g
    s["v"] = beta_2 * s.get("v", 0.0) + (1 - beta_2) * g**2
    s["v_hat"] = numpy.maximum(s.get("v_hat", 0.0), s["v"])
    v = s["v_hat"] if amsgrad else s["v"]
    alpha = eta * math.sqrt(1 - beta_2**t) / (1 - beta_1**t)
    return w - alpha * s["m"] / (numpy.sqrt(v) + epsilon)


def adamax_rule(s, g, w, t, eta, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    s["m"] = beta_1 * s.get("m", 0.0) + (1 - beta_1) * g
    s["u"] = numpy.maximum(beta_2 * s.get("u", 0.0), numpy.abs(g))
    return w - eta / (1 - beta_1**t) * s["m"] / (s["u"] + epsilon)


def nadam_rule(s, g, w, t, eta, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    def mu(i):
        return beta_1 * (1 - 0.5 * 0.96**i)

    product = math.prod(mu(i) for i in range(1, t + 1))   # P_t, recomputed from scratch
    s["m"] = beta_1 * s.get("m", 0.0) + (1 - beta_1) * g
    s["v"] = beta_2 * s.get("v", 0.0) + (1 - beta_2) * g**2
    m_hat = mu(t + 1) * s["m"] / (1 - product * mu(t + 1)) + (1 - mu(t)) * g / (1 - product)
    v_hat = s["v"] / (1 - beta_2**t)
    return w - eta * m_hat / (numpy.sqrt(v_hat) + epsilon)


def lion_rule(s, g, w, t, eta, beta_1=0.9, beta_2=0.99):
    m = s.get("m", numpy.zeros_like(g))
    update = numpy.sign(beta_1 * m + (1 - beta_1) * g)
    s["m"] = beta_2 * m + (1 - beta_2) * g
    return w - eta * update


RULES = {"sgd": sgd_rule, "adagrad": adagrad_rule, "rmsprop": rmsprop_rule,
         "adadelta": adadelta_rule, "adam": adam_rule, "adamw": adam_rule, "adamax": adamax_rule,
         "nadam": nadam_rule, "lion": lion_rule}
DEFAULT_LR = {"sgd": 0.01}


def clip(grads, clipnorm=None, clipvalue=None, global_clipnorm=None):
    if clipnorm is not None:
        return [g * min(1.0, clipnorm / numpy.linalg.norm(g)) for g in grads]
    if global_clipnorm is not None:
        total = math.sqrt(sum(numpy.sum(g**2) for g in grads))
        return [g * min(1.0, global_clipnorm / total) for g in grads]
    if clipvalue is not None:
        return [numpy.clip(g, -clipvalue, clipvalue) for g in grads]
    return grads


def reference(name, steps, learning_rate=None, weight_decay=None, clipnorm=None, clipvalue=None,
              global_clipnorm=None, **hyper):
    """``[W, b]`` after each of ``steps`` steps of optimizer ``name`` by the published rule.

    ``learning_rate`` may be a function of the step count (a schedule, read before counting).
    AdamW is Adam with ``weight_decay`` 0.004 unless given.
    """
    rule = RULES[name]
    if name == "adamw" and weight_decay is None:
        weight_decay = 0.004
    if learning_rate is None:
        learning_rate = DEFAULT_LR.get(name, 0.001)
    w = [x.copy() for x in START]
    states = [{} for _ in w]
    history = []
    for t in range(1, steps + 1):
        grads = clip(gradients(w), clipnorm, clipvalue, global_clipnorm)
        eta = learning_rate(t - 1) if callable(learning_rate) else learning_rate
        for i, g in enumerate(grads):
            if weight_decay is not None:
                w[i] = w[i] - w[i] * weight_decay * eta
            w[i] = rule(states[i], g, w[i], t, eta, **hyper)
        history.append([x.copy() for x in w])
    return history


def axon_run(optimizer, steps, variables=None):
    """The same descent through ``optimizer.apply`` (gradients from ``gradients``), a history."""
    import axon  # the only axon import here: the runner, not the references

    if variables is None:
        variables = [axon.Variable(x.copy(), dtype="float64") for x in START]
    history = []
    for _ in range(steps):
        optimizer.apply(gradients([v.numpy() for v in variables]), variables)
        history.append([v.numpy().copy() for v in variables])
    return history


def assert_trajectories_close(got, expected, rtol=1e-9, atol=1e-13):
    from numpy.testing import assert_allclose

    assert len(got) == len(expected)
    for step, (mine, ref) in enumerate(zip(got, expected)):
        for a, b in zip(mine, ref):
            assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=f"step {step + 1}")
