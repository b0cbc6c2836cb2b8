"""Learning-rate schedules: each against its formula (written here independently, vectorised or
period by period) at many steps, Keras's defaults, configs, and bad arguments.
Values from real Keras: test_keras_golden.py."""
from __future__ import annotations

import json
import math

import numpy
import pytest
from numpy.testing import assert_allclose

from axon.optimizers import schedules

STEPS = numpy.arange(0, 301)


def values(schedule, steps=STEPS):
    out = [schedule(int(step)) for step in steps]
    assert all(isinstance(v, float) for v in out)
    return numpy.array(out)


@pytest.mark.parametrize("staircase", [False, True])
def test_exponential_decay(staircase):
    s = schedules.ExponentialDecay(0.1, decay_steps=7, decay_rate=0.8, staircase=staircase)
    p = numpy.floor(STEPS / 7) if staircase else STEPS / 7
    assert_allclose(values(s), 0.1 * 0.8**p, rtol=1e-13)


@pytest.mark.parametrize("staircase", [False, True])
def test_inverse_time_decay(staircase):
    s = schedules.InverseTimeDecay(0.5, decay_steps=10, decay_rate=2.0, staircase=staircase)
    p = numpy.floor(STEPS / 10) if staircase else STEPS / 10
    assert_allclose(values(s), 0.5 / (1 + 2.0 * p), rtol=1e-13)


def test_piecewise_constant_decay():
    boundaries, rates = [10, 50, 120], [1.0, 0.5, 0.1, 0.01]
    s = schedules.PiecewiseConstantDecay(boundaries, rates)
    expected = numpy.array(rates)[numpy.searchsorted(boundaries, STEPS, side="left")]
    assert_allclose(values(s), expected, rtol=0)
    assert (s(10), s(11), s(120), s(121)) == (1.0, 0.5, 0.1, 0.01)   # boundaries belong to the left


@pytest.mark.parametrize("power", [1.0, 0.5, 3.0])
def test_polynomial_decay_without_cycle(power):
    s = schedules.PolynomialDecay(0.1, decay_steps=40, end_learning_rate=0.001, power=power)
    p = numpy.minimum(STEPS, 40) / 40
    assert_allclose(values(s), (0.1 - 0.001) * (1 - p) ** power + 0.001, rtol=1e-13)
    assert s(40) == s(300) == pytest.approx(0.001)


@pytest.mark.parametrize("power", [1.0, 2.0])
def test_polynomial_decay_with_cycle(power):
    s = schedules.PolynomialDecay(0.1, decay_steps=40, end_learning_rate=0.001, power=power, cycle=True)
    span = 40 * numpy.maximum(1, numpy.ceil(STEPS / 40))
    assert_allclose(values(s), (0.1 - 0.001) * (1 - STEPS / span) ** power + 0.001, rtol=1e-13)
    assert s(40) == pytest.approx(0.001) and s(41) > s(40)   # restarts after each span


def test_cosine_decay():
    s = schedules.CosineDecay(0.1, decay_steps=100, alpha=0.05)
    fraction = numpy.minimum(STEPS, 100) / 100
    expected = 0.1 * ((1 - 0.05) * 0.5 * (1 + numpy.cos(numpy.pi * fraction)) + 0.05)
    assert_allclose(values(s), expected, rtol=1e-13)
    assert s(0) == pytest.approx(0.1) and s(300) == pytest.approx(0.005)


def test_cosine_decay_with_warmup():
    s = schedules.CosineDecay(0.0, decay_steps=100, alpha=0.1, warmup_target=0.2, warmup_steps=20)
    step = numpy.minimum(STEPS, 120)
    warm = 0.2 * step / 20
    fraction = numpy.clip(step - 20, 0, None) / 100
    cool = 0.2 * ((1 - 0.1) * 0.5 * (1 + numpy.cos(numpy.pi * fraction)) + 0.1)
    assert_allclose(values(s), numpy.where(step < 20, warm, cool), rtol=1e-13, atol=1e-16)
    assert s(10) == pytest.approx(0.1) and s(20) == pytest.approx(0.2) and s(300) == pytest.approx(0.02)


def restarts_by_periods(step, initial, first, t_mul, m_mul, alpha):
    """SGDR period by period: find the period holding ``step`` by adding up period lengths."""
    start, length, i = 0.0, float(first), 0
    while step >= start + length:
        start, length, i = start + length, length * t_mul, i + 1
    fraction = (step - start) / length
    return initial * ((1 - alpha) * m_mul**i * 0.5 * (1 + math.cos(math.pi * fraction)) + alpha)


@pytest.mark.parametrize(("t_mul", "m_mul", "alpha"), [(2.0, 1.0, 0.0), (1.0, 0.5, 0.1),
                                                       (2.0, 0.7, 0.05), (1.5, 0.9, 0.0)])
