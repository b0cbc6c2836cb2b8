"""EarlyStopping: patience, min_delta, modes, baseline, restoring weights, warm-up."""
from __future__ import annotations

import numpy as np
import pytest

import axon
from axon.callbacks import EarlyStopping

from .stubs import StubModel, play, tiny_model, tiny_regression


def test_patience_zero_stops_at_the_first_epoch_without_improvement():
    stop = EarlyStopping(patience=0)
    model, ran = play(stop, [1.0, 0.9, 0.95, 0.8])
    assert ran == [0, 1, 2]
    assert stop.stopped_epoch == 2 and model.stop_training
    assert stop.best == 0.9 and stop.best_epoch == 1


def test_patience_counts_epochs_without_improvement():
    stop = EarlyStopping(patience=2)
    _, ran = play(stop, [1.0, 0.9, 0.95, 0.96, 0.5])
    assert ran == [0, 1, 2, 3] and stop.stopped_epoch == 3


def test_an_improvement_resets_the_count():
    stop = EarlyStopping(patience=2)
    _, ran = play(stop, [1.0, 1.1, 0.9, 1.0, 1.2, 0.1])
    assert ran == [0, 1, 2, 3, 4] and stop.wait == 2


@pytest.mark.parametrize("min_delta", [1e-3, -1e-3])  # the sign is ignored, as in Keras
def test_min_delta_is_a_tolerance(min_delta):
    stop = EarlyStopping(monitor="loss", min_delta=min_delta, patience=0)
    _, ran = play(stop, [1.0, 0.9995, 0.5], key="loss")  # 0.0005 better: not enough
    assert ran == [0, 1] and stop.stopped_epoch == 1 and stop.best == 1.0
    stop = EarlyStopping(monitor="loss", min_delta=min_delta, patience=0)
    _, ran = play(stop, [1.0, 0.998, 0.9975], key="loss")  # 0.002 better: an improvement
    assert ran == [0, 1, 2] and stop.best == 0.998


def test_max_mode_is_inferred_for_accuracy_like_names():
    for monitor in ("val_accuracy", "acc", "val_auc", "precision", "val_recall"):
        stop = EarlyStopping(monitor=monitor, patience=0)
        assert stop.direction == "max"
        _, ran = play(stop, [0.5, 0.6, 0.55, 0.9], key=monitor)
        assert ran == [0, 1, 2], monitor


def test_min_mode_is_inferred_for_losses_and_errors():
    for monitor in ("val_loss", "loss", "val_mean_squared_error", "mae", "val_reconstruction_loss"):
        assert EarlyStopping(monitor=monitor).direction == "min", monitor


def test_explicit_mode_overrides_the_name():
    stop = EarlyStopping(monitor="val_loss", mode="max", patience=0)
    _, ran = play(stop, [1.0, 2.0, 1.5])
    assert ran == [0, 1, 2] and stop.best == 2.0


def test_unknown_direction_and_bad_arguments_are_errors():
    with pytest.raises(ValueError, match="mode='min' or mode='max'"):
        EarlyStopping(monitor="my_score")
    EarlyStopping(monitor="my_score", mode="max")
    with pytest.raises(ValueError, match="Received: mode='maximum'"):
        EarlyStopping(mode="maximum")
    with pytest.raises(ValueError, match="patience=-1"):
        EarlyStopping(patience=-1)
    with pytest.raises(ValueError, match="start_from_epoch=1.5"):
        EarlyStopping(start_from_epoch=1.5)
    with pytest.raises(ValueError, match="min_delta"):
        EarlyStopping(min_delta="0.1")


def test_baseline_must_be_beaten_to_reset_patience():
    # Without a baseline, steady improvement never stops training.
    _, ran = play(EarlyStopping(patience=2), [1.0, 0.9, 0.95])
    assert ran == [0, 1, 2]
    # With baseline 0.5, none of these beats it, so the count is never reset.
    stop = EarlyStopping(patience=2, baseline=0.5)
    _, ran = play(stop, [1.0, 0.9, 0.95, 0.1])
    assert ran == [0, 1, 2] and stop.stopped_epoch == 2
    # Beating the baseline resets the count.
    stop = EarlyStopping(patience=2, baseline=0.5)
    _, ran = play(stop, [1.0, 0.4, 0.45, 0.46, 0.47])
    assert ran == [0, 1, 2, 3]


