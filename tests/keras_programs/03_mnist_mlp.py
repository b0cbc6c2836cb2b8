"""Multi-class classification: an MLP on a slice of MNIST with sparse categorical cross-entropy.

Learning outcome: test accuracy > 0.9 after a few epochs on 6,000 training digits, and the
predicted classes agree with the reported accuracy.
"""
import keras
import numpy as np
from keras import layers

keras.utils.set_random_seed(3)

(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
x_train = x_train[:6000].reshape(-1, 28 * 28).astype("float32") / 255.0
y_train = y_train[:6000]
x_test = x_test[:2000].reshape(-1, 28 * 28).astype("float32") / 255.0
y_test = y_test[:2000]

model = keras.Sequential([
    keras.Input(shape=(784,)),
    layers.Dense(128, activation="relu"),
    layers.Dense(64, activation="relu"),
    layers.Dense(10, activation="softmax"),
])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
              metrics=["accuracy", keras.metrics.SparseTopKCategoricalAccuracy(k=3, name="top3")])
history = model.fit(x_train, y_train, epochs=6, batch_size=64, validation_split=0.1, verbose=0)
loss, accuracy, top3 = model.evaluate(x_test, y_test, verbose=0)
predicted = np.argmax(model.predict(x_test, verbose=0), axis=1)
print(f"test loss {loss:.4f}, accuracy {accuracy:.4f}, top-3 {top3:.4f}")
print("history keys", sorted(history.history))

assert sorted(history.history) == ["accuracy", "loss", "top3", "val_accuracy", "val_loss", "val_top3"]
assert accuracy > 0.9 and top3 > accuracy, (accuracy, top3)
assert history.history["accuracy"][-1] > history.history["accuracy"][0]
assert abs(float(np.mean(predicted == y_test)) - accuracy) < 1e-6
