"""The optimizer base's options: the assignable learning rate, decoupled weight decay and its
exclusions, clipping rules and their validation, constraints, the weights' moving average (EMA),
configs with schedules, serialize/deserialize, and in-place updates for every optimizer."""
from __future__ import annotations

import json
import math

import numpy
import pytest
from numpy.testing import assert_allclose

import axon
from axon import optimizers
from axon.optimizers import SGD, Adam, Optimizer, schedules


@pytest.fixture(autouse=True)
def float64():
    previous = axon.config.floatx()
    axon.config.set_floatx("float64")
    yield
    axon.config.set_floatx(previous)


class Recorder(Optimizer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.calls = []

    def update_step(self, grad, variable, lr):
        self.calls.append((numpy.array(grad, copy=True), lr))


# ---- learning rate ------------------------------------------------------------------------------
def test_learning_rate_is_assignable_and_used_from_the_next_step():
    w = axon.Variable(numpy.array([0.0]))
    opt = SGD(learning_rate=0.1)
    opt.apply([numpy.array([1.0])], [w])
    opt.learning_rate = 0.01            # as ReduceLROnPlateau does
    assert opt.learning_rate == 0.01 and opt.current_learning_rate() == 0.01
    opt.apply([numpy.array([1.0])], [w])
    assert_allclose(w.numpy(), [-0.11], rtol=1e-14)


@pytest.mark.parametrize("value", [-0.5, float("inf"), "0.1", True])
def test_assigning_a_bad_learning_rate_raises(value):
    opt = SGD()
    with pytest.raises(ValueError, match=r"SGD expects a non-negative learning_rate\. Received: "
                                         r"learning_rate="):
        opt.learning_rate = value
    assert opt.learning_rate == 0.01


def test_a_schedule_cannot_be_replaced_by_a_number_as_in_keras():
    opt = SGD(learning_rate=schedules.ExponentialDecay(0.1, 10, 0.9))
    with pytest.raises(TypeError, match="LearningRateSchedule.*cannot be set to a number"):
        opt.learning_rate = 0.01
    opt.learning_rate = schedules.InverseTimeDecay(0.5, 1, 1.0)   # another schedule is fine
    assert opt.current_learning_rate() == 0.5


def test_schedule_sees_the_step_count_before_the_step():
    seen = []

    class Spy(schedules.LearningRateSchedule):
        def __call__(self, step):
            seen.append(step)
            return 0.1

    opt = Recorder(learning_rate=Spy())
    for _ in range(3):
        opt.apply([numpy.ones(1)], [axon.Variable(numpy.zeros(1))])
    assert seen == [0, 1, 2]


def test_callable_without_arguments_is_called_without_arguments_as_in_keras():
    opt = Recorder(learning_rate=lambda: 0.25)
    opt.apply([numpy.ones(1)], [axon.Variable(numpy.zeros(1))])
    assert opt.calls[0][1] == 0.25


# ---- weight decay -------------------------------------------------------------------------------
def test_weight_decay_by_hand():
    eta, wd = 0.1, 0.5
    w = axon.Variable(numpy.array([2.0, -4.0]))
    SGD(learning_rate=eta, weight_decay=wd).apply([numpy.array([1.0, 1.0])], [w])
    assert_allclose(w.numpy(), numpy.array([2.0, -4.0]) * (1 - eta * wd) - eta, rtol=1e-15)


def test_weight_decay_uses_the_scheduled_learning_rate():
    w = axon.Variable(numpy.array([1.0]))
    opt = SGD(learning_rate=schedules.PiecewiseConstantDecay([0], [0.1, 0.01]), weight_decay=1.0)
    opt.apply([numpy.array([0.0])], [w])     # step 0: eta = 0.1
    opt.apply([numpy.array([0.0])], [w])     # step 1: eta = 0.01
    assert_allclose(w.numpy(), [0.9 * 0.99], rtol=1e-15)


def test_weight_decay_skips_missing_gradients():
    a, b = axon.Variable(numpy.array([1.0])), axon.Variable(numpy.array([1.0]))
    SGD(learning_rate=0.1, weight_decay=1.0).apply([numpy.array([0.0]), None], [a, b])
    assert_allclose(a.numpy(), [0.9]) and assert_allclose(b.numpy(), [1.0])


def test_exclude_from_weight_decay_by_variable_and_by_name():
    kernel = axon.Variable(numpy.array([1.0]), name="dense/kernel")
    bias = axon.Variable(numpy.array([1.0]), name="dense/bias")
    other = axon.Variable(numpy.array([1.0]), name="gamma")
    opt = SGD(learning_rate=0.1, weight_decay=1.0)
    opt.exclude_from_weight_decay(var_list=[other], var_names=["bias"])
    opt.apply([numpy.zeros(1)] * 3, [kernel, bias, other])
    assert [v.numpy()[0] for v in (kernel, bias, other)] == [pytest.approx(0.9), 1.0, 1.0]


# ---- clipping -----------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs", [{"clipnorm": 1.0, "clipvalue": 1.0},
                                    {"clipvalue": 1.0, "global_clipnorm": 1.0},
                                    {"clipnorm": 1.0, "global_clipnorm": 2.0}])