def test_restore_best_weights_when_stopped():
    stop = EarlyStopping(patience=2, restore_best_weights=True)
    model, ran = play(stop, [1.0, 0.5, 0.7, 0.8, 0.1])
    assert ran == [0, 1, 2, 3]
    np.testing.assert_array_equal(model.weights[0], [1.0, 1.0])  # epoch 1's weights


def test_restore_best_weights_also_when_training_runs_to_the_end():
    stop = EarlyStopping(patience=10, restore_best_weights=True)
    model, ran = play(stop, [1.0, 0.5, 0.7])
    assert ran == [0, 1, 2] and stop.stopped_epoch == 0
    np.testing.assert_array_equal(model.weights[0], [1.0, 1.0])


def test_weights_are_kept_without_restore_best_weights():
    model, _ = play(EarlyStopping(patience=0), [1.0, 0.5, 0.7])
    np.testing.assert_array_equal(model.weights[0], [2.0, 2.0])


def test_start_from_epoch_skips_the_warm_up():
    stop = EarlyStopping(patience=0, start_from_epoch=2)
    _, ran = play(stop, [1.0, 0.5, 0.7, 0.8, 0.9])
    assert ran == [0, 1, 2, 3] and stop.best == 0.7 and stop.best_epoch == 2


def test_missing_monitor_warns_with_the_available_keys():
    stop = EarlyStopping(monitor="val_loss", patience=0)
    with pytest.warns(UserWarning, match="Available keys: loss, accuracy"):
        _, ran = play(stop, [1.0, 2.0], key="loss", extra={"accuracy": 0.5})
    assert ran == [0, 1] and stop.stopped_epoch == 0


def test_instance_is_reset_by_each_training():
    stop = EarlyStopping(patience=0)
    play(stop, [1.0, 2.0])
    assert stop.stopped_epoch == 1
    _, ran = play(stop, [5.0, 4.0, 3.0])  # the old best (1.0) must not count
    assert ran == [0, 1, 2] and stop.stopped_epoch == 0 and stop.best == 3.0


def test_verbose_messages(capsys):
    play(EarlyStopping(patience=1, verbose=1, restore_best_weights=True), [1.0, 0.5, 0.7, 0.8])
    out = capsys.readouterr().out
    assert "Epoch 3: early stopping" in out
    assert "Restoring model weights from the end of the best epoch: 2." in out
    play(EarlyStopping(patience=1), [1.0, 0.5, 0.7, 0.8])
    assert capsys.readouterr().out == ""


def test_fit_stops_and_restores_the_best_epoch_weights():
    x, y = tiny_regression(32)
    model = tiny_model(learning_rate=0.5)  # large steps: the validation loss soon wobbles
    snapshots = []
    record = axon.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: snapshots.append((logs["val_loss"], model.get_weights())))
    stop = EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True)
    history = model.fit(x, y, epochs=40, batch_size=8, validation_split=0.25, verbose=0,
                        callbacks=[record, stop])
    epochs_run = len(history.history["loss"])
    assert epochs_run == len(snapshots)
    best = int(np.argmin([value for value, _ in snapshots]))
    assert stop.best_epoch == best
    if stop.stopped_epoch:
        assert stop.stopped_epoch == epochs_run - 1 and epochs_run - 1 - best == 2
    for restored, expected in zip(model.get_weights(), snapshots[best][1]):
        np.testing.assert_array_equal(restored, expected)


def test_stub_model_has_what_callbacks_use():
    model = StubModel()
    model.set_weights([np.ones(2), np.array(3.0)])
    assert model.get_weights()[1] == 3.0
