"""The optimizer base: clipping, step counting, missing gradients, learning rates and schedules,
legacy and unknown arguments, lookup by name. A recording optimizer isolates the base from any
update rule."""
from __future__ import annotations

import math

import numpy
import pytest
from numpy.testing import assert_allclose

import axon
from axon import optimizers
from axon.optimizers import SGD, Adam, Optimizer, RMSprop


class Recorder(Optimizer):
    """Keeps (gradient, variable, learning rate, step) for each update; moves nothing."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.calls = []

    def update_step(self, grad, variable, lr):
        self.calls.append((numpy.array(grad, copy=True), variable, lr, self.iterations))


@pytest.fixture(autouse=True)
def float64():
    previous = axon.config.floatx()
    axon.config.set_floatx("float64")
    yield
    axon.config.set_floatx(previous)


def variables(*shapes):
    return [axon.Variable(numpy.zeros(shape)) for shape in shapes]


# ---- clipping -----------------------------------------------------------------------------------
def test_clipvalue_clips_each_entry():
    opt = Recorder(clipvalue=1.0)
    opt.apply([numpy.array([3.0, -0.5, -4.0]), numpy.array([[0.25, 1.5]])], variables(3, (1, 2)))
    assert_allclose(opt.calls[0][0], [1.0, -0.5, -1.0], atol=0)
    assert_allclose(opt.calls[1][0], [[0.25, 1.0]], atol=0)


def test_clipnorm_rescales_each_gradient_on_its_own():
    opt = Recorder(clipnorm=1.0)
    opt.apply([numpy.array([3.0, 4.0]), numpy.array([0.3, 0.4])], variables(2, 2))
    assert_allclose(opt.calls[0][0], [0.6, 0.8], rtol=1e-10)  # norm 5 -> 1
    assert_allclose(opt.calls[1][0], [0.3, 0.4], rtol=0)      # norm 0.5: untouched


def test_global_clipnorm_rescales_all_gradients_together():
    opt = Recorder(global_clipnorm=1.3)
    opt.apply([numpy.array([3.0, 4.0]), numpy.array([12.0])], variables(2, 1))  # joint norm 13
    assert_allclose(opt.calls[0][0], [0.3, 0.4], rtol=1e-10)
    assert_allclose(opt.calls[1][0], [1.2], rtol=1e-10)
    below = Recorder(global_clipnorm=20.0)
    below.apply([numpy.array([3.0, 4.0]), numpy.array([12.0])], variables(2, 1))
    assert_allclose(below.calls[0][0], [3.0, 4.0], rtol=0)


def test_clipping_applies_before_the_update_rule():
    w = axon.Variable(numpy.array([0.0, 0.0]))
    SGD(learning_rate=0.1, clipnorm=1.0).apply([numpy.array([30.0, 40.0])], [w])
    assert_allclose(w.numpy(), [-0.06, -0.08], rtol=1e-10)


def test_clipnorm_and_global_clipnorm_are_exclusive():
    with pytest.raises(ValueError, match="clipnorm"):
        SGD(clipnorm=1.0, global_clipnorm=1.0)


# ---- steps, missing gradients, in-place updates -------------------------------------------------
def test_iterations_count_steps():
    opt = Recorder()
    w = variables(2)
    assert opt.iterations == 0
    for step in range(1, 4):
        opt.apply([numpy.ones(2)], w)
        assert opt.iterations == step
    assert [call[3] for call in opt.calls] == [1, 2, 3]  # update_step sees t from 1


def test_none_gradients_are_skipped():
    opt = SGD(learning_rate=0.5)
    a, b = axon.Variable(numpy.array([1.0])), axon.Variable(numpy.array([1.0]))
    opt.apply([None, numpy.array([2.0])], [a, b])
    assert_allclose(a.numpy(), [1.0], atol=0)
    assert_allclose(b.numpy(), [0.0], atol=0)
    assert opt.iterations == 1


def test_all_none_gradients_are_no_step():
    opt = Recorder()
    opt.apply([None, None], variables(1, 1))
    assert opt.iterations == 0 and opt.calls == []


@pytest.mark.parametrize("opt", [SGD(), SGD(momentum=0.9, nesterov=True), Adam(amsgrad=True),
                                 RMSprop(momentum=0.9, centered=True)],
                         ids=["sgd", "nesterov", "adam", "rmsprop"])
def test_updates_happen_in_place(opt):
    w = axon.Variable(numpy.ones((3, 2)))
    data = w.data
    before = data.copy()
    opt.apply([numpy.ones((3, 2))], [w])
    assert w.data is data
    assert not numpy.array_equal(w.data, before)
    assert w.creator is None and w.requires_grad  # no graph recorded by the update


def test_apply_gradients_takes_zipped_pairs():
    grads = [numpy.array([1.0, -1.0]), numpy.array([0.5])]
    w1, w2 = [axon.Variable(numpy.array([0.0, 0.0])), axon.Variable(numpy.array([1.0]))]
    SGD(learning_rate=0.1).apply_gradients(zip(grads, [w1, w2]))
    assert_allclose(w1.numpy(), [-0.1, 0.1], atol=1e-15)
    assert_allclose(w2.numpy(), [0.95], atol=1e-15)


# ---- learning rates -----------------------------------------------------------------------------
def test_callable_learning_rate_is_called_with_the_step_count():
    seen = []

    def schedule(step):
        seen.append(step)
        return 0.1 / (1 + step)

    opt = Recorder(learning_rate=schedule)
    w = variables(1)
    for _ in range(3):
        opt.apply([numpy.ones(1)], w)
    assert seen == [0, 1, 2]  # Keras: the schedule sees the number of steps already taken
    assert_allclose([call[2] for call in opt.calls], [0.1, 0.05, 0.1 / 3], rtol=1e-15)


def test_schedule_drives_sgd():
    w = axon.Variable(numpy.array([0.0]))
    opt = SGD(learning_rate=lambda step: 0.5**step)
    for _ in range(3):
        opt.apply([numpy.array([1.0])], [w])
    assert_allclose(w.numpy(), [-(1.0 + 0.5 + 0.25)], atol=1e-15)
    assert opt.current_learning_rate() == 0.125


@pytest.mark.parametrize("cls", [SGD, Adam, RMSprop])
def test_legacy_lr_keyword_warns_and_sets_learning_rate(cls):
    with pytest.warns(DeprecationWarning, match="'lr' is deprecated"):
        opt = cls(lr=0.5)
    assert opt.learning_rate == 0.5


@pytest.mark.parametrize("cls", [SGD, Adam, RMSprop])
def test_unknown_keyword_raises_type_error(cls):
    with pytest.raises(TypeError, match="unexpected keyword argument.*decay_rate"):
        cls(decay_rate=0.1)


@pytest.mark.parametrize("value", [-0.1, -1, "fast", None, float("nan")])
def test_bad_learning_rate(value):
    with pytest.raises(ValueError, match=r"non-negative learning_rate\. Received: learning_rate="):
        SGD(learning_rate=value)


def test_zero_learning_rate_is_accepted_as_in_keras():
    w = axon.Variable(numpy.array([1.0]))
    SGD(learning_rate=0.0).apply([numpy.array([5.0])], [w])
    assert w.numpy().tolist() == [1.0]


@pytest.mark.parametrize("value", [1, numpy.float64(0.1), numpy.float32(0.1)],
                         ids=["int", "numpy_float64", "numpy_float32"])
def test_numeric_learning_rates_are_accepted(value):
    opt = SGD(learning_rate=value)
    assert opt.current_learning_rate() == pytest.approx(float(value), rel=1e-7)


# ---- lookup -------------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "cls"), [("adam", Adam), ("Adam", Adam), ("sgd", SGD),
                                           ("SGD", SGD), ("rmsprop", RMSprop), ("RMSprop", RMSprop)])
def test_get_by_name(name, cls):
    assert type(optimizers.get(name)) is cls


def test_get_instance_and_class():
    opt = Adam(learning_rate=0.1)
    assert optimizers.get(opt) is opt
    assert type(optimizers.get(RMSprop)) is RMSprop


def test_unknown_optimizer_name_lists_known_names():
    with pytest.raises(ValueError, match="Unknown optimizer: 'adamq'.*adadelta, adagrad, adam, adamax, "
                                         "adamw, lion, nadam, rmsprop, sgd"):
        optimizers.get("adamq")


def test_uninterpretable_optimizer_identifier():
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier: 0.1"):
        optimizers.get(0.1)


def test_base_update_step_is_abstract():
    with pytest.raises(NotImplementedError):
        Optimizer(learning_rate=0.1).apply([numpy.ones(1)], variables(1))


def test_slots_are_kept_per_variable():
    opt = Adam()
    a, b = variables(2, 2)
    opt.apply([numpy.ones(2), -numpy.ones(2)], [a, b])
    assert opt.slots(a) is not opt.slots(b)
    assert_allclose(opt.slots(a)["m"], [0.1, 0.1], rtol=1e-15)
    assert_allclose(opt.slots(b)["m"], [-0.1, -0.1], rtol=1e-15)
    assert math.isclose(opt.current_learning_rate(), 0.001)


def test_subnormal_slot_entries_are_flushed_to_zero_every_64_steps():
    """Squared-gradient averages that decay below the smallest normal float are set to 0."""
    weight = axon.Variable(numpy.ones((4, 4), dtype="float32"))
    optimizer = axon.optimizers.Adam(learning_rate=1e-3)
    tiny = numpy.finfo(numpy.float32).tiny

    def subnormal_count():
        return sum(int(numpy.sum((slot != 0) & (numpy.abs(slot) < tiny)))
                   for slots in optimizer._slots.values() for slot in slots.values())

    for _ in range(63):  # g*g = 1e-40 is subnormal in float32
        optimizer.apply([numpy.full((4, 4), 1e-20, dtype="float32")], [weight])
    assert subnormal_count() == 16
    optimizer.apply([numpy.full((4, 4), 1e-20, dtype="float32")], [weight])
    assert subnormal_count() == 0
