"""A custom training loop with axon.GradientTape, on the embedded 8x8 digits.

Everything ``fit`` does, written out: mini-batches, the forward pass under a tape, the loss,
the gradients, the optimizer step, and a metric reset every epoch.

Run: python examples/custom_training_loop.py
"""
import numpy as np

import axon
from axon import layers

axon.utils.set_random_seed(0)
(x_train, y_train), (x_test, y_test) = axon.datasets.digits.load_data()
x_train = x_train.reshape(len(x_train), -1).astype("float32") / 16.0
x_test = x_test.reshape(len(x_test), -1).astype("float32") / 16.0

model = axon.Sequential([
    axon.Input(shape=(64,)),
    layers.Dense(64, activation="relu"),
    layers.Dense(10),
])
loss_fn = axon.losses.SparseCategoricalCrossentropy(from_logits=True)
optimizer = axon.optimizers.Adam(learning_rate=1e-3)
train_accuracy = axon.metrics.SparseCategoricalAccuracy()

batch_size = 32
rng = np.random.default_rng(0)
for epoch in range(30):
    order = rng.permutation(len(x_train))
    train_accuracy.reset_state()
    for start in range(0, len(order), batch_size):
        index = order[start:start + batch_size]
        x, y = x_train[index], y_train[index]
        with axon.GradientTape() as tape:
            logits = model(x, training=True)
            loss = loss_fn(y, logits)
        grads = tape.gradient(loss, model.trainable_weights)
        optimizer.apply_gradients(zip(grads, model.trainable_weights))
        train_accuracy.update_state(y, logits)
    if epoch % 10 == 9:
        print(f"epoch {epoch + 1}: loss {loss.item():.4f}, "
              f"train accuracy {float(train_accuracy.result()):.4f}")

test_logits = model.predict(x_test, verbose=0)
test_accuracy = float(np.mean(test_logits.argmax(axis=1) == y_test))
print(f"test accuracy {test_accuracy:.4f}")
