"""Bidirectional, TimeDistributed and Masking: shapes, merge modes, Keras goldens, references
built from the wrapped layers, and float64 gradchecks through every weight of every sub-layer."""
from __future__ import annotations

import json
import pathlib

import numpy as np
import pytest

import axon
from axon.engine import Variable
from axon.engine import functional as F
from axon.layers.core import Dense
from axon.layers.masking import Masking
from axon.layers.recurrent import GRU, LSTM, SimpleRNN
from axon.layers.wrappers import Bidirectional, TimeDistributed

rng = np.random.default_rng(11)
GOLDEN = json.loads((pathlib.Path(__file__).parent / "recurrent_keras_golden.json").read_text())
CUSTOM = {"LSTM": LSTM, "GRU": GRU, "SimpleRNN": SimpleRNN, "Dense": Dense}


def nested_gradcheck(layer, *inputs, mask=None, multi=False):
    """gradcheck of ``layer(inputs)`` (outputs concatenated) w.r.t. the inputs and every trainable
    weight of every sub-layer, swapping each weight attribute for the tensor being checked."""
    slots = []
    for sub in layer._flatten_layers():
        by_id = {id(v): name for name, v in vars(sub).items() if isinstance(v, Variable)}
        slots += [(sub, by_id[id(w)]) for w in sub._weights if w.trainable]
    count = len(inputs)

    def fn(*args):
        saved = [getattr(sub, name) for sub, name in slots]
        try:
            for (sub, name), tensor in zip(slots, args[count:]):
                setattr(sub, name, tensor)
            out = layer(list(args[:count]) if multi else args[0], mask=mask)
            outs = out if isinstance(out, list) else [out]
            return F.concatenate([F.reshape(o, (-1,)) for o in outs], axis=0)
        finally:
            for (sub, name), value in zip(slots, saved):
                setattr(sub, name, value)

    weights = [getattr(sub, name).numpy().copy() for sub, name in slots]
    return axon.gradcheck(fn, *inputs, *weights)


def randomize(layer, scale=0.5):
    layer.set_weights([rng.normal(size=w.shape) * scale for w in layer.get_weights()])


# ---- Bidirectional ----------------------------------------------------------------------------
BIDIRECTIONAL_GOLDEN = {
    "bidirectional_lstm_masked": (lambda: Bidirectional(LSTM(3, return_sequences=True,
                                                             dtype="float64"), dtype="float64"),
                                  True),
    "bidirectional_gru_sum_states": (lambda: Bidirectional(GRU(3, return_state=True,
                                                               dtype="float64"),
                                                           merge_mode="sum", dtype="float64"),
                                     False),
    "bidirectional_lstm_masked_last": (lambda: Bidirectional(LSTM(3, dtype="float64"),
                                                             dtype="float64"), True),
}


@pytest.mark.parametrize("case", sorted(BIDIRECTIONAL_GOLDEN))
def test_bidirectional_equals_keras(case):
    make, masked = BIDIRECTIONAL_GOLDEN[case]
    golden = GOLDEN["cases"][case]
    x, mask = np.array(GOLDEN["x"]), np.array(GOLDEN["mask"])
    layer = make()
    layer(x)
    assert [list(w.shape) for w in layer.get_weights()] == golden["weight_shapes"]
    layer.set_weights([np.array(w) for w in golden["weights"]])
    outputs = layer(x, mask=mask if masked else None)
    outputs = outputs if isinstance(outputs, list) else [outputs]
    assert len(outputs) == len(golden["outputs"])
    for got, want in zip(outputs, golden["outputs"]):
        np.testing.assert_allclose(got.numpy(), np.array(want), rtol=0, atol=1e-6)


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave", None])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_bidirectional_merges_the_two_directions(merge_mode, return_sequences):
    x = rng.normal(size=(2, 4, 3))
    layer = Bidirectional(GRU(2, return_sequences=return_sequences, dtype="float64"),
                          merge_mode=merge_mode, dtype="float64")
    out = layer(x)
    randomize(layer)
    out = layer(x)
    forward = GRU(2, return_sequences=return_sequences, dtype="float64")
    backward = GRU(2, return_sequences=return_sequences, go_backwards=True, dtype="float64")
    forward(x), backward(x)
    weights = layer.get_weights()
    forward.set_weights(weights[:3])
    backward.set_weights(weights[3:])
    y, y_rev = forward(x).numpy(), backward(x).numpy()
    if return_sequences:
        y_rev = y_rev[:, ::-1]
    expected = {"concat": np.concatenate([y, y_rev], -1), "sum": y + y_rev, "mul": y * y_rev,
                "ave": (y + y_rev) / 2, None: [y, y_rev]}[merge_mode]
    got = [o.numpy() for o in out] if merge_mode is None else out.numpy()
    np.testing.assert_allclose(np.array(got), np.array(expected), atol=1e-12)
    shape = layer.compute_output_shape((None, 4, 3))
    shapes = shape if merge_mode is None else [shape]
    outs = out if merge_mode is None else [out]
    assert [tuple(s[1:]) for s in shapes] == [o.shape[1:] for o in outs]


