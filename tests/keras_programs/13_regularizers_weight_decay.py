"""Weight penalties: an L2 kernel regularizer, an L1 regularizer and AdamW's decoupled weight decay,
each against the same model trained without a penalty.

Few samples, many irrelevant features: the plain model spreads weight over the noise.
Learning outcome: each penalty ends with a smaller kernel norm (L1: smaller weights on the
irrelevant features), the reported loss includes the penalty, and all models still fit the data.
"""
import keras
import numpy as np
from keras import layers, regularizers

rng = np.random.default_rng(13)
n, d = 80, 40
x = rng.normal(size=(n, d)).astype("float32")
true_w = np.zeros(d, dtype="float32")
true_w[:4] = [2.0, -1.5, 1.0, 0.5]
y = (x @ true_w + 0.3 * rng.normal(size=n)).astype("float32").reshape(-1, 1)


def train(kernel_regularizer=None, optimizer=None):
    keras.utils.set_random_seed(13)
    model = keras.Sequential([keras.Input(shape=(d,)),
                              layers.Dense(1, kernel_regularizer=kernel_regularizer)])
    model.compile(optimizer=optimizer or keras.optimizers.Adam(learning_rate=0.02), loss="mse",
                  metrics=["mse"])
    history = model.fit(x, y, epochs=150, batch_size=16, verbose=0)
    kernel = model.layers[0].get_weights()[0][:, 0]
    return model, history, kernel


plain, plain_history, plain_kernel = train()
l2, l2_history, l2_kernel = train(kernel_regularizer=regularizers.L2(0.3))
l1, l1_history, l1_kernel = train(kernel_regularizer=regularizers.L1(0.1))
_, _, decayed_kernel = train(optimizer=keras.optimizers.AdamW(learning_rate=0.02, weight_decay=0.5))

norm = np.linalg.norm
print(f"kernel norms: plain {norm(plain_kernel):.3f}, L2 {norm(l2_kernel):.3f}, "
      f"AdamW {norm(decayed_kernel):.3f}")
irrelevant = lambda kernel: float(np.mean(np.abs(kernel[4:])))  # noqa: E731
print(f"mean |w| on irrelevant features: plain {irrelevant(plain_kernel):.4f}, "
      f"L1 {irrelevant(l1_kernel):.4f}")

assert norm(l2_kernel) < 0.9 * norm(plain_kernel)
assert norm(decayed_kernel) < 0.9 * norm(plain_kernel)
assert irrelevant(l1_kernel) < 0.5 * irrelevant(plain_kernel)
# the compiled loss includes the penalty; the mse metric does not
assert len(l2.losses) == 1
assert l2_history.history["loss"][-1] > l2_history.history["mse"][-1] + 1e-3
assert abs(plain_history.history["loss"][-1] - plain_history.history["mse"][-1]) < 1e-4
for model in (plain, l2, l1):
    assert model.evaluate(x, y, verbose=0)[1] < 0.25 * float(y.var())