def test_cosine_decay_restarts(t_mul, m_mul, alpha):
    s = schedules.CosineDecayRestarts(0.1, first_decay_steps=10, t_mul=t_mul, m_mul=m_mul, alpha=alpha)
    expected = [restarts_by_periods(step, 0.1, 10, t_mul, m_mul, alpha) for step in STEPS]
    assert_allclose(values(s), expected, rtol=1e-9, atol=1e-15)
    if t_mul == 2.0:   # restarts at 10, 30, 70, 150 with the rate scaled by m_mul each time
        assert [s(b) for b in (10, 30, 70, 150)] == pytest.approx(
            [0.1 * ((1 - alpha) * m_mul**i + alpha) for i in range(1, 5)])


def test_cosine_decay_restarts_defaults_are_keras():
    s = schedules.CosineDecayRestarts(0.1, 10)
    assert (s.t_mul, s.m_mul, s.alpha, s.name) == (2.0, 1.0, 0.0, "SGDRDecay")


def test_defaults_are_keras_defaults():
    p = schedules.PolynomialDecay(0.1, 10)
    assert (p.end_learning_rate, p.power, p.cycle, p.name) == (0.0001, 1.0, False, "PolynomialDecay")
    c = schedules.CosineDecay(0.1, 10)
    assert (c.alpha, c.warmup_target, c.warmup_steps, c.name) == (0.0, None, 0, "CosineDecay")
    assert schedules.ExponentialDecay(0.1, 10, 0.9).staircase is False
    assert schedules.PiecewiseConstantDecay([1], [0.1, 0.2]).name == "PiecewiseConstant"


ALL = [schedules.ExponentialDecay(0.1, 7, 0.8, staircase=True),
       schedules.InverseTimeDecay(0.5, 10, 2.0),
       schedules.PiecewiseConstantDecay([10, 50], [1.0, 0.5, 0.1]),
       schedules.PolynomialDecay(0.1, 40, end_learning_rate=0.01, power=2.0, cycle=True),
       schedules.CosineDecay(0.0, 100, alpha=0.1, warmup_target=0.2, warmup_steps=20),
       schedules.CosineDecayRestarts(0.1, 10, t_mul=1.5, m_mul=0.9, alpha=0.01)]


@pytest.mark.parametrize("schedule", ALL, ids=lambda s: type(s).__name__)
def test_config_round_trip(schedule):
    data = json.loads(json.dumps(schedules.serialize(schedule)))
    assert data["class_name"] == type(schedule).__name__
    restored = schedules.deserialize(data)
    assert type(restored) is type(schedule) and restored.get_config() == schedule.get_config()
    assert_allclose(values(restored, STEPS[:60]), values(schedule, STEPS[:60]), rtol=0)
    assert type(schedule).__name__ in repr(schedule)


@pytest.mark.parametrize(("make", "message"), [
    (lambda: schedules.ExponentialDecay(0.1, 0, 0.5), "decay_steps to be a positive number"),
    (lambda: schedules.InverseTimeDecay(0.1, -5, 0.5), "Received: decay_steps=-5"),
    (lambda: schedules.PolynomialDecay(0.1, 0), "decay_steps"),
    (lambda: schedules.CosineDecay(0.1, 0), "decay_steps"),
    (lambda: schedules.CosineDecay(0.1, 10, warmup_steps=-1), "warmup_steps to be a number >= 0"),
    (lambda: schedules.CosineDecay(0.1, 10, warmup_target="high"), "warmup_target"),
    (lambda: schedules.CosineDecayRestarts(0.1, 0), "first_decay_steps"),
    (lambda: schedules.CosineDecayRestarts(0.1, 10, t_mul=0.0), "t_mul to be a positive number"),
    (lambda: schedules.CosineDecayRestarts(0.1, 10, m_mul=-1.0), "m_mul"),
    (lambda: schedules.ExponentialDecay("0.1", 10, 0.5), "initial_learning_rate to be a number"),
    (lambda: schedules.PiecewiseConstantDecay([10, 20], [0.1, 0.2]), "one more value than boundaries"),
    (lambda: schedules.PiecewiseConstantDecay([20, 10], [0.1, 0.2, 0.3]), "strictly increasing"),
    (lambda: schedules.PiecewiseConstantDecay([10], [0.1, None]), "values"),
])
def test_bad_arguments(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_base_class_requires_call_and_config():
    base = schedules.LearningRateSchedule()
    with pytest.raises(NotImplementedError, match="must override __call__"):
        base(0)
    with pytest.raises(NotImplementedError, match="must override get_config"):
        base.get_config()


def test_deserialize_errors():
    with pytest.raises(ValueError, match="Unknown learning rate schedule: 'Nope'. Known schedules: "
                                         "CosineDecay, CosineDecayRestarts"):
        schedules.deserialize({"class_name": "Nope", "config": {}})
    with pytest.raises(ValueError, match="keys 'class_name' and 'config'"):
        schedules.get(0.1)
    with pytest.raises(TypeError, match="serialize expects a LearningRateSchedule"):
        schedules.serialize(lambda step: 0.1)
