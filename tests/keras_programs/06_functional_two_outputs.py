"""A functional model with two named outputs, a loss dict, loss_weights and per-output metrics.

From one input table the model predicts a price (regression, mse) and a category (3 classes,
sparse categorical cross-entropy). Learning outcome: category accuracy > 0.9, price MAE well under
the price's spread, and the logs carry Keras 3's per-output names.
"""
import keras
import numpy as np
from keras import layers

keras.utils.set_random_seed(6)
rng = np.random.default_rng(6)

n = 1500
x = rng.normal(size=(n, 10)).astype("float32")
price = (2.0 * x[:, 0] - x[:, 1] + 0.5 * x[:, 2] * x[:, 3] + 0.1 * rng.normal(size=n))
price = price.astype("float32").reshape(-1, 1)
category = np.argmax(x[:, 4:7] + 0.1 * rng.normal(size=(n, 3)), axis=1)
x_train, x_test = x[:1200], x[1200:]
y_train = {"price": price[:1200], "category": category[:1200]}
y_test = {"price": price[1200:], "category": category[1200:]}

inputs = keras.Input(shape=(10,), name="features")
shared = layers.Dense(64, activation="relu")(inputs)
shared = layers.Dense(32, activation="relu")(shared)
price_out = layers.Dense(1, name="price")(shared)
category_out = layers.Dense(3, activation="softmax", name="category")(shared)
model = keras.Model(inputs=inputs, outputs={"price": price_out, "category": category_out})

model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.003),
              loss={"price": "mse", "category": "sparse_categorical_crossentropy"},
              loss_weights={"price": 0.5, "category": 1.0},
              metrics={"price": ["mae"], "category": ["accuracy"]})
history = model.fit(x_train, y_train, epochs=20, batch_size=32, validation_split=0.2, verbose=0)
results = model.evaluate(x_test, y_test, verbose=0, return_dict=True)
predictions = model.predict(x_test, verbose=0)
print("history keys", sorted(history.history))
print({name: round(float(value), 4) for name, value in results.items()})

assert {"loss", "price_loss", "category_loss", "price_mae", "category_accuracy"} <= set(results)
assert "val_category_accuracy" in history.history and "val_price_mae" in history.history
assert abs(results["loss"] - (0.5 * results["price_loss"] + results["category_loss"])) < 1e-3
assert results["category_accuracy"] > 0.9, results
assert results["price_mae"] < 0.25 * float(np.std(price)), results
assert predictions["price"].shape == (300, 1) and predictions["category"].shape == (300, 3)
