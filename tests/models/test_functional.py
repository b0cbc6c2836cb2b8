"""The functional API: Model(inputs, outputs) with several inputs and outputs."""
import json

import numpy as np
import pytest

import axon
from axon.layers import Concatenate, Dense


def _two_in_two_out(name="two_by_two"):
    a = axon.Input(shape=(3,), name="a")
    b = axon.Input(shape=(2,), name="b")
    hidden = Dense(16, activation="relu", name="hidden")(Concatenate(name="joined")([a, b]))
    value = Dense(1, name="value")(hidden)
    kind = Dense(3, activation="softmax", name="kind")(hidden)
    return axon.Model([a, b], {"value": value, "kind": kind}, name=name)


def _data(n=256, seed=0):
    rng = np.random.default_rng(seed)
    xa = rng.normal(size=(n, 3)).astype("float32")
    xb = rng.normal(size=(n, 2)).astype("float32")
    value = (xa.sum(axis=1) - xb[:, 0]).reshape(-1, 1)
    kind = (xa[:, 0] > 0).astype("int64") + (xb[:, 1] > 1).astype("int64")
    return xa, xb, value, kind


def test_layers_come_in_graph_order_with_inputs_first():
    model = _two_in_two_out()
    assert [layer.name for layer in model.layers] == ["a", "b", "joined", "hidden", "value", "kind"]
    assert model.output_names == ["value", "kind"]
    assert model.input_names == ["a", "b"]
    assert model.layer_output_shape(model.get_layer("joined")) == (None, 5)
    assert model.layer_inbound(model.get_layer("joined")) == [("a", 0, 0), ("b", 0, 0)]


def test_call_accepts_a_list_or_a_dict_and_returns_the_output_structure():
    model = _two_in_two_out()
    xa, xb, _, _ = _data(8)
    by_list = model([xa, xb])
    by_dict = model({"b": xb, "a": xa})
    assert set(by_list) == {"value", "kind"}
    np.testing.assert_allclose(by_list["kind"].numpy(), by_dict["kind"].numpy())
    assert by_list["value"].shape == (8, 1) and by_list["kind"].shape == (8, 3)


def test_two_outputs_learn_with_loss_and_metric_dicts_and_loss_weights():
    axon.utils.set_random_seed(0)
    model = _two_in_two_out()
    xa, xb, value, kind = _data()
    model.compile(optimizer=axon.optimizers.Adam(learning_rate=0.01),
                  loss={"value": "mse", "kind": "sparse_categorical_crossentropy"},
                  loss_weights={"value": 1.0, "kind": 0.5},
                  metrics={"kind": ["accuracy"], "value": ["mae"]})
    history = model.fit({"a": xa, "b": xb}, {"value": value, "kind": kind}, epochs=30,
                        batch_size=32, verbose=0, validation_split=0.25)
    assert set(history.history) == {"loss", "value_loss", "kind_loss", "value_mae",
                                     "kind_accuracy", "val_loss", "val_value_loss",
                                     "val_kind_loss", "val_value_mae", "val_kind_accuracy"}
    logs = model.evaluate([xa, xb], [value, kind], verbose=0, return_dict=True)
    assert logs["kind_accuracy"] > 0.85
    assert logs["value_loss"] < 0.2 * float(np.var(value))
    # The total is the weighted sum of the parts (no regularization here).
    assert logs["loss"] == pytest.approx(logs["value_loss"] + 0.5 * logs["kind_loss"], rel=1e-4)
    predictions = model.predict([xa, xb], verbose=0)
    assert predictions["value"].shape == (256, 1) and predictions["kind"].shape == (256, 3)


