"""A hand-driven loop over train_on_batch / test_on_batch / predict_on_batch, with one-hot labels
from to_categorical, label smoothing, a learning-rate schedule and an F1 metric.

Learning outcome: on the digits of an MNIST slice the batch loop reaches test accuracy > 0.85,
the optimizer's learning rate decays as ExponentialDecay says, and F1 agrees with accuracy.
As in Keras 3, train_on_batch returns the loss and metrics of that one batch.
"""
import keras
import numpy as np
from keras import layers

keras.utils.set_random_seed(16)
rng = np.random.default_rng(16)

(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
x_train = x_train[:3000].reshape(-1, 784).astype("float32") / 255.0
x_test = x_test[:1000].reshape(-1, 784).astype("float32") / 255.0
y_train = keras.utils.to_categorical(y_train[:3000], num_classes=10)
y_test = keras.utils.to_categorical(y_test[:1000], num_classes=10)

schedule = keras.optimizers.schedules.ExponentialDecay(initial_learning_rate=0.002,
                                                       decay_steps=50, decay_rate=0.5)
model = keras.Sequential([keras.Input(shape=(784,)), layers.Dense(64, activation="relu"),
                          layers.LayerNormalization(), layers.Dense(10, activation="softmax")])
model.compile(optimizer=keras.optimizers.Adam(learning_rate=schedule),
              loss=keras.losses.CategoricalCrossentropy(label_smoothing=0.1),
              metrics=["accuracy", keras.metrics.F1Score(average="macro", name="f1")])

first_loss = None
for _epoch in range(3):
    order = rng.permutation(len(x_train))
    for start in range(0, len(x_train), 100):
        batch = order[start:start + 100]
        logs = model.train_on_batch(x_train[batch], y_train[batch], return_dict=True)
        first_loss = logs["loss"] if first_loss is None else first_loss
print("last training logs", {k: round(float(v), 4) for k, v in logs.items()})

# train_on_batch reports the loss of its own batch (before the update), not a running mean
x_batch, y_batch = x_train[:100], y_train[:100]
p = np.asarray(model.predict_on_batch(x_batch))
smoothed = y_batch * 0.9 + 0.1 / 10
expected_loss = float(np.mean(-np.sum(smoothed * np.log(np.clip(p, 1e-7, 1.0)), axis=1)))
step_loss = model.train_on_batch(x_batch, y_batch)[0]
print(f"one more batch: loss {step_loss:.5f}, computed by hand {expected_loss:.5f}")

steps = int(model.optimizer.iterations)
expected_lr = 0.002 * 0.5 ** (steps / 50)
test_logs = model.test_on_batch(x_test, y_test, return_dict=True)
probabilities = model.predict_on_batch(x_test[:10])
print(f"steps {steps}, test {test_logs}")

assert steps == 91
assert abs(step_loss - expected_loss) < 1e-3
assert abs(float(schedule(steps)) - expected_lr) < 1e-7
# with a schedule, optimizer.learning_rate reads as the current rate
assert abs(float(np.asarray(model.optimizer.learning_rate)) - expected_lr) < 1e-7
assert logs["loss"] < 0.5 * first_loss
assert test_logs["accuracy"] > 0.85, test_logs
assert abs(test_logs["f1"] - test_logs["accuracy"]) < 0.05
assert np.asarray(probabilities).shape == (10, 10)
assert np.allclose(np.asarray(probabilities).sum(axis=1), 1.0, atol=1e-5)
