"""Fashion-MNIST with BatchNormalization and Dropout between the dense layers.

Learning outcome: test accuracy > 0.78 on a 5,000-image slice, the BatchNormalization layer's
moving statistics have left their initial values (0 and 1), and Dropout is off at inference
(two predictions of the same batch are identical).
"""
import keras
import numpy as np
from keras import layers

keras.utils.set_random_seed(4)

(x_train, y_train), (x_test, y_test) = keras.datasets.fashion_mnist.load_data()
x_train = x_train[:5000].astype("float32") / 255.0
y_train = y_train[:5000]
x_test = x_test[:2000].astype("float32") / 255.0
y_test = y_test[:2000]

model = keras.Sequential([
    keras.Input(shape=(28, 28)),
    layers.Flatten(),
    layers.Dense(128, use_bias=False),
    layers.BatchNormalization(),
    layers.Activation("relu"),
    layers.Dropout(0.3),
    layers.Dense(64, activation="relu"),
    layers.Dropout(0.3),
    layers.Dense(10, activation="softmax"),
])
model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3),
              loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(x_train, y_train, epochs=8, batch_size=64, verbose=0)
results = model.evaluate(x_test, y_test, verbose=0, return_dict=True)
print("test", results)

batch_norm = model.layers[2]
moving_mean, moving_variance = batch_norm.moving_mean.numpy(), batch_norm.moving_variance.numpy()
assert moving_mean.shape == (128,) and np.abs(moving_mean).max() > 0.01
assert np.abs(moving_variance - 1.0).max() > 0.01
first = model.predict(x_test[:32], verbose=0)
second = model.predict(x_test[:32], verbose=0)
assert np.array_equal(first, second), "Dropout must be inactive in predict()"
assert np.allclose(first.sum(axis=1), 1.0, atol=1e-5)
assert results["accuracy"] > 0.78, results
