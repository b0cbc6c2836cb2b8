"""A text-like classifier: integer token sequences through Embedding, Flatten and Dense layers.

Sentences of 12 tokens from a 50-word vocabulary; words 1-10 are "positive", 11-20 "negative",
the rest neutral; the label says whether positive words outnumber negative ones.
Learning outcome: held-out accuracy > 0.85, and the learned embeddings separate the positive
from the negative words along the direction the classifier reads.
"""
import keras
import numpy as np
from keras import layers

keras.utils.set_random_seed(12)
rng = np.random.default_rng(12)
vocabulary, length = 50, 12


def sentences(n):
    tokens = rng.integers(0, vocabulary, size=(n, length))
    positive = ((tokens >= 1) & (tokens <= 10)).sum(axis=1)
    negative = ((tokens >= 11) & (tokens <= 20)).sum(axis=1)
    keep = positive != negative
    return tokens[keep].astype("int32"), (positive > negative)[keep].astype("float32")


x_train, y_train = sentences(4000)
x_test, y_test = sentences(1000)

model = keras.Sequential([
    keras.Input(shape=(length,), dtype="int32"),
    layers.Embedding(input_dim=vocabulary, output_dim=8),
    layers.Flatten(),
    layers.Dense(32, activation="relu"),
    layers.Dense(1, activation="sigmoid"),
])
model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.005), loss="binary_crossentropy",
              metrics=["accuracy"])
model.fit(x_train, y_train, epochs=10, batch_size=64, validation_split=0.1, verbose=0)
loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
print(f"test accuracy {accuracy:.4f}")

all_positive = np.full((1, length), 3, dtype="int32")
all_negative = np.full((1, length), 15, dtype="int32")
p_positive = float(model.predict(all_positive, verbose=0)[0, 0])
p_negative = float(model.predict(all_negative, verbose=0)[0, 0])
print(f"p(positive sentence) {p_positive:.3f}, p(negative sentence) {p_negative:.3f}")

embeddings = model.layers[0].get_weights()[0]
assert embeddings.shape == (vocabulary, 8)
assert accuracy > 0.85, accuracy
assert p_positive > 0.9 and p_negative < 0.1
