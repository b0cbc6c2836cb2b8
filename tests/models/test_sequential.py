"""Sequential: construction, building, summary, weights on disk."""
import numpy as np
import pytest

import axon
from axon.layers import Dense


def test_layers_in_constructor_or_added_build_the_same_model():
    axon.utils.set_random_seed(3)
    a = axon.Sequential([Dense(4, activation="relu", input_shape=(3,)), Dense(2)])
    axon.utils.set_random_seed(3)
    b = axon.Sequential()
    b.add(axon.Input(shape=(3,)))
    b.add(Dense(4, activation="relu"))
    b.add(Dense(2))
    assert a.built and b.built
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)
    assert a.count_params() == 3 * 4 + 4 + 4 * 2 + 2


def test_models_namespace_and_input_dim():
    model = axon.models.Sequential([Dense(2, input_dim=5)])
    assert model.layers[0].kernel.shape == (5, 2)


def test_unbuilt_model_builds_on_first_call():
    model = axon.Sequential([Dense(3), Dense(1)])
    assert not model.weights
    assert model(np.zeros((2, 6), dtype="float32")).shape == (2, 1)
    assert model.layers[0].kernel.shape == (6, 3)


def test_sequential_rejects_non_layers_and_duplicate_names():
    with pytest.raises(TypeError, match="expects a Layer"):
        axon.Sequential(["dense"])
    with pytest.raises(ValueError, match="unique"):
        axon.Sequential([Dense(2, name="same"), Dense(2, name="same")])


def test_summary_lists_layers_shapes_and_params():
    model = axon.Sequential([Dense(8, input_shape=(4,), name="hidden"), Dense(3, name="out")],
                            name="tiny")
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert 'Model: "tiny"' in text
    assert "hidden (Dense)" in text and "(None, 8)" in text and "40" in text
    assert "out (Dense)" in text and "(None, 3)" in text and "27" in text
    assert "Total params: 67" in text


def test_save_and_load_weights_roundtrip(tmp_path):
    model = axon.Sequential([Dense(4, input_shape=(3,)), Dense(2)])
    path = tmp_path / "model.weights.safetensors"
    model.save_weights(path)
    other = axon.Sequential([Dense(4, input_shape=(3,)), Dense(2)])
    other.load_weights(path)
    for a, b in zip(model.get_weights(), other.get_weights()):
        np.testing.assert_array_equal(a, b)
    # The file is plain safetensors: an 8-byte header length, JSON, raw little-endian bytes.
    raw = path.read_bytes()
    header_length = int.from_bytes(raw[:8], "little")
    assert raw[8:9] == b"{" and b"dense" in raw[8:8 + header_length]


def test_load_weights_rejects_mismatched_model(tmp_path):
    model = axon.Sequential([Dense(4, input_shape=(3,))])
    path = tmp_path / "w.safetensors"
    model.save_weights(path)
    with pytest.raises(ValueError, match="shape"):
        axon.Sequential([Dense(5, input_shape=(3,))]).load_weights(path)
    with pytest.raises(ValueError, match="holds 2 weights"):
        axon.Sequential([Dense(4, input_shape=(3,)), Dense(1)]).load_weights(path)


def test_load_weights_rejects_corrupt_file(tmp_path):
    path = tmp_path / "bad.safetensors"
    path.write_bytes(b"\xff" * 16)
    with pytest.raises(ValueError, match="header"):
        axon.Sequential([Dense(1, input_shape=(1,))]).load_weights(path)


def test_subclassed_model_tracks_layers():
    class TwoLayer(axon.Model):
        def __init__(self):
            super().__init__()
            self.hidden = Dense(4, activation="relu")
            self.out = Dense(1)

        def call(self, x, training=False):
            return self.out(self.hidden(x))

    model = TwoLayer()
    model.compile(optimizer="sgd", loss="mse")
    x = np.random.default_rng(0).normal(size=(64, 3)).astype("float32")
    model.fit(x, x.sum(axis=1), epochs=2, verbose=0)
    assert len(model.trainable_weights) == 4
