"""A stand-in model for driving callbacks by hand, and a helper that plays a fit loop."""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np


class StubModel:
    """What callbacks may touch: weights, the optimizer's learning rate, stop_training, saving."""

    def __init__(self, learning_rate=0.1):
        self.weights = [np.zeros(2), np.zeros(())]
        self.optimizer = SimpleNamespace(learning_rate=learning_rate)
        self.stop_training = False
        self.saved: list[tuple[str, str]] = []

    def get_weights(self):
        return [w.copy() for w in self.weights]

    def set_weights(self, weights):
        self.weights = [np.array(w) for w in weights]

    def save(self, path):
        Path(path).write_text("model")
        self.saved.append(("model", str(path)))

    def save_weights(self, path):
        Path(path).write_text("weights")
        self.saved.append(("weights", str(path)))


def play(callback, values, key="val_loss", model=None, extra=None):
    """Run ``callback`` through one training of ``len(values)`` epochs whose logs hold
    ``{key: value}``; before each epoch end the model's weights are set to the epoch index.
    Returns (the model, the epochs that ran)."""
    model = model or StubModel()
    callback.set_model(model)
    callback.set_params({"epochs": len(values), "steps": 1, "verbose": 0})
    callback.on_train_begin()
    ran = []
    for epoch, value in enumerate(values):
        callback.on_epoch_begin(epoch)
        model.set_weights([np.full(2, float(epoch)), np.array(float(epoch))])
        logs = {key: value, **(extra or {})}
        callback.on_epoch_end(epoch, logs)
        ran.append(epoch)
        if model.stop_training:
            break
    callback.on_train_end()
    return model, ran


def tiny_regression(n=16, seed=0):
    """Inputs (n, 3) and linear targets (n, 1), float64-free and deterministic."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3)).astype("float32")
    y = (x @ np.array([[1.0], [-2.0], [0.5]], dtype="float32") + 0.3).astype("float32")
    return x, y


def tiny_model(learning_rate=0.05, optimizer="sgd"):
    import axon

    model = axon.Sequential([axon.layers.Dense(4, activation="tanh", input_shape=(3,)),
                             axon.layers.Dense(1)])
    opt = axon.optimizers.get(optimizer)
    opt.learning_rate = learning_rate
    model.compile(optimizer=opt, loss="mse")
    return model
