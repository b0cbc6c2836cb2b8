"""class_weight on an imbalanced binary problem (about 8% positives, overlapping classes).

Learning outcome: weighting the rare class by the inverse class frequency raises its recall on
held-out data by a wide margin over the unweighted model (which mostly predicts the majority).
"""
import keras
import numpy as np
from keras import layers

rng = np.random.default_rng(11)
n = 3000
y = (rng.uniform(size=n) < 0.08).astype("float32")
x = rng.normal(size=(n, 6)).astype("float32")
x[:, :2] += 1.2 * y[:, None]  # positives are shifted, but the classes overlap
x_train, y_train, x_test, y_test = x[:2000], y[:2000], x[2000:], y[2000:]

positives = float(y_train.sum())
class_weight = {0: len(y_train) / (2 * (len(y_train) - positives)), 1: len(y_train) / (2 * positives)}
print("positives in train", int(positives), "class_weight", class_weight)


def train(weights):
    keras.utils.set_random_seed(11)
    model = keras.Sequential([keras.Input(shape=(6,)), layers.Dense(16, activation="relu"),
                              layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.005), loss="binary_crossentropy",
                  metrics=[keras.metrics.Recall(name="recall"), keras.metrics.Precision(name="precision")])
    model.fit(x_train, y_train, epochs=15, batch_size=64, class_weight=weights, verbose=0)
    return model.evaluate(x_test, y_test, verbose=0, return_dict=True)


plain = train(None)
weighted = train(class_weight)
print("unweighted", plain)
print("weighted  ", weighted)

assert plain["recall"] < 0.35, plain
assert weighted["recall"] > 0.65, weighted
assert weighted["recall"] > plain["recall"] + 0.3
