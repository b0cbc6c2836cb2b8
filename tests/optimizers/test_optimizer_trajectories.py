"""Every optimizer, and every option, against an independent float64 NumPy implementation of its
published rule (``optimizer_references``) over six steps of a least-squares problem.

Options: the algorithm's own (momentum/nesterov, centered, amsgrad ...) and the base's
(weight_decay, clipnorm, clipvalue, global_clipnorm, a learning-rate schedule), each alone.
"""
from __future__ import annotations

import numpy
import pytest
from optimizer_references import START, assert_trajectories_close, axon_run, gradients, reference

from axon import optimizers
from axon.optimizers import schedules

STEPS = 6

# (name, hyper-parameters): each algorithm's own options, with learning rates that move visibly.
ALGORITHMS = [
    ("sgd", {"learning_rate": 0.1}),
    ("sgd", {"learning_rate": 0.1, "momentum": 0.9}),
    ("sgd", {"learning_rate": 0.1, "momentum": 0.5, "nesterov": True}),
    ("adagrad", {"learning_rate": 0.1}),
    ("adagrad", {"learning_rate": 0.2, "initial_accumulator_value": 0.0, "epsilon": 1e-3}),
    ("rmsprop", {"learning_rate": 0.01}),
    ("rmsprop", {"learning_rate": 0.01, "rho": 0.5, "momentum": 0.9}),
    ("rmsprop", {"learning_rate": 0.01, "centered": True}),
    ("rmsprop", {"learning_rate": 0.01, "momentum": 0.5, "centered": True, "epsilon": 1e-4}),
    ("adadelta", {"learning_rate": 1.0}),
    ("adadelta", {"learning_rate": 0.5, "rho": 0.8, "epsilon": 1e-4}),
    ("adam", {"learning_rate": 0.05}),
    ("adam", {"learning_rate": 0.05, "beta_1": 0.5, "beta_2": 0.9, "epsilon": 1e-3}),
    ("adam", {"learning_rate": 0.1, "beta_2": 0.5, "amsgrad": True}),
    ("adamw", {"learning_rate": 0.05}),
    ("adamw", {"learning_rate": 0.05, "weight_decay": 0.5, "amsgrad": True, "beta_2": 0.5}),
    ("adamax", {"learning_rate": 0.05}),
    ("adamax", {"learning_rate": 0.05, "beta_1": 0.5, "beta_2": 0.8, "epsilon": 1e-3}),
    ("nadam", {"learning_rate": 0.05}),
    ("nadam", {"learning_rate": 0.05, "beta_1": 0.5, "beta_2": 0.9, "epsilon": 1e-3}),
    ("lion", {"learning_rate": 0.01}),
    ("lion", {"learning_rate": 0.1, "beta_1": 0.2, "beta_2": 0.99}),
]

# Base options; the values bind at the start (see test_options_are_active).
OPTIONS = {
    "weight_decay": {"weight_decay": 0.2},
    "clipnorm": {"clipnorm": 0.3},
    "clipvalue": {"clipvalue": 0.1},
    "global_clipnorm": {"global_clipnorm": 0.5},
}


def _id(case):
    name, kwargs = case
    return "-".join([name] + [f"{k}={v}" for k, v in kwargs.items() if k != "learning_rate"])


@pytest.mark.parametrize("case", ALGORITHMS, ids=_id)
def test_algorithm_matches_reference(case):
    name, kwargs = case
    got = axon_run(optimizers.get(name).__class__(**kwargs), STEPS)
    assert_trajectories_close(got, reference(name, STEPS, **kwargs))


@pytest.mark.parametrize("option", sorted(OPTIONS))
@pytest.mark.parametrize("name", sorted(optimizers.ALL))
def test_option_matches_reference(name, option):
    kwargs = {"learning_rate": 0.05, **OPTIONS[option]}
    if name == "adamw" and option == "weight_decay":
        kwargs["weight_decay"] = 0.7
    got = axon_run(optimizers.ALL[name](**kwargs), STEPS)
    assert_trajectories_close(got, reference(name, STEPS, **kwargs))


@pytest.mark.parametrize("name", sorted(optimizers.ALL))
def test_schedule_matches_reference(name):
    def make():
        return schedules.ExponentialDecay(0.1, decay_steps=2, decay_rate=0.5)

    got = axon_run(optimizers.ALL[name](learning_rate=make()), STEPS)
    assert_trajectories_close(got, reference(name, STEPS, learning_rate=make()))


def test_options_are_active():
    # Each option changes the reference trajectory, so the tests above exercise it.
    start = [numpy.linalg.norm(g) for g in gradients(START)]
    assert max(start) > OPTIONS["clipnorm"]["clipnorm"]
    assert max(abs(g).max() for g in gradients(START)) > OPTIONS["clipvalue"]["clipvalue"]
    assert numpy.hypot(*start) > OPTIONS["global_clipnorm"]["global_clipnorm"]
    for name in ("sgd", "adam", "rmsprop"):
        plain = reference(name, STEPS, learning_rate=0.05)[-1][0]
        for option, kwargs in OPTIONS.items():
            other = reference(name, STEPS, learning_rate=0.05, **kwargs)[-1][0]
            assert not numpy.allclose(plain, other, rtol=1e-6), (name, option)


def test_algorithm_options_are_active():
    # nesterov, centered, amsgrad ... change the trajectory (each case differs from its plain form).
    for name, kwargs in ALGORITHMS:
        plain = reference(name, STEPS, learning_rate=kwargs["learning_rate"])[-1][0]
        if len(kwargs) > 1:
            assert not numpy.allclose(plain, reference(name, STEPS, **kwargs)[-1][0], rtol=1e-6)
    amsgrad = reference("adam", STEPS, learning_rate=0.1, beta_2=0.5, amsgrad=True)[-1][0]
    assert not numpy.allclose(amsgrad, reference("adam", STEPS, learning_rate=0.1, beta_2=0.5)[-1][0])
    nesterov = reference("sgd", STEPS, learning_rate=0.1, momentum=0.5, nesterov=True)[-1][0]
    assert not numpy.allclose(nesterov, reference("sgd", STEPS, learning_rate=0.1, momentum=0.5)[-1][0])


@pytest.mark.parametrize("name", sorted(optimizers.ALL))
def test_float32_weights_stay_float32_and_close(name):
    import axon

    variables = [axon.Variable(x.astype(numpy.float32)) for x in START]
    datas = [v.data for v in variables]
    got = axon_run(optimizers.ALL[name](learning_rate=0.05), STEPS, variables)
    assert all(v.data is d and v.dtype == numpy.float32 for v, d in zip(variables, datas))
    expected = reference(name, STEPS, learning_rate=0.05)
    assert_trajectories_close(got, expected, rtol=1e-4, atol=1e-5)
