"""Callbacks: ModelCheckpoint (best only), CSVLogger, ReduceLROnPlateau, LearningRateScheduler,
LambdaCallback and TerminateOnNaN around a small regression.

Learning outcome: the loss falls; the checkpoint holds the model of the best validation epoch (a
reloaded copy scores exactly the best val_loss); the CSV log has one row per epoch; the learning
rate was cut on the plateau and followed the schedule; a diverging run is stopped at once.
"""
import csv
import os

import keras
import numpy as np
from keras import layers

keras.utils.set_random_seed(7)
rng = np.random.default_rng(7)
x = rng.normal(size=(600, 5)).astype("float32")
y = (x @ np.array([1.5, -2.0, 0.5, 0.0, 1.0]) + 0.3 * rng.normal(size=600)).astype("float32")
x_train, y_train, x_val, y_val = x[:480], y[:480], x[480:], y[480:]


def make_model():
    model = keras.Sequential([keras.Input(shape=(5,)), layers.Dense(16, activation="tanh"),
                              layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.05), loss="mse")
    return model


def current_lr(model):
    return float(np.asarray(model.optimizer.learning_rate))


# 1. checkpoint + CSV log + learning-rate cuts on a plateau, watched by a LambdaCallback
model = make_model()
rates = []
callbacks = [
    keras.callbacks.ModelCheckpoint("best.keras", monitor="val_loss", save_best_only=True),
    keras.callbacks.CSVLogger("training.csv"),
    keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=2, min_delta=1e-3,
                                      min_lr=1e-4),
    keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: rates.append(current_lr(model))),
]
history = model.fit(x_train, y_train, epochs=30, batch_size=32, validation_data=(x_val, y_val),
                    callbacks=callbacks, verbose=0)
val_losses = history.history["val_loss"]
print("learning rates", rates)

assert history.history["loss"][-1] < 0.1 * history.history["loss"][0]
assert os.path.exists("best.keras")
best = keras.models.load_model("best.keras")
assert abs(best.evaluate(x_val, y_val, verbose=0) - min(val_losses)) < 1e-4 * max(1.0, min(val_losses))
with open("training.csv", newline="") as f:
    rows = list(csv.DictReader(f))
assert len(rows) == 30 and [int(r["epoch"]) for r in rows] == list(range(30))
assert np.allclose([float(r["val_loss"]) for r in rows], val_losses, rtol=1e-4)
assert len(rates) == 30 and np.isclose(rates[0], 0.05) and rates[-1] < 0.04
assert all(later <= earlier for earlier, later in zip(rates, rates[1:]))

# 2. a learning-rate schedule per epoch
model = make_model()
rates = []
history = model.fit(
    x_train, y_train, epochs=5, batch_size=32, verbose=0,
    callbacks=[keras.callbacks.LearningRateScheduler(lambda epoch, lr: 0.02 * 0.5 ** epoch),
               keras.callbacks.LambdaCallback(on_epoch_end=lambda e, logs: rates.append(current_lr(model)))])
print("scheduled rates", rates)
assert np.allclose(rates, [0.02, 0.01, 0.005, 0.0025, 0.00125])
assert history.history["loss"][-1] < history.history["loss"][0]

# 3. a diverging run (far too large a step) is stopped by TerminateOnNaN in its first epoch
model = keras.Sequential([keras.Input(shape=(5,)), layers.Dense(1)])
model.compile(optimizer=keras.optimizers.SGD(learning_rate=1e4), loss="mse")
history = model.fit(x_train, y_train * 1e3, epochs=10, batch_size=32, verbose=0,
                    callbacks=[keras.callbacks.TerminateOnNaN()])
print("diverging run epochs", len(history.history["loss"]))
assert len(history.history["loss"]) == 1