@pytest.mark.parametrize("merge_mode", ["concat", "mul", None])
def test_bidirectional_gradcheck_wrt_inputs_and_both_sides_weights(merge_mode):
    x = rng.normal(size=(2, 3, 2))
    layer = Bidirectional(LSTM(2, return_sequences=True, dtype="float64"),
                          merge_mode=merge_mode, dtype="float64")
    layer(x)
    randomize(layer)
    assert len(layer.trainable_weights) == 6
    assert nested_gradcheck(layer, x, mask=np.array([[1, 1, 0], [1, 0, 1]], bool))


def test_bidirectional_return_state_and_initial_state():
    x = rng.normal(size=(2, 3, 2))
    layer = Bidirectional(SimpleRNN(2, return_state=True, dtype="float64"), dtype="float64")
    output, h_forward, h_backward = layer(x)
    assert output.shape == (2, 4) and h_forward.shape == h_backward.shape == (2, 2)
    np.testing.assert_allclose(output.numpy(), np.concatenate([h_forward.numpy(),
                                                               h_backward.numpy()], -1))
    states = [rng.normal(size=(2, 2)), rng.normal(size=(2, 2))]
    with_state = layer(x, initial_state=states)
    np.testing.assert_allclose(
        with_state[0].numpy()[:, :2],
        layer.forward_layer(x, initial_state=states[:1])[0].numpy(), atol=1e-12)
    assert nested_gradcheck(layer, x, *states, multi=True)
    assert layer.compute_mask(None, np.ones((2, 3), bool)) == [None, None, None]
    with pytest.raises(ValueError, match=r"expects 2 initial states.*Received: 1"):
        layer(x, initial_state=states[:1])


def test_bidirectional_in_a_functional_model_with_masks():
    tokens = np.array([[4, 2, 0], [1, 0, 0]])
    inputs = axon.Input((3,), dtype="int64")
    embedded = axon.layers.Embedding(5, 2, mask_zero=True)(inputs)
    outputs = Bidirectional(LSTM(3, return_sequences=True), merge_mode="sum")(embedded)
    model = axon.Model(inputs, outputs)
    y = model.predict(tokens, verbose=0)
    assert y.shape == (2, 3, 3)
    assert np.all(y[1, 1:] == 0) and np.all(y[0, 2] == 0)  # zero output at masked steps


def test_bidirectional_config_round_trip_and_errors():
    layer = Bidirectional(LSTM(3, name="enc"), merge_mode="ave")
    assert layer.forward_layer.name == "forward_enc" and layer.backward_layer.go_backwards
    clone = Bidirectional.from_config(layer.get_config(), custom_objects=CUSTOM)
    assert clone.merge_mode == "ave" and clone.forward_layer.units == 3
    x = rng.normal(size=(2, 4, 3)).astype("float32")
    layer(x)
    clone(x)
    clone.set_weights(layer.get_weights())
    np.testing.assert_allclose(clone(x).numpy(), layer(x).numpy(), rtol=1e-6)
    with pytest.raises(ValueError, match="merge_mode"):
        Bidirectional(LSTM(2), merge_mode="max")
    with pytest.raises(ValueError, match="different go_backwards"):
        Bidirectional(LSTM(2), backward_layer=LSTM(2))
    with pytest.raises(ValueError, match="same return_sequences"):
        Bidirectional(LSTM(2), backward_layer=LSTM(2, go_backwards=True, return_sequences=True))
    with pytest.raises(ValueError, match="recurrent layer"):
        Bidirectional(Dense(2))
    own = Bidirectional(LSTM(2), backward_layer=GRU(2, go_backwards=True))
    assert isinstance(own.backward_layer, GRU) and "backward_layer" in own.get_config()
    with pytest.raises(ValueError, match="expects a sequence input"):
        Bidirectional(GRU(2))(np.zeros((2, 3)))


def test_stateful_bidirectional_resets_both_sides():
    layer = Bidirectional(GRU(2, stateful=True))
    x = rng.normal(size=(1, 3, 2)).astype("float32")
    first = layer(x).numpy()
    assert not np.allclose(layer(x).numpy(), first)
    layer.reset_states()
    np.testing.assert_allclose(layer(x).numpy(), first, rtol=1e-6)


def test_bidirectional_config_round_trips_keep_the_layer_names():
    layer = Bidirectional(LSTM(3, name="enc"))
    for _ in range(3):
        layer = Bidirectional.from_config(layer.get_config(), custom_objects=CUSTOM)
        assert layer.forward_layer.name == "forward_enc"
        assert layer.backward_layer.name == "backward_enc"