def test_loss_list_and_metric_list_of_lists():
    a = axon.Input(shape=(4,))
    hidden = Dense(8, activation="tanh")(a)
    model = axon.Model(a, [Dense(1, name="r")(hidden), Dense(1, activation="sigmoid",
                                                             name="c")(hidden)])
    model.compile("adam", loss=["mse", "binary_crossentropy"], metrics=[["mae"], ["accuracy"]])
    x = np.random.default_rng(1).normal(size=(64, 4)).astype("float32")
    logs = model.fit(x, [x[:, :1], (x[:, 1:2] > 0).astype("float32")], epochs=1, verbose=0)
    assert {"r_mae", "c_accuracy", "r_loss", "c_loss"} <= set(logs.history)


def test_wrong_number_of_inputs_is_a_clear_error():
    model = _two_in_two_out()
    xa, xb, value, kind = _data(8)
    with pytest.raises(ValueError, match=r"expects 2 input\(s\) \(a, b\). Received: 1"):
        model(xa)
    model.compile("adam", loss=["mse", "sparse_categorical_crossentropy"])
    with pytest.raises(ValueError, match="one per input of model 'two_by_two' \\(a, b\\)"):
        model.fit(xa, [value, kind], verbose=0)
    with pytest.raises(ValueError, match=r"unknown: \['c'\], missing: \['b'\]"):
        model.predict({"a": xa, "c": xb}, verbose=0)


def test_input_of_the_wrong_shape_names_the_input():
    model = _two_in_two_out()
    with pytest.raises(ValueError, match="Input 'b' of model 'two_by_two' expects shape "
                                         r"\(None, 2\)"):
        model([np.zeros((2, 3)), np.zeros((2, 4))])


def test_mismatched_shapes_between_layers_name_both_layers_and_shapes():
    inputs = axon.Input(shape=(4,), name="features")
    first = Dense(8, name="first")
    first(inputs)
    narrow = Dense(3, name="narrow")(inputs)
    with pytest.raises(ValueError) as error:
        first(narrow)
    message = str(error.value)
    assert "layer 'first'" in message and "(None, 4)" in message
    assert "layer 'narrow' gives shape (None, 3)" in message


def test_concatenate_of_incompatible_shapes_names_every_input():
    a = axon.Input(shape=(2, 3), name="left")
    b = axon.Input(shape=(4, 5), name="right")
    with pytest.raises(ValueError) as error:
        Concatenate(name="join")([a, b])
    assert "left" in str(error.value) and "right" in str(error.value)


def test_loss_or_metric_dict_key_that_matches_no_output():
    model = _two_in_two_out()
    with pytest.raises(ValueError, match=r"loss has key\(s\) \['valu'\] that match no model "
                                         r"output. The model's outputs are named "
                                         r"\['value', 'kind'\]"):
        model.compile("adam", loss={"valu": "mse"})
    with pytest.raises(ValueError, match="match no model output"):
        model.compile("adam", loss="mse", metrics={"knd": ["accuracy"]})
    assert not model.compiled  # a failed compile leaves nothing half-set


def test_unknown_metric_name_is_a_clear_error_at_compile():
    model = _two_in_two_out()
    with pytest.raises(ValueError, match="accuracyy"):
        model.compile("adam", loss="mse", metrics=["accuracyy"])


def test_disconnected_graph_is_reported():
    a = axon.Input(shape=(2,), name="used")
    b = axon.Input(shape=(2,), name="forgotten")
    out = Dense(1)(Concatenate()([a, b]))
    with pytest.raises(ValueError, match="disconnected.*'forgotten'"):
        axon.Model(a, out)


def test_inputs_must_come_from_input():
    a = axon.Input(shape=(2,))
    hidden = Dense(3, name="not_an_input")(a)
    with pytest.raises(ValueError, match="inputs to come from axon.Input"):
        axon.Model(hidden, Dense(1)(hidden))


