"""A functional model with two inputs joined by Concatenate.

Each example has a numeric "measurements" part and a one-hot "group" part; the label depends on
both (the group flips the sign of the decision), so neither input alone can predict it.
Learning outcome: accuracy > 0.93 with both inputs, given as a list and as a dict by input name,
and the same model is near chance when the group input is scrambled.
"""
import keras
import numpy as np
from keras import layers

keras.utils.set_random_seed(5)
rng = np.random.default_rng(5)


def make_data(n):
    measurements = rng.normal(size=(n, 6)).astype("float32")
    group = rng.integers(0, 2, size=n)
    score = measurements[:, 0] + 0.5 * measurements[:, 1] - 0.5 * measurements[:, 2]
    label = ((score > 0) ^ (group == 1)).astype("float32")
    return measurements, keras.utils.to_categorical(group, 2), label


m_train, g_train, y_train = make_data(1500)
m_test, g_test, y_test = make_data(500)

measurements_in = keras.Input(shape=(6,), name="measurements")
group_in = keras.Input(shape=(2,), name="group")
x = layers.Concatenate()([layers.Dense(16, activation="relu")(measurements_in), group_in])
x = layers.Dense(32, activation="relu")(x)
x = layers.Dense(16, activation="relu")(x)
output = layers.Dense(1, activation="sigmoid", name="label")(x)
model = keras.Model(inputs=[measurements_in, group_in], outputs=output)

model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.005), loss="binary_crossentropy",
              metrics=["accuracy"])
model.fit([m_train, g_train], y_train, epochs=25, batch_size=32, verbose=0)

_, accuracy = model.evaluate([m_test, g_test], y_test, verbose=0)
by_name = model.evaluate({"measurements": m_test, "group": g_test}, y_test, verbose=0,
                         return_dict=True)
scrambled = model.evaluate([m_test, g_test[rng.permutation(len(g_test))]], y_test, verbose=0)[1]
print(f"accuracy {accuracy:.4f} (dict inputs {by_name['accuracy']:.4f}), scrambled group {scrambled:.4f}")

assert len(model.inputs) == 2 and model.count_params() > 0
assert accuracy > 0.93, accuracy
assert abs(by_name["accuracy"] - accuracy) < 1e-6
assert scrambled < 0.7, scrambled
