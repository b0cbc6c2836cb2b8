"""A subclassed keras.Model: layers created in __init__, the forward pass in call(x, training),
with Dropout that is only active when training=True, and a residual connection.

Learning outcome: the model fits a noisy non-linear regression (test R^2 > 0.85); in inference
mode it is deterministic, while training=True makes Dropout change the output.
"""
import keras
import numpy as np
from keras import layers

keras.utils.set_random_seed(15)
rng = np.random.default_rng(15)


class ResidualRegressor(keras.Model):
    def __init__(self, hidden=32, rate=0.1, **kwargs):
        super().__init__(**kwargs)
        self.project = layers.Dense(hidden, activation="relu")
        self.block = layers.Dense(hidden, activation="relu")
        self.dropout = layers.Dropout(rate)
        self.head = layers.Dense(1)

    def call(self, x, training=False):
        h = self.project(x)
        h = h + self.dropout(self.block(h), training=training)
        return self.head(h)


x = rng.uniform(-2, 2, size=(1200, 3)).astype("float32")
y = (np.sin(x[:, 0]) * x[:, 1] + 0.5 * x[:, 2] ** 2 + 0.1 * rng.normal(size=1200))
y = y.astype("float32").reshape(-1, 1)
x_train, y_train, x_test, y_test = x[:1000], y[:1000], x[1000:], y[1000:]

model = ResidualRegressor(name="residual_regressor")
model.compile(optimizer=keras.optimizers.Nadam(learning_rate=0.005), loss="huber",
              metrics=[keras.metrics.RootMeanSquaredError(name="rmse")])
history = model.fit(x_train, y_train, epochs=30, batch_size=32, validation_split=0.1, verbose=0)
predictions = model.predict(x_test, verbose=0)
r2 = 1.0 - float(np.mean((predictions - y_test) ** 2) / np.var(y_test))
print(f"test R^2 {r2:.4f}, final rmse {history.history['rmse'][-1]:.4f}")

assert r2 > 0.85, r2
assert len(model.trainable_weights) == 6  # three Dense layers, kernel + bias each
inference_a = np.asarray(model(x_test[:16], training=False))
inference_b = np.asarray(model(x_test[:16], training=False))
noisy = np.asarray(model(x_test[:16], training=True))
assert np.array_equal(inference_a, inference_b)
assert not np.allclose(inference_a, noisy)
assert np.allclose(inference_a, predictions[:16], atol=1e-5)
