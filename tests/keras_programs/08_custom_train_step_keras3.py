"""A custom train_step in Keras 3 style (TensorFlow backend), as in Keras's guide "Customizing what
happens in fit()": unpack an optional sample_weight, compute_loss, optimizer.apply, and a loop
over self.metrics.

Part of the training labels are wrong (most class-0 points are labelled 1) and carry sample
weight 0. Learning outcome: the custom step honours the weights, so the model classifies clean
held-out points with accuracy > 0.9, while the same model fitted without the weights mistakes
class 0 for class 1.
"""
import keras
import numpy as np
import tensorflow as tf
from keras import layers


class CustomModel(keras.Model):
    def train_step(self, data):
        if len(data) == 3:
            x, y, sample_weight = data
        else:
            sample_weight = None
            x, y = data
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(y=y, y_pred=y_pred, sample_weight=sample_weight)
        trainable_vars = self.trainable_variables
        gradients = tape.gradient(loss, trainable_vars)
        self.optimizer.apply(gradients, trainable_vars)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred, sample_weight=sample_weight)
        return {m.name: m.result() for m in self.metrics}


rng = np.random.default_rng(8)
centers = np.array([[3, 0, 0, 0], [0, 3, 0, 0], [0, 0, 3, 0], [0, 0, 0, 3]], dtype="float32")
labels = rng.integers(0, 4, size=1400)
points = (centers[labels] + rng.normal(size=(1400, 4))).astype("float32")
x_train, clean_train, x_test, y_test = points[:1000], labels[:1000], points[1000:], labels[1000:]
wrong = (clean_train == 0) & (rng.uniform(size=1000) < 0.6)
y_train = np.where(wrong, 1, clean_train)
sample_weight = np.where(wrong, 0.0, 1.0).astype("float32")


def train(with_weights):
    keras.utils.set_random_seed(8)
    inputs = keras.Input(shape=(4,))
    hidden = layers.Dense(32, activation="relu")(inputs)
    outputs = layers.Dense(4, activation="softmax")(hidden)
    model = CustomModel(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x_train, y_train, sample_weight=sample_weight if with_weights else None,
                        epochs=15, batch_size=50, verbose=0)
    return model, history


model, history = train(with_weights=True)
results = model.evaluate(x_test, y_test, verbose=0, return_dict=True)
unweighted, _ = train(with_weights=False)
predicted = np.argmax(unweighted.predict(x_test, verbose=0), axis=1)
unweighted_class0 = float(np.mean(predicted[y_test == 0] == 0))
print("history", {k: [round(float(v), 3) for v in vs] for k, vs in history.history.items()})
print("weighted test", results, "unweighted class-0 recall", round(unweighted_class0, 3))

assert set(history.history) == {"loss", "accuracy"}, sorted(history.history)
assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
# metrics= ignore sample_weight (only weighted_metrics= use it): the wrong labels count as misses
assert 0.75 < history.history["accuracy"][-1] < 0.9, history.history["accuracy"]
assert results["accuracy"] > 0.9, results
assert unweighted_class0 < 0.5, unweighted_class0
