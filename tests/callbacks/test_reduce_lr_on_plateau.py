"""ReduceLROnPlateau: patience, factor, cooldown, min_lr, min_delta, the logged rate."""
from __future__ import annotations

import pytest

from axon.callbacks import ReduceLROnPlateau

from .stubs import StubModel, tiny_model, tiny_regression


def rates(callback, values, key="val_loss", learning_rate=1.0, model=None):
    """The learning rate after each epoch end, and the logs each epoch end saw."""
    model = model or StubModel(learning_rate)
    callback.set_model(model)
    callback.on_train_begin()
    after, seen = [], []
    for epoch, value in enumerate(values):
        logs = {key: value}
        callback.on_epoch_end(epoch, logs)
        after.append(model.optimizer.learning_rate)
        seen.append(logs)
    return after, seen


def test_reduces_after_patience_epochs_without_improvement():
    after, _ = rates(ReduceLROnPlateau(factor=0.5, patience=2), [1.0] * 5)
    assert after == [1.0, 1.0, 0.5, 0.5, 0.25]


def test_improvement_resets_the_wait():
    after, _ = rates(ReduceLROnPlateau(factor=0.5, patience=2), [1.0, 1.0, 0.5, 0.5, 0.5])
    assert after == [1.0, 1.0, 1.0, 1.0, 0.5]


def test_cooldown_delays_the_next_count():
    after, _ = rates(ReduceLROnPlateau(factor=0.5, patience=2, cooldown=2), [1.0] * 7)
    assert after == [1.0, 1.0, 0.5, 0.5, 0.5, 0.25, 0.25]


def test_min_lr_is_a_floor(capsys):
    callback = ReduceLROnPlateau(factor=0.1, patience=1, min_lr=0.05, verbose=1)
    after, _ = rates(callback, [1.0] * 5)
    assert after == [1.0, 0.1, 0.05, 0.05, 0.05]
    out = capsys.readouterr().out
    assert "Epoch 2: ReduceLROnPlateau reducing learning rate to 0.1" in out
    assert out.count("reducing") == 2  # no message once at the floor


def test_min_delta_counts_small_gains_as_none():
    after, _ = rates(ReduceLROnPlateau(factor=0.5, patience=1, min_delta=0.01),
                     [1.0, 0.995, 0.99, 0.5])
    assert after == [1.0, 0.5, 0.25, 0.25]


def test_max_mode_for_accuracy():
    after, _ = rates(ReduceLROnPlateau(monitor="val_accuracy", factor=0.5, patience=1),
                     [0.5, 0.6, 0.55, 0.7], key="val_accuracy")
    assert after == [1.0, 1.0, 0.5, 0.5]


def test_learning_rate_is_logged_before_it_changes():
    _, seen = rates(ReduceLROnPlateau(factor=0.5, patience=1), [1.0, 1.0, 1.0])
    assert [logs["learning_rate"] for logs in seen] == [1.0, 1.0, 0.5]


def test_missing_monitor_warns():
    with pytest.warns(UserWarning, match="Available keys: loss, learning_rate"):
        after, _ = rates(ReduceLROnPlateau(patience=0), [1.0, 1.0], key="loss")
    assert after == [1.0, 1.0]


def test_state_is_reset_by_each_training():
    callback = ReduceLROnPlateau(factor=0.5, patience=1)
    rates(callback, [0.1])
    after, _ = rates(callback, [1.0, 0.9])  # the old best (0.1) must not count
    assert after == [1.0, 1.0]


def test_bad_arguments():
    with pytest.raises(ValueError, match="factor=1.0"):
        ReduceLROnPlateau(factor=1.0)
    with pytest.raises(ValueError, match="patience=-1"):
        ReduceLROnPlateau(patience=-1)
    with pytest.raises(ValueError, match="min_lr=-0.1"):
        ReduceLROnPlateau(min_lr=-0.1)


def test_a_schedule_cannot_be_reduced():
    model = StubModel(learning_rate=lambda step: 0.1)
    with pytest.raises(TypeError, match="schedule"):
        rates(ReduceLROnPlateau(patience=0), [1.0, 1.0], model=model)


def test_fit_reduces_the_optimizer_rate():
    x, y = tiny_regression(16)
    model = tiny_model(learning_rate=0.01)
    reduce = ReduceLROnPlateau(monitor="loss", factor=0.5, patience=0, min_delta=100.0)
    model.fit(x, y, epochs=3, verbose=0, callbacks=[reduce])
    assert model.optimizer.learning_rate == pytest.approx(0.01 * 0.5 ** 2)
