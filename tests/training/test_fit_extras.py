"""fit's less common arguments, generators, on-batch methods and custom train_step."""
import numpy as np
import pytest

import axon
from axon.layers import Dense


def _data(n=256, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype("float32")
    y = (x[:, 0] - x[:, 1] > 0).astype("int64")
    return x, y


def _model(seed=0):
    axon.utils.set_random_seed(seed)
    model = axon.Sequential([axon.Input(shape=(4,)), Dense(8, activation="relu"),
                             Dense(2, activation="softmax")])
    model.compile(axon.optimizers.Adam(learning_rate=0.02),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def test_class_weight_equals_the_matching_sample_weight():
    x, y = _data(64)
    weights = {0: 1.0, 1: 4.0}
    by_class = _model()
    by_class.fit(x, y, class_weight=weights, epochs=2, batch_size=16, shuffle=False, verbose=0)
    by_sample = _model()
    by_sample.fit(x, y, sample_weight=np.where(y == 1, 4.0, 1.0), epochs=2, batch_size=16,
                  shuffle=False, verbose=0)
    for a, b in zip(by_class.get_weights(), by_sample.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_class_weight_changes_training_and_bad_class_weight_is_refused():
    x, y = _data(64)
    plain = _model()
    plain.fit(x, y, epochs=1, batch_size=16, shuffle=False, verbose=0)
    weighted = _model()
    weighted.fit(x, y, class_weight={0: 1.0, 1: 10.0}, epochs=1, batch_size=16, shuffle=False,
                 verbose=0)
    assert not np.allclose(plain.get_weights()[0], weighted.get_weights()[0])
    with pytest.raises(ValueError, match="class_weight should be a dict"):
        weighted.fit(x, y, class_weight=[1.0, 2.0], verbose=0)


def test_steps_per_epoch_with_arrays_continues_across_epochs():
    x, y = _data(100)
    model = _model()
    seen = []
    model.fit(x, y, batch_size=10, epochs=3, steps_per_epoch=4, shuffle=False, verbose=0,
              callbacks=[axon.callbacks.LambdaCallback(
                  on_train_batch_end=lambda batch, logs: seen.append(batch))])
    assert seen == [0, 1, 2, 3] * 3
    assert model.optimizer.iterations == 12


def test_generator_with_steps_per_epoch_and_validation_generator():
    x, y = _data()

    def batches():
        rng = np.random.default_rng(1)
        while True:
            index = rng.integers(0, len(x), 32)
            yield x[index], y[index]

    model = _model()
    history = model.fit(batches(), steps_per_epoch=8, epochs=6, verbose=0,
                        validation_data=batches(), validation_steps=2)
    assert len(history.history["loss"]) == 6 and "val_accuracy" in history.history
    assert model.optimizer.iterations == 48
    assert model.evaluate(x, y, verbose=0)[1] > 0.9


def test_dataset_with_len_and_getitem_runs_every_batch_and_calls_on_epoch_end():
    x, y = _data(96)

    class Batches:
        def __init__(self):
            self.epochs_ended = 0

        def __len__(self):
            return 3

        def __getitem__(self, index):
            part = slice(index * 32, (index + 1) * 32)
            return x[part], y[part], np.ones(32, "float32")

        def on_epoch_end(self):
            self.epochs_ended += 1

    data = Batches()
    model = _model()
    model.fit(data, epochs=2, verbose=0)
    assert data.epochs_ended == 2 and model.optimizer.iterations == 6
    assert len(model.predict(Batches(), verbose=0)) == 96


def test_a_used_up_generator_warns_and_stops():
    x, y = _data(64)
    model = _model()
    finite = ((x[i:i + 16], y[i:i + 16]) for i in range(0, 64, 16))
    with pytest.warns(UserWarning, match="ran out of data"):
        history = model.fit(finite, epochs=3, verbose=0)
    assert model.optimizer.iterations == 4 and len(history.history["loss"]) <= 2


def test_initial_epoch_and_validation_freq():
    x, y = _data(64)
    model = _model()
    epochs = []
    history = model.fit(x, y, epochs=5, initial_epoch=2, validation_data=(x, y),
                        validation_freq=2, verbose=0, callbacks=[axon.callbacks.LambdaCallback(
                            on_epoch_end=lambda epoch, logs: epochs.append(
                                (epoch, "val_loss" in logs)))])
    assert epochs == [(2, False), (3, True), (4, False)]
    assert len(history.history["loss"]) == 3


def test_on_batch_methods():
    x, y = _data(32)
    model = _model()
    before = model.test_on_batch(x, y, return_dict=True)
    for _ in range(30):
        model.train_on_batch(x, y)
    after = model.test_on_batch(x, y, return_dict=True)
    assert set(after) == {"loss", "accuracy"} and after["loss"] < before["loss"]
    assert isinstance(model.train_on_batch(x, y), list)
    assert model.predict_on_batch(x).shape == (32, 2)


def test_pandas_dataframe_and_series_are_accepted():
    pandas = pytest.importorskip("pandas")
    x, y = _data(64)
    model = _model()
    frame = pandas.DataFrame(x, columns=list("abcd"))
    model.fit(frame, pandas.Series(y), epochs=1, verbose=0)
    assert model.predict(frame, verbose=0).shape == (64, 2)


def test_regularization_losses_are_added_to_the_training_loss():
    x, y = _data(32)
    axon.utils.set_random_seed(0)
    model = axon.Sequential([axon.Input(shape=(4,)),
                             Dense(2, kernel_regularizer=axon.regularizers.L2(0.5))])
    model.compile("sgd", loss="mse")
    target = np.zeros((32, 2), "float32")
    logs = model.evaluate(x, target, verbose=0, return_dict=True)
    kernel = model.layers[0].kernel.numpy()
    plain = float(np.mean(model.predict(x, verbose=0) ** 2))
    assert logs["loss"] == pytest.approx(plain + 0.5 * float(np.sum(kernel ** 2)), rel=1e-5)


class _KerasThreeStep(axon.Model):
    """A custom train_step written as Keras 3's guide writes it."""

    def __init__(self):
        super().__init__()
        self.hidden = Dense(8, activation="relu")
        self.out = Dense(1)
        self.steps_seen = 0

    def call(self, x, training=False):
        return self.out(self.hidden(x))

    def train_step(self, data):
        x, y = data
        self.steps_seen += 1
        with axon.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(y=y, y_pred=y_pred)
        grads = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply(grads, self.trainable_variables)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


class _KerasTwoStep(_KerasThreeStep):
    """The same in tf.keras 2 style: compiled_loss and compiled_metrics."""

    def train_step(self, data):
        x, y = data
        self.steps_seen += 1
        with axon.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compiled_loss(y, y_pred, regularization_losses=self.losses)
        grads = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
        self.compiled_metrics.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


@pytest.mark.parametrize("model_class", [_KerasThreeStep, _KerasTwoStep])
def test_custom_train_step_is_used_by_fit(model_class):
    axon.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 3)).astype("float32")
    y = (x @ np.array([1.0, -1.0, 2.0], "float32")).reshape(-1, 1)
    model = model_class()
    model.compile(axon.optimizers.Adam(learning_rate=0.01), loss="mse", metrics=["mae"])
    history = model.fit(x, y, epochs=20, batch_size=32, verbose=0)
    assert model.steps_seen == 20 * 8
    assert set(history.history) == {"loss", "mae"}
    assert history.history["loss"][-1] < 0.05 * history.history["loss"][0]
    assert model.evaluate(x, y, verbose=0, return_dict=True)["mae"] < 0.3


def test_py_dataset_subclass_trains_and_its_hooks_run():
    x, y = _data(128)

    class Shuffled(axon.utils.PyDataset):
        def __init__(self):
            super().__init__()
            self.order = np.arange(128)
            self.begun = 0

        def __len__(self):
            return 4

        def __getitem__(self, index):
            part = self.order[index * 32:(index + 1) * 32]
            return x[part], y[part]

        def on_epoch_begin(self):
            self.begun += 1

        def on_epoch_end(self):
            self.order = np.random.default_rng(self.begun).permutation(128)

    data = Shuffled()
    model = _model()
    history = model.fit(data, epochs=10, verbose=0)
    assert data.begun == 10 and model.optimizer.iterations == 40
    assert history.history["accuracy"][-1] > 0.85
    with pytest.raises(NotImplementedError, match="must define __len__"):
        len(axon.utils.PyDataset())
