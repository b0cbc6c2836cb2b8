"""Regression on a synthetic housing-style table: a Sequential MLP, mse, EarlyStopping.

Learning outcome: the test error is a small fraction of the target's variance, and
EarlyStopping(restore_best_weights=True) leaves the model at its best validation epoch.
"""
import keras
import numpy as np
from keras import layers

keras.utils.set_random_seed(1)
rng = np.random.default_rng(1)

# 13 features like the Boston housing table; the price depends on them non-linearly.
n, d = 400, 13
x = rng.normal(size=(n, d)).astype("float32")
w = rng.normal(size=(d,)).astype("float32")
y = x @ w + 0.8 * x[:, 0] * x[:, 1] + np.sin(2 * x[:, 2]) + 0.3 * rng.normal(size=n)
y = y.astype("float32").reshape(-1, 1)
x_train, x_test, y_train, y_test = x[:300], x[300:], y[:300], y[300:]
mean, std = x_train.mean(axis=0), x_train.std(axis=0)
x_train, x_test = (x_train - mean) / std, (x_test - mean) / std

model = keras.Sequential([
    keras.Input(shape=(d,)),
    layers.Dense(64, activation="relu"),
    layers.Dense(64, activation="relu"),
    layers.Dense(1),
])
model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="mse", metrics=["mae"])
early_stopping = keras.callbacks.EarlyStopping(monitor="val_loss", patience=8,
                                               restore_best_weights=True)
history = model.fit(x_train, y_train, epochs=200, batch_size=32, validation_split=0.25,
                    callbacks=[early_stopping], verbose=0)

epochs_run = len(history.history["loss"])
best_val = min(history.history["val_loss"])
# validation_split takes the last 25% of the training arrays (before any shuffling)
restored_val = model.evaluate(x_train[-75:], y_train[-75:], verbose=0)[0]
test_mse, test_mae = model.evaluate(x_test, y_test, verbose=0)
print(f"epochs run {epochs_run}, best val_loss {best_val:.4f}, restored {restored_val:.4f}")
print(f"test mse {test_mse:.4f} (target variance {float(y_test.var()):.4f}), mae {test_mae:.4f}")

assert early_stopping.stopped_epoch > 0 and epochs_run < 200, "EarlyStopping did not stop"
assert abs(restored_val - best_val) < 1e-3 * max(1.0, best_val), "best weights not restored"
assert test_mse < 0.25 * float(y_test.var()), test_mse
assert history.history["loss"][-1] < 0.2 * history.history["loss"][0]
