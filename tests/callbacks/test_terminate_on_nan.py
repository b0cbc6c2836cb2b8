"""TerminateOnNaN: stops on a NaN or infinite batch loss, naming the epoch and step (the
diagnosis of where the value appeared: test_terminate_on_nan_diagnosis.py)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from axon.callbacks import TerminateOnNaN

from .stubs import StubModel, tiny_model


@pytest.mark.parametrize("loss", [math.nan, math.inf, -math.inf, np.float32("nan")])
def test_non_finite_loss_stops_training(loss, capsys):
    model = StubModel()
    callback = TerminateOnNaN()
    callback.set_model(model)
    callback.on_train_batch_end(0, {"loss": 1.0})
    assert not model.stop_training
    callback.on_train_batch_end(7, {"loss": loss})
    assert model.stop_training
    out = capsys.readouterr().out
    assert out.startswith(f"TerminateOnNaN: the loss became {float(loss)} at step 8 (last finite "
                          "loss 1, at step 1); training stops.\nNo diagnosis: this step was not "
                          "checked before the optimizer's update")


def test_epochs_and_steps_are_counted_as_the_progress_bar_counts(capsys):
    model = StubModel()
    callback = TerminateOnNaN()
    callback.set_model(model)
    callback.set_params({"epochs": 5, "steps": 20})
    callback.on_train_begin()
    assert model._nan_guard  # train_step checks each step before its update
    callback.on_epoch_begin(0)
    callback.on_train_batch_end(19, {"loss": 0.25})
    callback.on_epoch_resume(1, 4)  # resumed from a checkpoint inside the second epoch
    callback.on_train_batch_end(4, {"loss": math.nan})
    assert "the loss became nan at epoch 2/5, step 5/20 (last finite loss 0.25, at epoch 1/5, " \
           "step 20/20)" in capsys.readouterr().out
    callback.on_train_end()
    assert not model._nan_guard


def test_finite_or_missing_loss_does_nothing(capsys):
    model = StubModel()
    callback = TerminateOnNaN()
    callback.set_model(model)
    callback.on_train_batch_end(0, {"loss": 1e30})
    callback.on_train_batch_end(1, {})
    callback.on_train_batch_end(2, None)
    assert not model.stop_training and capsys.readouterr().out == ""


def test_raise_error():
    callback = TerminateOnNaN(raise_error=True)
    callback.set_model(StubModel())
    with pytest.raises(RuntimeError, match="the loss became nan at step 4 "):
        callback.on_train_batch_end(3, {"loss": math.nan})


def test_fit_stops_within_the_epoch(capsys):
    model = tiny_model(learning_rate=1e30)
    x = np.full((8, 3), 1e10, dtype="float32")
    y = np.zeros((8, 1), dtype="float32")
    batches = []
    from axon.callbacks import LambdaCallback
    count = LambdaCallback(on_train_batch_end=lambda batch, logs: batches.append(batch))
    with np.errstate(over="ignore", invalid="ignore"):
        history = model.fit(x, y, batch_size=1, epochs=3, verbose=0, shuffle=False,
                            callbacks=[count, TerminateOnNaN()])
    assert len(history.history["loss"]) == 1
    assert len(batches) < 8  # stopped before the epoch's end
    out = capsys.readouterr().out
    assert f"at epoch 1/3, step {batches[-1] + 1}/8" in out
    assert finite(model.get_weights())  # the non-finite update was not applied


def finite(weights):
    return all(np.isfinite(w).all() for w in weights)