def test_only_one_clipping_option(kwargs):
    with pytest.raises(ValueError, match="at most one of clipnorm, clipvalue and global_clipnorm"):
        Adam(**kwargs)


@pytest.mark.parametrize(("arg", "value"), [("clipnorm", 0.0), ("clipvalue", -1.0),
                                            ("global_clipnorm", "big"), ("weight_decay", -0.1)])
def test_bad_base_options(arg, value):
    with pytest.raises(ValueError, match=f"Adam expects {arg}.*Received: {arg}={value!r}"):
        Adam(**{arg: value})


def test_clipnorm_leaves_a_zero_gradient_finite():
    opt = Recorder(clipnorm=1.0)
    opt.apply([numpy.zeros(3)], [axon.Variable(numpy.zeros(3))])
    assert_allclose(opt.calls[0][0], numpy.zeros(3), atol=0)


def test_global_clipnorm_with_an_infinite_gradient_gives_nan_as_in_keras():
    opt = Recorder(global_clipnorm=1.0)
    opt.apply([numpy.array([numpy.inf]), numpy.array([1.0])],
              [axon.Variable(numpy.zeros(1)), axon.Variable(numpy.zeros(1))])
    assert all(numpy.isnan(call[0]).all() for call in opt.calls)


def test_clipping_does_not_modify_the_callers_gradient():
    g = numpy.array([3.0, 4.0])
    w = axon.Variable(numpy.zeros(2))
    SGD(learning_rate=1.0, clipnorm=1.0).apply([g], [w])
    assert_allclose(g, [3.0, 4.0], atol=0)
    assert_allclose(w.numpy(), [-0.6, -0.8], rtol=1e-14)


# ---- constraints and gradients of other types ----------------------------------------------------
def test_constraint_is_applied_after_the_update():
    w = axon.Variable(numpy.array([0.4, -0.4]), constraint=lambda v: numpy.clip(v.numpy(), -0.5, 0.5))
    SGD(learning_rate=1.0).apply([numpy.array([-1.0, 0.05])], [w])
    assert_allclose(w.numpy(), [0.5, -0.45], rtol=1e-14)


def test_constraint_may_return_a_tensor():
    w = axon.Variable(numpy.array([2.0]), constraint=lambda v: v * 0.5)
    SGD(learning_rate=1.0).apply([numpy.array([1.0])], [w])
    assert_allclose(w.numpy(), [0.5]) and w.creator is None


def test_tensor_and_list_gradients_are_accepted():
    a, b = axon.Variable(numpy.array([0.0])), axon.Variable(numpy.array([0.0]))
    SGD(learning_rate=1.0).apply([axon.Tensor(numpy.array([1.0])), [2.0]], [a, b])
    assert_allclose([a.numpy()[0], b.numpy()[0]], [-1.0, -2.0])


# ---- exponential moving average of the weights ---------------------------------------------------
def test_ema_by_hand():
    w = axon.Variable(numpy.array([0.0]))
    opt = SGD(learning_rate=1.0, use_ema=True, ema_momentum=0.5)
    opt.apply([numpy.array([-1.0])], [w])   # w = 1; average = w on the first step
    opt.apply([numpy.array([-1.0])], [w])   # w = 2; average = 0.5 * 1 + 0.5 * 2
    assert_allclose(opt._averages[id(w)], [1.5]) and assert_allclose(w.numpy(), [2.0])
    opt.finalize_variable_values([w])
    assert_allclose(w.numpy(), [1.5])


