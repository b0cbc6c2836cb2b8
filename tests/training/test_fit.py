"""compile / fit / evaluate / predict on small problems."""
import numpy as np
import pytest

import axon
from axon.layers import Dense


def _blobs(n=400, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype("float32")
    y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype("int64") + (x[:, 2] > 1).astype("int64")
    return x, y


def _classifier(classes=3, activation="softmax"):
    return axon.Sequential([Dense(16, activation="relu", input_shape=(4,)),
                            Dense(classes, activation=activation)])


def test_fit_learns_and_history_has_per_epoch_lists():
    axon.utils.set_random_seed(0)
    x, y = _blobs()
    model = _classifier()
    model.compile(optimizer=axon.optimizers.Adam(learning_rate=0.01),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=15, batch_size=32, verbose=0, validation_data=(x, y))
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(values) == 15 for values in history.history.values())
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    loss, accuracy = model.evaluate(x, y, verbose=0)
    assert accuracy > 0.9
    assert model.evaluate(x, y, verbose=0, return_dict=True)["accuracy"] == pytest.approx(accuracy)
    probabilities = model.predict(x, verbose=0)
    assert isinstance(probabilities, np.ndarray) and probabilities.shape == (400, 3)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, rtol=1e-5)
    assert np.mean(probabilities.argmax(axis=1) == y) == pytest.approx(accuracy)


def test_categorical_and_binary_losses_pick_the_matching_accuracy():
    x, y = _blobs()
    model = _classifier()
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, axon.utils.to_categorical(y, 3), epochs=1, verbose=0)
    assert type(model.metrics_list[0]).__name__ == "CategoricalAccuracy"
    binary = _classifier(1, "sigmoid")
    binary.compile(optimizer="adam", loss="binary_crossentropy", metrics=["acc"])
    history = binary.fit(x, (y > 0).astype("float32"), epochs=1, verbose=0)
    assert type(binary.metrics_list[0]).__name__ == "BinaryAccuracy"
    assert "acc" in history.history


def test_same_seed_gives_bitwise_identical_weights_and_history():
    def run():
        axon.utils.set_random_seed(7)
        x, y = _blobs()
        model = _classifier()
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        history = model.fit(x, y, epochs=3, batch_size=16, verbose=0)
        return model.get_weights(), history.history

    (w1, h1), (w2, h2) = run(), run()
    assert h1 == h2
    for a, b in zip(w1, w2):
        np.testing.assert_array_equal(a, b)


def test_regression_with_sgd_recovers_a_linear_map():
    axon.utils.set_random_seed(1)
    rng = np.random.default_rng(1)
    x = rng.normal(size=(256, 3)).astype("float32")
    y = x @ np.array([[2.0], [-1.0], [0.5]], dtype="float32") + 0.3
    model = axon.Sequential([Dense(1, input_shape=(3,))])
    model.compile(optimizer=axon.optimizers.SGD(learning_rate=0.1), loss="mse")
    model.fit(x, y, epochs=30, batch_size=32, verbose=0)
    kernel, bias = model.get_weights()
    np.testing.assert_allclose(kernel.ravel(), [2.0, -1.0, 0.5], atol=1e-3)
    np.testing.assert_allclose(bias, [0.3], atol=1e-3)


def test_targets_of_shape_n_are_accepted_for_a_single_output():
    x, y = _blobs()
    model = axon.Sequential([Dense(1, input_shape=(4,))])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, y.astype("float32"), epochs=1, verbose=0)


def test_validation_split_holds_out_the_last_samples():
    x, y = _blobs(100)
    model = _classifier()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=1, validation_split=0.2, verbose=0, shuffle=False)
    expected = model.evaluate(x[80:], y[80:], verbose=0)
    assert history.history["val_loss"][0] == pytest.approx(expected[0], rel=1e-6)


