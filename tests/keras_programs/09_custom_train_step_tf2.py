"""A custom train_step in tf.keras 2 style: compiled_loss with regularization_losses,
optimizer.apply_gradients and compiled_metrics.update_state, on a model built with the
functional API (``CustomModel(inputs, outputs)``) as in the TensorFlow 2 guide.

Learning outcome: held-out accuracy > 0.9 on a non-linear problem (points inside / outside a
circle), and training accuracy rises.
"""
import numpy as np
import tensorflow as tf

tf.keras.utils.set_random_seed(9)
rng = np.random.default_rng(9)


class CustomModel(tf.keras.Model):
    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compiled_loss(y, y_pred, regularization_losses=self.losses)
        trainable_vars = self.trainable_variables
        gradients = tape.gradient(loss, trainable_vars)
        self.optimizer.apply_gradients(zip(gradients, trainable_vars))
        self.compiled_metrics.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


x = rng.uniform(-1.5, 1.5, size=(1500, 2)).astype("float32")
y = (np.sum(x ** 2, axis=1) < 1.0).astype("float32").reshape(-1, 1)

inputs = tf.keras.Input(shape=(2,))
hidden = tf.keras.layers.Dense(32, activation="relu",
                               kernel_regularizer=tf.keras.regularizers.l2(1e-4))(inputs)
hidden = tf.keras.layers.Dense(32, activation="relu")(hidden)
outputs = tf.keras.layers.Dense(1, activation="sigmoid")(hidden)
model = CustomModel(inputs, outputs)
model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate=0.01), loss="binary_crossentropy",
              metrics=["accuracy"])
history = model.fit(x[:1200], y[:1200], epochs=20, batch_size=32, verbose=0)
loss, accuracy = model.evaluate(x[1200:], y[1200:], verbose=0)
print("train accuracy", [round(float(a), 3) for a in history.history["accuracy"]])
print(f"test loss {loss:.4f}, accuracy {accuracy:.4f}")

assert history.history["accuracy"][-1] > history.history["accuracy"][0] + 0.1
assert accuracy > 0.9, accuracy
assert len(model.losses) == 1  # the L2 term of the first Dense kernel