@pytest.mark.parametrize(("kwargs", "arg"), [({"ema_momentum": 1.5}, "ema_momentum"),
                                             ({"ema_overwrite_frequency": 0}, "ema_overwrite_frequency")])
def test_bad_ema_options(kwargs, arg):
    with pytest.raises(ValueError, match=f"{arg}.*Received: {arg}="):
        SGD(use_ema=True, **kwargs)


# ---- configuration ------------------------------------------------------------------------------
def test_config_stores_a_schedule_as_class_name_and_config():
    opt = Adam(learning_rate=schedules.CosineDecay(0.1, 100, alpha=0.1, warmup_target=0.5,
                                                   warmup_steps=10), clipnorm=1.0)
    config = opt.get_config()
    assert config["learning_rate"] == {"class_name": "CosineDecay", "config": {
        "initial_learning_rate": 0.1, "decay_steps": 100, "alpha": 0.1, "name": "CosineDecay",
        "warmup_target": 0.5, "warmup_steps": 10}}
    restored = Adam.from_config(json.loads(json.dumps(config)))
    assert isinstance(restored.learning_rate_schedule, schedules.CosineDecay)
    assert restored.get_config() == config
    assert restored.learning_rate_schedule(37) == opt.learning_rate_schedule(37)


def test_a_plain_callable_learning_rate_cannot_be_restored():
    config = SGD(learning_rate=lambda step: 0.1).get_config()
    with pytest.raises(ValueError, match="cannot restore a plain callable"):
        SGD.from_config(config)


@pytest.mark.parametrize("name", sorted(optimizers.ALL))
def test_serialize_deserialize_every_optimizer(name):
    opt = optimizers.get(name)
    opt.learning_rate = 0.125
    data = optimizers.serialize(opt)
    restored = optimizers.deserialize(json.loads(json.dumps(data)))
    assert type(restored) is type(opt) and restored.get_config() == opt.get_config()
    assert type(optimizers.get(data)) is type(opt)


def test_deserialize_custom_optimizer_and_schedule():
    class Halving(schedules.LearningRateSchedule):
        def __init__(self, start):
            self.start = start

        def __call__(self, step):
            return self.start * 0.5**step

        def get_config(self):
            return {"start": self.start}

    data = optimizers.serialize(Recorder(learning_rate=Halving(1.0)))
    restored = optimizers.deserialize(data, custom_objects={"Recorder": Recorder, "Halving": Halving})
    assert isinstance(restored, Recorder) and restored.learning_rate_schedule(3) == 0.125
    with pytest.raises(ValueError, match="Unknown learning rate schedule: 'Halving'"):
        optimizers.deserialize(data, custom_objects={"Recorder": Recorder})


def test_bad_serialized_optimizer():
    with pytest.raises(ValueError, match="keys 'class_name' and 'config'"):
        optimizers.get({"name": "adam"})


# ---- every optimizer: in place, no graph, scratch reused ------------------------------------------
@pytest.mark.parametrize("name", sorted(optimizers.ALL))
def test_every_optimizer_updates_in_place_without_a_graph(name):
    w = axon.Variable(numpy.ones((3, 2)))
    data = w.data
    opt = optimizers.get(name)
    for _ in range(2):
        opt.apply([numpy.full((3, 2), 0.5)], [w])
    assert w.data is data and w.creator is None and w.requires_grad
    assert (w.data != 1.0).all()   # moved (Adadelta by only ~3e-6 with its defaults)
    assert opt.iterations == 2


def test_scratch_arrays_are_reused():
    opt = Adam()
    x = numpy.zeros((4, 3))
    assert opt.scratch(x) is opt.scratch(numpy.ones((4, 3)))
    assert opt.scratch(x) is not opt.scratch(x, 1)
    assert opt.scratch(x) is not opt.scratch(x.astype(numpy.float32))
    assert math.isclose(opt.current_learning_rate(), 0.001)


def test_learning_rate_reads_the_schedule_at_the_current_step_as_keras_3():
    schedule = schedules.ExponentialDecay(0.1, decay_steps=1, decay_rate=0.5)
    opt = SGD(learning_rate=schedule)
    w = axon.Variable(numpy.array([0.0]))
    assert opt.learning_rate == pytest.approx(0.1)
    opt.apply([numpy.array([1.0])], [w])
    opt.apply([numpy.array([1.0])], [w])
    assert opt.learning_rate == pytest.approx(0.1 * 0.5 ** 2)
    assert opt.learning_rate_schedule is schedule