def test_shared_layer_and_nested_model():
    inner_in = axon.Input(shape=(4,))
    inner = axon.Model(inner_in, Dense(4, activation="relu", name="inner_dense")(inner_in),
                       name="inner")
    a = axon.Input(shape=(4,), name="x1")
    b = axon.Input(shape=(4,), name="x2")
    shared = Dense(2, name="shared")
    out = Concatenate()([shared(inner(a)), shared(inner(b))])
    model = axon.Model([a, b], out)
    x = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
    y = model.predict([x, x], verbose=0)
    np.testing.assert_allclose(y[:, :2], y[:, 2:], rtol=1e-6)
    assert len(model.trainable_weights) == 4  # inner's kernel/bias + shared's, once each


def test_config_round_trip_rebuilds_the_same_function():
    model = _two_in_two_out()
    config = json.loads(json.dumps(model.get_config()))
    clone = axon.Model.from_config(config)
    clone.set_weights(model.get_weights())
    xa, xb, _, _ = _data(6)
    original, rebuilt = model.predict([xa, xb], verbose=0), clone.predict([xa, xb], verbose=0)
    for key in ("value", "kind"):
        np.testing.assert_array_equal(original[key], rebuilt[key])
    assert [layer.name for layer in clone.layers] == [layer.name for layer in model.layers]


def test_save_and_load_model_keeps_weights_and_compile(tmp_path):
    model = _two_in_two_out()
    model.compile(axon.optimizers.Adam(learning_rate=0.02),
                  loss={"value": "mse", "kind": "sparse_categorical_crossentropy"},
                  metrics={"kind": ["accuracy"]})
    xa, xb, value, kind = _data(32)
    model.fit([xa, xb], [value, kind], epochs=1, verbose=0)
    path = tmp_path / "m.axon"
    model.save(path)
    loaded = axon.models.load_model(path)
    assert loaded.optimizer.learning_rate == pytest.approx(0.02)
    np.testing.assert_array_equal(model.predict([xa, xb], verbose=0)["kind"],
                                  loaded.predict([xa, xb], verbose=0)["kind"])
    assert set(loaded.evaluate([xa, xb], [value, kind], verbose=0, return_dict=True)) == {
        "loss", "value_loss", "kind_loss", "kind_accuracy"}
    with pytest.raises(ValueError, match="ending in '.axon'"):
        model.save(tmp_path / "m.keras")


def test_custom_layer_loads_only_when_registered_or_given(tmp_path):
    class Scale(axon.layers.Layer):
        def call(self, x, training=False):
            return x * 3.0

    inputs = axon.Input(shape=(2,))
    model = axon.Model(inputs, Dense(1)(Scale(name="scale")(inputs)))
    path = tmp_path / "custom.axon"
    model.save(path)
    with pytest.raises(ValueError, match="Unknown layer class 'Scale'.*custom_objects"):
        axon.models.load_model(path)
    loaded = axon.models.load_model(path, custom_objects={"Scale": Scale})
    x = np.ones((1, 2), "float32")
    np.testing.assert_array_equal(model.predict(x, verbose=0), loaded.predict(x, verbose=0))


def test_inputs_and_outputs_are_the_symbolic_tensors():
    model = _two_in_two_out()
    assert [t.shape for t in model.inputs] == [(None, 3), (None, 2)]
    assert [t.shape for t in model.outputs] == [(None, 1), (None, 3)]
    stack = axon.Sequential([axon.Input(shape=(5,)), Dense(2)])
    assert stack.inputs[0].shape == (None, 5) and stack.outputs[0].shape == (None, 2)


def test_train_on_batch_returns_that_batch_loss_as_keras_3():
    model = axon.Sequential([axon.Input(shape=(1,)), Dense(1, kernel_initializer="zeros")])
    model.compile(axon.optimizers.SGD(learning_rate=1e-12), loss="mse")
    ones = np.ones((4, 1), "float32")
    assert model.train_on_batch(ones, ones) == pytest.approx(1.0)
    assert model.train_on_batch(ones, 3 * ones) == pytest.approx(9.0)
    assert float(axon.Tensor(2.5)) == 2.5 and int(axon.Tensor(3.0)) == 3
