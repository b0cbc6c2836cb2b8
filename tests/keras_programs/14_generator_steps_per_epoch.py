"""Training from a Python generator with steps_per_epoch (and a generator for validation).

The generator draws fresh samples forever (a stream, not a fixed array), so fit needs
steps_per_epoch; validation also comes from a generator with validation_steps.
Learning outcome: a 3-class problem (concentric rings) reaches accuracy > 0.9 on arrays never
seen in training, evaluated both from arrays and from a generator with steps=.
"""
import keras
import numpy as np
from keras import layers

keras.utils.set_random_seed(14)


def sample(rng, n):
    radius = rng.integers(0, 3, size=n)
    angle = rng.uniform(0, 2 * np.pi, size=n)
    r = 1.0 + radius + 0.15 * rng.normal(size=n)
    x = np.stack([r * np.cos(angle), r * np.sin(angle)], axis=1).astype("float32")
    return x, radius.astype("int64")


def batches(seed, batch_size=64):
    rng = np.random.default_rng(seed)
    while True:
        yield sample(rng, batch_size)


model = keras.Sequential([
    keras.Input(shape=(2,)),
    layers.Dense(32, activation="relu"),
    layers.Dense(32, activation="relu"),
    layers.Dense(3, activation="softmax"),
])
model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.005),
              loss="sparse_categorical_crossentropy", metrics=["accuracy"])
history = model.fit(batches(seed=1), steps_per_epoch=30, epochs=8,
                    validation_data=batches(seed=2), validation_steps=5, verbose=0)

x_test, y_test = sample(np.random.default_rng(3), 600)
_, accuracy = model.evaluate(x_test, y_test, verbose=0)
_, generator_accuracy = model.evaluate(batches(seed=4), steps=10, verbose=0)
print("val_accuracy", [round(a, 3) for a in history.history["val_accuracy"]])
print(f"test accuracy {accuracy:.4f}, from a generator {generator_accuracy:.4f}")

assert len(history.history["loss"]) == 8
assert history.history["val_accuracy"][-1] > history.history["val_accuracy"][0]
assert accuracy > 0.9 and generator_accuracy > 0.9, (accuracy, generator_accuracy)
