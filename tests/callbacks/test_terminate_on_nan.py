"""TerminateOnNaN: stops on a NaN or infinite batch loss, naming the batch."""
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
    assert "Batch 7: Invalid loss, terminating training" in capsys.readouterr().out


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
    with pytest.raises(RuntimeError, match="at batch 3"):
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
    assert f"Batch {batches[-1]}: Invalid loss" in capsys.readouterr().out
