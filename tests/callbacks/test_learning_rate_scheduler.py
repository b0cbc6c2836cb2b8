"""LearningRateScheduler: sets the rate at each epoch start; older one-argument schedules."""
from __future__ import annotations

import pytest

from axon.callbacks import LearningRateScheduler

from .stubs import StubModel, tiny_model, tiny_regression


def drive(callback, epochs, learning_rate=1.0):
    model = StubModel(learning_rate)
    callback.set_model(model)
    used, logged = [], []
    for epoch in range(epochs):
        callback.on_epoch_begin(epoch)
        used.append(model.optimizer.learning_rate)
        logs = {"loss": 1.0}
        callback.on_epoch_end(epoch, logs)
        logged.append(logs["learning_rate"])
    return used, logged


def test_schedule_of_epoch_and_rate():
    calls = []

    def schedule(epoch, lr):
        calls.append((epoch, lr))
        return lr * 0.5 if epoch >= 1 else lr

    used, logged = drive(LearningRateScheduler(schedule), 3)
    assert calls == [(0, 1.0), (1, 1.0), (2, 0.5)]
    assert used == logged == [1.0, 0.5, 0.25]


def test_schedule_of_epoch_only():
    used, _ = drive(LearningRateScheduler(lambda epoch: 0.1 * (epoch + 1)), 3)
    assert used == pytest.approx([0.1, 0.2, 0.3])


def test_integer_results_become_floats():
    used, _ = drive(LearningRateScheduler(lambda epoch, lr: 1), 1)
    assert used == [1.0] and isinstance(used[0], float)


@pytest.mark.parametrize("result", ["0.1", None, float("nan"), -0.1])
def test_bad_schedule_results(result):
    with pytest.raises(ValueError, match="LearningRateScheduler expects a learning rate"):
        drive(LearningRateScheduler(lambda epoch, lr: result), 1)


def test_not_a_function():
    with pytest.raises(TypeError, match="schedule=0.1"):
        LearningRateScheduler(0.1)


def test_verbose(capsys):
    drive(LearningRateScheduler(lambda epoch, lr: 0.5, verbose=1), 1)
    assert "Epoch 1: LearningRateScheduler setting learning rate to 0.5." in capsys.readouterr().out


def test_fit_uses_the_scheduled_rate_each_epoch():
    x, y = tiny_regression(16)
    model = tiny_model(learning_rate=0.1)
    seen = []

    def schedule(epoch, lr):
        seen.append(lr)
        return 0.1 / (epoch + 1)

    model.fit(x, y, epochs=3, verbose=0, callbacks=[LearningRateScheduler(schedule)])
    assert seen == pytest.approx([0.1, 0.1, 0.05])
    assert model.optimizer.learning_rate == pytest.approx(0.1 / 3)