def test_stateful_bidirectional_needs_a_fixed_batch_size_in_a_functional_model():
    with pytest.raises(ValueError, match=r"Layer 'bi' \(Bidirectional\) is stateful and needs "
                                         "a fixed batch size"):
        Bidirectional(GRU(2, stateful=True), name="bi")(axon.Input((4, 3)))
    assert Bidirectional(GRU(2, stateful=True))(axon.Input((4, 3), batch_size=5)).shape == (5, 4)
    fixed = Bidirectional(GRU(2, stateful=True, batch_size=5))
    assert fixed(axon.Input((4, 3))).shape == (None, 4)


# ---- TimeDistributed --------------------------------------------------------------------------
def test_time_distributed_applies_the_layer_at_every_step():
    x = rng.normal(size=(2, 4, 3))
    layer = TimeDistributed(Dense(5, activation="tanh", dtype="float64"), dtype="float64")
    y = layer(x)
    assert y.shape == (2, 4, 5) and layer.compute_output_shape((None, 4, 3)) == (None, 4, 5)
    kernel, bias = layer.get_weights()
    np.testing.assert_allclose(y.numpy(), np.tanh(x @ kernel + bias), atol=1e-12)
    assert [w.name for w in layer.weights] == ["kernel", "bias"]
    assert nested_gradcheck(layer, x)
    mask = np.ones((2, 4), bool)
    assert layer.compute_mask(None, mask) is mask
    with pytest.raises(ValueError, match="rank >= 3"):
        layer(np.zeros((2, 3)))
    clone = TimeDistributed.from_config(layer.get_config(), custom_objects=CUSTOM)
    assert clone.layer.units == 5


def test_time_distributed_after_an_lstm_in_a_sequential_model_trains():
    model = axon.models.Sequential([axon.Input((5, 2)), LSTM(4, return_sequences=True),
                                    TimeDistributed(Dense(1))])
    x = rng.normal(size=(16, 5, 2)).astype("float32")
    model.compile(optimizer="adam", loss="mse")
    history = model.fit(x, x[:, :, :1], epochs=2, batch_size=8, verbose=0)
    assert model.predict(x, verbose=0).shape == (16, 5, 1)
    assert np.isfinite(history.history["loss"]).all()
    assert len(model.trainable_weights) == 5


def test_time_distributed_passes_each_steps_mask_to_a_layer_that_takes_one():
    x = rng.normal(size=(2, 3, 4, 5))
    mask = rng.random((2, 3, 4)) > 0.4
    mask[..., 0] = True
    lstm = LSTM(2, dtype="float64")
    layer = TimeDistributed(lstm, dtype="float64")
    y = layer(x, mask=mask).numpy()
    want = np.stack([lstm(x[:, t], mask=mask[:, t]).numpy() for t in range(3)], axis=1)
    np.testing.assert_allclose(y, want, atol=1e-12)
    assert not np.allclose(y, layer(x).numpy())  # the mask reached the LSTM
    dense = TimeDistributed(Dense(2))  # Dense.call takes no mask: it is not passed
    assert dense(x[..., 0], mask=mask[..., 0]).shape == (2, 3, 2)
    with pytest.raises(ValueError, match=r"TimeDistributed\) expects a mask of shape "
                                         r"\(batch, time, ...\) = \(2, 3\). Received: "
                                         r"mask.shape=\(3, 2\)"):
        layer(x, mask=np.ones((3, 2), bool))


# ---- Masking ----------------------------------------------------------------------------------
def test_masking_makes_a_mask_and_zeroes_masked_steps():
    x = rng.normal(size=(2, 4, 3))
    x[0, 1] = -1.0
    x[1, 3] = -1.0
    layer = Masking(mask_value=-1.0, dtype="float64")
    y = layer(x).numpy()
    mask = layer.compute_mask(x)
    assert mask.tolist() == [[True, False, True, True], [True, True, True, False]]
    assert np.all(y[0, 1] == 0) and np.allclose(y[0, 0], x[0, 0])
    xt = axon.Tensor(x, requires_grad=True)
    (layer(xt) * 3.0).sum().backward()  # dL/dx = g * mask (0 on masked steps)
    np.testing.assert_array_equal(xt.grad, 3.0 * np.broadcast_to(mask[..., None], x.shape))
    assert nested_gradcheck(layer, rng.normal(size=(2, 4, 3)))  # away from the mask's kink
    with pytest.raises(ValueError, match="mask_value"):
        Masking(mask_value="zero")


def test_masking_then_lstm_equals_lstm_with_the_explicit_mask():
    x = rng.normal(size=(3, 5, 2)).astype("float32")
    x[0, 3:] = 0.0
    x[2, 0] = 0.0
    lstm = LSTM(3, return_sequences=True)
    model = axon.models.Sequential([axon.Input((5, 2)), Masking(), lstm])
    expected = lstm(x, mask=np.any(x != 0, axis=-1)).numpy()
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-6)
    assert not np.allclose(lstm(x).numpy(), expected)  # the mask changes the result
    np.testing.assert_allclose(expected[0, 3], expected[0, 2])  # masked steps repeat the output