def test_sample_weight_zero_ignores_samples():
    x, y = _blobs(64)
    model = _classifier()
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    weights = np.zeros(64, dtype="float32")
    before = model.get_weights()
    model.fit(x, y, epochs=1, sample_weight=weights, verbose=0)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_user_data_is_not_modified():
    x, y = _blobs(50)
    x64 = x.astype("float64")
    x_copy, y_copy = x64.copy(), y.copy()
    model = _classifier()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x64, y, epochs=1, verbose=0)
    model.predict(x64, verbose=0)
    np.testing.assert_array_equal(x64, x_copy)
    np.testing.assert_array_equal(y, y_copy)


def test_lists_are_accepted_and_predict_returns_numpy():
    model = axon.Sequential([Dense(2, input_shape=(2,))])
    model.compile(optimizer="sgd", loss="mse")
    model.fit([[0.0, 1.0], [1.0, 0.0]], [[1.0, 0.0], [0.0, 1.0]], epochs=1, verbose=0)
    assert isinstance(model.predict([[0.0, 1.0]], verbose=0), np.ndarray)


def test_progress_bar_prints_epochs_and_metrics(capsys):
    x, y = _blobs(64)
    model = _classifier()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=2, batch_size=32, verbose=1)
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out and "Epoch 2/2" in out
    assert "2/2" in out and "loss:" in out and "accuracy:" in out
    model.fit(x, y, epochs=1, batch_size=32, verbose=2)
    assert "2/2 - " in capsys.readouterr().out
    model.fit(x, y, epochs=1, verbose=0)
    assert capsys.readouterr().out == ""


def test_stop_training_flag_ends_fit():
    class StopAfterFirstEpoch(axon.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            self.model.stop_training = True

    x, y = _blobs(64)
    model = _classifier()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    history = model.fit(x, y, epochs=5, verbose=0, callbacks=[StopAfterFirstEpoch()])
    assert len(history.history["loss"]) == 1


def test_legacy_lr_keyword_warns_and_trains():
    with pytest.warns(DeprecationWarning, match="lr"):
        optimizer = axon.optimizers.Adam(lr=0.01)
    assert optimizer.learning_rate == 0.01


def test_memory_stays_flat_over_many_steps():
    import tracemalloc

    x, y = _blobs(64)
    model = _classifier()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=5, batch_size=8, verbose=0)
    tracemalloc.start()
    model.fit(x, y, epochs=5, batch_size=8, verbose=0)
    first, _ = tracemalloc.get_traced_memory()
    model.fit(x, y, epochs=50, batch_size=8, verbose=0)
    second, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert second - first < 256 * 1024


def test_memory_stays_flat_over_50_repeated_fit_and_predict_calls():
    import tracemalloc

    x, y = _blobs(64)
    model = _classifier()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])

    def calls(count):
        for _ in range(count):
            model.fit(x, y, epochs=1, batch_size=16, verbose=0, validation_split=0.25)
            model.predict(x, verbose=0)
            model.predict(x[:1], verbose=0)
            model.evaluate(x, y, verbose=0)

    calls(5)   # caches, scratch buffers and the optimizer's slots exist from here on
    tracemalloc.start()
    calls(5)
    first, _ = tracemalloc.get_traced_memory()
    calls(50)
    second, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert second - first < 256 * 1024, second - first


def test_predict_in_one_batch_matches_many_batches_and_calls_callbacks():
    axon.utils.set_random_seed(0)
    x, _ = _blobs(10)
    model = _classifier()
    whole = model.predict(x, verbose=0)  # one batch, no callbacks: the short path
    assert whole.shape == (10, 3) and whole.flags.owndata
    np.testing.assert_array_equal(whole, model.predict(x, batch_size=3, verbose=0))
    np.testing.assert_array_equal(whole, model(x).numpy())
    seen = []
    hook = axon.callbacks.LambdaCallback(on_predict_batch_end=lambda batch, logs: seen.append(batch))
    np.testing.assert_array_equal(whole, model.predict(x, verbose=0, callbacks=[hook]))
    assert seen == [0]
