"""model.summary() against texts captured from Keras 3 (tests/models/summary_fixtures/)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import axon
from axon import layers
from axon.models.summary import _readable_size

FIXTURES = Path(__file__).parent / "summary_fixtures"


@pytest.fixture(autouse=True)
def _console_80(monkeypatch):
    """Keras's layout depends on the terminal's width; the fixtures were taken at 80 columns."""
    monkeypatch.setenv("COLUMNS", "80")


def expected(name: str) -> str:
    return (FIXTURES / f"{name}.txt").read_text(encoding="utf-8")


def summary_text(model, **kwargs) -> str:
    calls = []
    model.summary(print_fn=calls.append, **kwargs)
    assert len(calls) == 1  # Keras 3 hands print_fn the whole text at once
    return calls[0]


def mlp():
    return axon.Sequential([
        axon.Input((784,)),
        layers.Dense(256, activation="relu", name="dense"),
        layers.Dense(128, activation="relu", name="dense_1"),
        layers.Dense(10, activation="softmax", name="dense_2"),
    ], name="sequential")


def trained(optimizer, frozen=None):
    model = mlp()
    if frozen:
        model.get_layer(frozen).trainable = False
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy")
    rng = np.random.RandomState(0)
    x, y = rng.rand(32, 784).astype("float32"), rng.randint(0, 10, 32)
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    return model


@pytest.mark.parametrize("name, kwargs", [
    ("mlp_default", {}),
    ("mlp_line_length_30", {"line_length": 30}),
    ("mlp_line_length_100_cropped", {"line_length": 100}),
    ("mlp_positions", {"positions": [0.5, 0.7, 1.0]}),
    ("mlp_positions_4", {"positions": [0.4, 0.6, 0.8, 1.0]}),
    ("mlp_show_trainable", {"show_trainable": True}),
    ("mlp_layer_range", {"layer_range": ["dense_1", "dense_2"]}),
])
def test_mlp_matches_keras(name, kwargs):
    assert summary_text(mlp(), **kwargs) == expected(name)


@pytest.mark.parametrize("name, kwargs", [
    ("mlp_line_length_100", {"line_length": 100}),
    ("mlp_terminal_120", {}),
])
def test_wide_terminal_matches_keras(monkeypatch, name, kwargs):
    monkeypatch.setenv("COLUMNS", "120")
    assert summary_text(mlp(), **kwargs) == expected(name)


def test_plain_print_writes_the_same_text(capsys):
    mlp().summary()
    assert capsys.readouterr().out == expected("mlp_default")


def test_non_trainable_weights():
    model = mlp()
    model.get_layer("dense_1").trainable = False
    assert summary_text(model) == expected("mlp_frozen")
    assert summary_text(model, show_trainable=True) == expected("mlp_frozen_show_trainable")


def test_compiled_but_not_trained_has_no_optimizer_line():
    model = mlp()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    assert summary_text(model) == expected("mlp_compiled")


@pytest.mark.parametrize("name, make", [
    ("mlp_adam_fit", lambda: trained("adam")),
    ("mlp_sgd_fit", lambda: trained(axon.optimizers.SGD(0.01))),
    ("mlp_sgd_momentum_fit", lambda: trained(axon.optimizers.SGD(0.01, momentum=0.9))),
    ("mlp_adam_schedule_fit", lambda: trained(axon.optimizers.Adam(
        axon.optimizers.schedules.ExponentialDecay(0.01, 10, 0.9)))),
    ("mlp_frozen_adam_fit", lambda: trained("adam", frozen="dense")),
])
def test_optimizer_params_after_fit(name, make):
    assert summary_text(make()) == expected(name)


def nested():
    inner = axon.Sequential([layers.Dense(8, activation="relu", name="inner_dense"),
                             layers.Dense(4, name="inner_dense_1")], name="inner")
    outer = axon.Sequential([axon.Input((16,)), layers.Dense(32, name="first"), inner,
                             layers.Dense(2, name="last")], name="outer")
    return outer, inner


def test_nested_model():
    outer, inner = nested()
    assert summary_text(outer) == expected("nested_collapsed")
    assert summary_text(outer, expand_nested=True) == expected("nested_expanded")
    inner.trainable = False
    assert summary_text(outer, expand_nested=True, show_trainable=True) == expected(
        "nested_expanded_frozen_show_trainable")


def two_inputs():
    a, b = axon.Input((8,), name="input_a"), axon.Input((4,), name="input_b")
    ha = layers.Dense(16, activation="relu", name="dense_a")(a)
    hb = layers.Dense(16, activation="relu", name="dense_b")(b)
    merged = layers.Concatenate(name="concatenate")([ha, hb])
    return axon.Model([a, b], layers.Dense(1, name="output")(merged), name="two_inputs")


@pytest.mark.parametrize("name, kwargs", [
    ("functional_two_inputs", {}),
    ("functional_two_inputs_show_trainable", {"show_trainable": True}),
    ("functional_two_inputs_line_length_60", {"line_length": 60}),
])
def test_functional_connected_to(name, kwargs):
    assert summary_text(two_inputs(), **kwargs) == expected(name)


def test_functional_chain_drops_connected_to():
    x = axon.Input((6,), name="inputs")
    z = layers.Dense(1, name="score")(layers.Dense(3, name="hidden")(x))
    assert summary_text(axon.Model(x, z, name="chain")) == expected("functional_chain")


def test_functional_branches_keep_connected_to():
    x = axon.Input((6,), name="inputs")
    trunk = layers.Dense(5, name="trunk")(x)
    outputs = [layers.Dense(2, name="head_a")(trunk), layers.Dense(3, name="head_b")(trunk)]
    model = axon.Model(x, outputs, name="two_outputs")
    assert summary_text(model) == expected("functional_two_outputs")


class Subclassed(axon.Model):
    def __init__(self):
        super().__init__(name="subclassed")
        self.hidden = layers.Dense(4, activation="relu", name="hidden")
        self.out = layers.Dense(1, name="out")

    def call(self, x, training=False):
        return self.out(self.hidden(x))


def test_subclassed_model_unbuilt_then_built():
    model = Subclassed()
    assert summary_text(model) == expected("subclassed_unbuilt")
    model(np.zeros((2, 3), "float32"))
    # Keras prints the batch size of the call that built the layers, (2, 4); axon builds layers
    # with the batch axis None.
    want = expected("subclassed_built")
    for units in (4, 1):
        want = want.replace(f"(2, {units})   ", f"(None, {units})")
    assert summary_text(model) == want


@pytest.mark.parametrize("line_length", [0, -3, 2.5, "80", True])
def test_bad_line_length(line_length):
    with pytest.raises(ValueError, match=f"Received: line_length={line_length!r}"):
        mlp().summary(line_length=line_length)


def test_columns_too_narrow():
    with pytest.raises(ValueError, match=r"Insufficient console width.*line_length=12"):
        mlp().summary(line_length=12)
    with pytest.raises(ValueError, match=r"column 1 would be 2 characters wide.*positions="):
        mlp().summary(line_length=100, positions=[0.5, 0.52, 1.0])


def test_too_few_positions():
    with pytest.raises(ValueError, match=r"expects 3 positions.*Received: positions=\[0.5, 1.0\]"):
        mlp().summary(positions=[0.5, 1.0])


def test_positions_must_be_numbers():
    with pytest.raises(TypeError, match="Received: positions='0.5'"):
        mlp().summary(positions="0.5")


@pytest.mark.parametrize("layer_range", [["dense"], [1, 2], ["nope", "dense_2"]])
def test_bad_layer_range(layer_range):
    with pytest.raises(ValueError, match="layer_range"):
        mlp().summary(layer_range=layer_range)


@pytest.mark.parametrize("size, text", [
    (0, "0.00 B"), (1023, "1023.00 B"), (1024, "1.00 KB"), (940584, "918.54 KB"),
    (3 * 1024 ** 2, "3.00 MB"), (5 * 1024 ** 6, "5.00 PB"),
])
def test_readable_size(size, text):
    assert _readable_size(size) == text
