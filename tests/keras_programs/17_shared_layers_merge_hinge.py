"""A two-input "same cluster?" model: one Dense tower shared by both inputs, merged with
Subtract, Multiply and Concatenate, trained with the hinge loss and SGD with Nesterov momentum
and gradient clipping.

Learning outcome: held-out pair accuracy > 0.9, and the tower's weights exist once (sharing).
"""
import keras
import numpy as np
from keras import layers

keras.utils.set_random_seed(17)
rng = np.random.default_rng(17)
centers = rng.normal(scale=3.0, size=(5, 6))


def pairs(n):
    a_cluster = rng.integers(0, 5, size=n)
    same = rng.uniform(size=n) < 0.5
    b_cluster = np.where(same, a_cluster, (a_cluster + rng.integers(1, 5, size=n)) % 5)
    a = centers[a_cluster] + rng.normal(size=(n, 6))
    b = centers[b_cluster] + rng.normal(size=(n, 6))
    return a.astype("float32"), b.astype("float32"), same.astype("float32")


a_train, b_train, y_train = pairs(2000)
a_test, b_test, y_test = pairs(500)

tower = keras.Sequential([layers.Dense(32, activation="relu"), layers.Dense(16)], name="tower")
input_a = keras.Input(shape=(6,), name="a")
input_b = keras.Input(shape=(6,), name="b")
embedded_a, embedded_b = tower(input_a), tower(input_b)
difference = layers.Subtract()([embedded_a, embedded_b])
product = layers.Multiply()([embedded_a, embedded_b])
merged = layers.Concatenate()([layers.Multiply()([difference, difference]), product])
hidden = layers.Dense(16, activation="relu")(merged)
score = layers.Dense(1, activation="tanh")(hidden)
model = keras.Model(inputs=[input_a, input_b], outputs=score)

model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.02, momentum=0.9, nesterov=True,
                                             clipnorm=1.0),
              loss="hinge",  # labels 0/1 are mapped to -1/+1 by the hinge loss
              metrics=[keras.metrics.BinaryAccuracy(threshold=0.0, name="accuracy")])
history = model.fit([a_train, b_train], y_train, epochs=15, batch_size=32, verbose=0)
loss, accuracy = model.evaluate([a_test, b_test], y_test, verbose=0)
print(f"train accuracy {history.history['accuracy'][-1]:.4f}, test accuracy {accuracy:.4f}")

assert len(tower.trainable_weights) == 4
assert len(model.trainable_weights) == 4 + 4  # the tower once, plus the two head layers
assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
assert accuracy > 0.9, accuracy
