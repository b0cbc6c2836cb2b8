"""SimpleRNN, LSTM, GRU: explicit-loop NumPy references, Keras goldens, BPTT gradchecks (inputs,
weights and initial states), masks, stateful layers, initial states, dropout and clear errors."""
from __future__ import annotations

import json
import pathlib

import numpy as np
import pytest
from layer_testing import run_layer_test

import axon
from axon.engine import Tensor
from axon.engine import functional as F
from axon.layers.embedding import Embedding
from axon.layers.recurrent import GRU, LSTM, SimpleRNN

rng = np.random.default_rng(7)
GOLDEN = json.loads((pathlib.Path(__file__).parent / "recurrent_keras_golden.json").read_text())


# ---- explicit-loop float64 references (written from the equations, independently of axon) ----
def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def reference(kind, x, weights, mask=None, go_backwards=False, initial=None, reset_after=True):
    """Every step's output and the final states, one sample and one step at a time."""
    batch, time, _ = x.shape
    W, U = weights[0], weights[1]
    b = weights[2] if len(weights) > 2 else None
    units = U.shape[0]
    n_states = 2 if kind == "lstm" else 1
    init = initial if initial is not None else [np.zeros((batch, units))] * n_states
    outputs = np.zeros((batch, time, units))
    finals = []
    for s in range(batch):
        states = [st[s].copy() for st in init]
        steps = range(time - 1, -1, -1) if go_backwards else range(time)
        for k, t in enumerate(steps):
            xt, h = x[s, t], states[0]
            if kind == "simple":
                new = [np.tanh(xt @ W + h @ U + (0 if b is None else b))]
            elif kind == "lstm":
                z = xt @ W + h @ U + (0 if b is None else b)
                i, f, g, o = (z[j * units:(j + 1) * units] for j in range(4))
                c = sigmoid(f) * states[1] + sigmoid(i) * np.tanh(g)
                new = [sigmoid(o) * np.tanh(c), c]
            else:
                if reset_after:
                    bx, bh = (b[0], b[1]) if b is not None else (0, 0)
                    mx, mh = xt @ W + bx, h @ U + bh
                    z = sigmoid(mx[:units] + mh[:units])
                    r = sigmoid(mx[units:2 * units] + mh[units:2 * units])
                    cand = np.tanh(mx[2 * units:] + r * mh[2 * units:])
                else:
                    mx = xt @ W + (0 if b is None else b)
                    z = sigmoid(mx[:units] + h @ U[:, :units])
                    r = sigmoid(mx[units:2 * units] + h @ U[:, units:2 * units])
                    cand = np.tanh(mx[2 * units:] + (r * h) @ U[:, 2 * units:])
                new = [z * h + (1 - z) * cand]
            if mask is None or mask[s, t]:
                states = new
            outputs[s, k] = states[0]
        finals.append(states)
    return outputs, [np.stack([f[j] for f in finals]) for j in range(n_states)]


LAYERS = {"simple": SimpleRNN, "lstm": LSTM, "gru": GRU, "gru_before": GRU}


def make(kind, units=3, **kwargs):
    if kind == "gru_before":
        kwargs["reset_after"] = False
    return LAYERS[kind](units, dtype="float64", **kwargs)


def random_weights(layer, scale=0.6):
    layer.set_weights([rng.normal(size=w.shape) * scale for w in layer.get_weights()])
    return layer.get_weights()


def ref_kind(kind):
    return "gru" if kind.startswith("gru") else kind


@pytest.mark.parametrize("kind", sorted(LAYERS))
@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("masked", [False, True])
def test_outputs_and_final_states_equal_the_explicit_loop(kind, go_backwards, masked):
    x = rng.normal(size=(3, 5, 4))
    mask = np.array([[1, 1, 0, 1, 1], [0, 1, 1, 1, 0], [1, 1, 1, 1, 1]], bool) if masked else None
    layer = make(kind, return_sequences=True, return_state=True, go_backwards=go_backwards)
    layer(x)
    weights = random_weights(layer)
    output, *states = layer(x, mask=mask)
    expected, expected_states = reference(ref_kind(kind), x, weights, mask, go_backwards,
                                          reset_after=kind != "gru_before")
    np.testing.assert_allclose(output.numpy(), expected, rtol=0, atol=1e-10)
    for got, want in zip(states, expected_states):
        np.testing.assert_allclose(got.numpy(), want, rtol=0, atol=1e-10)
    last = make(kind, go_backwards=go_backwards)  # return_sequences=False: the last output
    last(x)
    last.set_weights(weights)
    np.testing.assert_allclose(last(x, mask=mask).numpy(), expected[:, -1], atol=1e-10)


@pytest.mark.parametrize("kind", sorted(LAYERS))
def test_initial_state_and_no_bias_match_the_reference(kind):
    x = rng.normal(size=(2, 4, 3))
    layer = make(kind, units=2, use_bias=False, return_sequences=True)
    initial = [rng.normal(size=(2, 2)) for _ in range(2 if kind == "lstm" else 1)]
    layer(x)
    weights = random_weights(layer)
    assert len(weights) == 2
    expected, _ = reference(ref_kind(kind), x, weights, initial=initial,
                            reset_after=kind != "gru_before")
    np.testing.assert_allclose(layer(x, initial_state=initial).numpy(), expected, atol=1e-10)
    np.testing.assert_allclose(layer([x, *initial]).numpy(), expected, atol=1e-10)


# ---- Keras 3 goldens --------------------------------------------------------------------------
GOLDEN_LAYERS = {
    "simple_rnn": lambda: SimpleRNN(3, return_sequences=True, return_state=True, dtype="float64"),
    "lstm": lambda: LSTM(3, return_sequences=True, return_state=True, dtype="float64"),
    "gru_reset_after": lambda: GRU(3, return_sequences=True, return_state=True, dtype="float64"),
    "gru_reset_before": lambda: GRU(3, reset_after=False, return_sequences=True,
                                    return_state=True, dtype="float64"),
    "lstm_backwards": lambda: LSTM(3, go_backwards=True, return_sequences=True,
                                   return_state=True, dtype="float64"),
    "lstm_masked": lambda: LSTM(3, return_sequences=True, return_state=True, dtype="float64"),
    "gru_masked": lambda: GRU(3, return_sequences=True, return_state=True, dtype="float64"),
    "simple_rnn_masked_last": lambda: SimpleRNN(3, dtype="float64"),
}


@pytest.mark.parametrize("case", sorted(GOLDEN_LAYERS))
def test_weights_and_outputs_equal_keras(case):
    """Numbers from Keras 3 (version in the fixture): same weight shapes and order; the same
    weights give the same outputs (Keras computes partly in float32 here, hence 1e-6)."""
    golden = GOLDEN["cases"][case]
    x, mask = np.array(GOLDEN["x"]), np.array(GOLDEN["mask"])
    layer = GOLDEN_LAYERS[case]()
    layer(x)
    assert [list(w.shape) for w in layer.get_weights()] == golden["weight_shapes"]
    assert [w.name for w in layer.weights] == [p.rsplit("/", 1)[1] for p in golden["weight_paths"]]
    layer.set_weights([np.array(w) for w in golden["weights"]])
    outputs = layer(x, mask=mask if "masked" in case else None)
    outputs = outputs if isinstance(outputs, list) else [outputs]
    assert len(outputs) == len(golden["outputs"])
    for got, want in zip(outputs, golden["outputs"]):
        np.testing.assert_allclose(got.numpy(), np.array(want), rtol=0, atol=1e-6)


def test_default_initialization_follows_keras():
    lstm = LSTM(4)
    lstm(np.zeros((1, 7, 5), "float32"))
    np.testing.assert_array_equal(lstm.get_weights()[2], GOLDEN["lstm_default_bias"])
    u = lstm.get_weights()[1]  # orthogonal recurrent kernel (4, 16): orthonormal rows
    np.testing.assert_allclose(u @ u.T, np.eye(4), atol=1e-5)
    gru = GRU(4)
    gru(np.zeros((1, 7, 5), "float32"))
    assert [list(w.shape) for w in gru.get_weights()] == GOLDEN["gru_default_weight_shapes"]
    assert GRU(4, reset_after=False, dtype="float64")(np.zeros((1, 2, 5))).shape == (1, 4)
    assert LSTM(2, unit_forget_bias=False, bias_initializer="ones").build((None, 3, 2)) is None


# ---- gradients through time -------------------------------------------------------------------
def rnn_gradcheck(layer, x, states=(), mask=None, training=False, before_call=None):
    """gradcheck of every output (concatenated) w.r.t. x, the initial states and the weights."""
    names = ["kernel", "recurrent_kernel"] + (["bias"] if layer.use_bias else [])
    count = 1 + len(states)

    def fn(*args):
        saved = {name: getattr(layer, name) for name in names}
        try:
            for name, tensor in zip(names, args[count:]):
                setattr(layer, name, tensor)
            if before_call is not None:
                before_call()
            out = layer(list(args[:count]) if states else args[0], mask=mask, training=training)
            outs = out if isinstance(out, list) else [out]
            return F.concatenate([F.reshape(o, (-1,)) for o in outs], axis=0)
        finally:
            for name, value in saved.items():
                setattr(layer, name, value)

    weights = [getattr(layer, name).numpy().copy() for name in names]
    return axon.gradcheck(fn, x, *states, *weights)


@pytest.mark.parametrize("kind", sorted(LAYERS))
@pytest.mark.parametrize("option", ["plain", "sequences", "backwards", "masked", "state"])
def test_gradcheck_wrt_inputs_weights_and_initial_state(kind, option):
    x = rng.normal(size=(2, 4, 3))
    mask = np.array([[1, 0, 1, 1], [1, 1, 1, 0]], bool) if option == "masked" else None
    layer = make(kind, units=2, return_sequences=option in ("sequences", "masked"),
                 go_backwards=option == "backwards", return_state=option == "state")
    layer(x)
    random_weights(layer)
    states = [rng.normal(size=(2, 2)) for _ in range(2 if kind == "lstm" else 1)]
    assert rnn_gradcheck(layer, x, states, mask=mask)


def test_gradient_reaches_the_initial_state_and_masked_steps_get_none():
    layer = LSTM(2, return_sequences=True, dtype="float64")
    x = Tensor(rng.normal(size=(1, 3, 2)), requires_grad=True)
    h0 = Tensor(rng.normal(size=(1, 2)), requires_grad=True)
    c0 = Tensor(rng.normal(size=(1, 2)), requires_grad=True)
    layer(x, mask=np.array([[True, False, True]]), initial_state=[h0, c0]).sum().backward()
    assert np.all(x.grad[0, 1] == 0) and np.all(x.grad[0, 0] != 0)
    assert np.any(h0.grad != 0) and np.any(c0.grad != 0)


@pytest.mark.parametrize("kind", ["simple", "lstm", "gru"])
def test_dropout_only_in_training_and_gradcheck_with_a_fixed_mask(kind):
    x = rng.normal(size=(2, 4, 3))
    layer = make(kind, units=2, dropout=0.4, recurrent_dropout=0.3, seed=3)
    y_infer = layer(x).numpy()
    plain = make(kind, units=2)
    plain(x)
    plain.set_weights(layer.get_weights())
    np.testing.assert_array_equal(plain(x).numpy(), y_infer)  # inference: no dropout
    assert not np.allclose(layer(x, training=True).numpy(), y_infer)

    def reseed():
        layer._rng = axon.backend.make_rng(3)

    assert rnn_gradcheck(layer, x, training=True, before_call=reseed)


# ---- masks ------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["simple", "lstm", "gru"])
def test_embedding_mask_zero_gives_the_masked_reference(kind):
    tokens = np.array([[3, 1, 0, 0], [2, 0, 4, 1]])
    embedding = Embedding(5, 3, mask_zero=True, dtype="float64")
    layer = make(kind, return_sequences=True)
    model = axon.models.Sequential([axon.Input((4,), dtype="int64"), embedding, layer])
    weights = random_weights(layer)
    expected, _ = reference(ref_kind(kind), embedding(tokens).numpy(), weights,
                            mask=tokens != 0)
    np.testing.assert_allclose(model.predict(tokens, verbose=0), expected, atol=1e-10)
    # right padding: the last output equals the output of the unpadded sequence
    last = make(kind)
    last(np.zeros((1, 1, 3)))
    last.set_weights(weights)
    unpadded = last(embedding(np.array([[3, 1]]))).numpy()
    padded = last(embedding(tokens[:1]), mask=tokens[:1] != 0).numpy()
    np.testing.assert_allclose(padded, unpadded, atol=1e-12)


def test_compute_mask_passes_the_mask_only_with_return_sequences():
    mask = np.array([[True, False]])
    assert LSTM(2, return_sequences=True).compute_mask(None, mask) is mask
    assert LSTM(2).compute_mask(None, mask) is None
    assert LSTM(2, return_sequences=True, return_state=True).compute_mask(None, mask) == \
        [mask, None, None]
    with pytest.raises(ValueError, match=r"mask of shape \(batch, timesteps\)"):
        LSTM(2)(np.zeros((1, 2, 3)), mask=np.array([[True, False, True]]))


# ---- states -----------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["simple", "lstm", "gru"])
def test_stateful_layer_carries_state_across_calls_until_reset(kind):
    x = rng.normal(size=(2, 6, 3))
    full = make(kind, return_sequences=True)
    full(x)
    weights = random_weights(full)
    stateful = make(kind, return_sequences=True, stateful=True)
    stateful(x[:, :1])
    stateful.set_weights(weights)
    stateful.reset_states()
    first, second = stateful(x[:, :3]).numpy(), stateful(x[:, 3:]).numpy()
    np.testing.assert_allclose(np.concatenate([first, second], axis=1), full(x).numpy(),
                               atol=1e-12)
    stateful.reset_states()
    np.testing.assert_allclose(stateful(x[:, :3]).numpy(), first, atol=1e-12)
    with pytest.raises(ValueError, match="batch size 2"):
        stateful(x[:1, :3])
    with pytest.raises(AttributeError, match="not stateful"):
        full.reset_states()


def test_stateful_needs_a_fixed_batch_size_in_a_functional_model():
    with pytest.raises(ValueError, match="fixed batch size"):
        LSTM(2, stateful=True)(axon.Input((4, 3)))
    out = LSTM(2, stateful=True)(axon.Input((4, 3), batch_size=5))
    assert out.shape == (5, 2)


def test_a_stateful_layers_batch_size_survives_a_config_round_trip():
    layer = LSTM(3, stateful=True, batch_size=4)
    config = layer.get_config()
    assert config["batch_size"] == 4
    clone = LSTM.from_config(config)
    assert clone.batch_size == 4
    assert clone(axon.Input((5, 2))).shape == (None, 3)
    assert "batch_size" not in LSTM(3).get_config()


def test_initial_state_in_a_functional_model():
    x_in, h_in, c_in = axon.Input((4, 3)), axon.Input((2,)), axon.Input((2,))
    lstm = LSTM(2, return_state=True)
    output, h, c = lstm(x_in, initial_state=[h_in, c_in])
    assert output.shape == (None, 2) and c.shape == (None, 2)
    model = axon.Model([x_in, h_in, c_in], [output, c])
    x = rng.normal(size=(3, 4, 3)).astype("float32")
    h0, c0 = (rng.normal(size=(3, 2)).astype("float32") for _ in range(2))
    got = model.predict([x, h0, c0], verbose=0)
    want = lstm(x, initial_state=[h0, c0])
    np.testing.assert_allclose(got[0], want[0].numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got[1], want[2].numpy(), rtol=1e-5, atol=1e-6)
    assert not np.allclose(got[0], lstm(x)[0].numpy())  # the state matters


# ---- errors -----------------------------------------------------------------------------------
def test_clear_errors():
    layer = LSTM(2, name="encoder")
    with pytest.raises(ValueError, match=r"'encoder' \(LSTM\) expects a sequence input of shape "
                                         r"\(batch, timesteps, features\). Received: shape=\(None, 5\)"):
        layer(np.zeros((4, 5)))
    layer(np.zeros((4, 6, 5)))
    assert layer(np.zeros((4, 9, 5))).shape == (4, 2)  # any number of time steps
    with pytest.raises(ValueError, match="expected 5 features \\(as built\\), got 4"):
        layer(np.zeros((4, 6, 4)))
    with pytest.raises(ValueError, match=r"expects 2 initial state\(s\) \[h, c\].*Received: 1"):
        layer(np.zeros((4, 6, 5)), initial_state=[np.zeros((4, 2))])
    with pytest.raises(ValueError, match=r"initial state 'c' of shape \(batch, units\) = \(4, 2\)"):
        layer(np.zeros((4, 6, 5)), initial_state=[np.zeros((4, 2)), np.zeros((4, 3))])
    with pytest.raises(ValueError, match="Received: units=0"):
        GRU(0)
    with pytest.raises(ValueError, match="Received: dropout=1.5"):
        SimpleRNN(2, dropout=1.5)
    with pytest.raises(ValueError, match="at least one time step"):
        SimpleRNN(2)(np.zeros((1, 0, 3)))


# ---- configuration, regularizers, training ------------------------------------------------------
@pytest.mark.parametrize("cls, kwargs, weights", [
    (SimpleRNN, {"units": 3, "return_sequences": True},
     [("kernel", (4, 3), True), ("recurrent_kernel", (3, 3), True), ("bias", (3,), True)]),
    (LSTM, {"units": 2, "go_backwards": True, "recurrent_activation": "hard_sigmoid"},
     [("kernel", (4, 8), True), ("recurrent_kernel", (2, 8), True), ("bias", (8,), True)]),
    (GRU, {"units": 2, "reset_after": False, "use_bias": True},
     [("kernel", (4, 6), True), ("recurrent_kernel", (2, 6), True), ("bias", (6,), True)]),
    (GRU, {"units": 2, "use_bias": False},
     [("kernel", (4, 6), True), ("recurrent_kernel", (2, 6), True)]),
])
def test_layer_contract_and_config_round_trip(cls, kwargs, weights):
    x = rng.normal(size=(2, 5, 4)).astype("float32")
    batch_shape = (2, 5, kwargs["units"]) if kwargs.get("return_sequences") else (2, kwargs["units"])
    run_layer_test(cls, kwargs, x, batch_shape, weights)
    config = cls(**kwargs).get_config()
    assert config["recurrent_initializer"]["class_name"] == "Orthogonal"
    assert cls.from_config(config).get_config()["units"] == kwargs["units"]


def test_regularizers_and_constraints_reach_the_weights():
    layer = LSTM(2, kernel_regularizer="l2", recurrent_regularizer="l1", bias_regularizer="l2",
                 recurrent_constraint="non_neg")
    layer(np.ones((1, 3, 2), "float32"))
    assert len(layer.losses) == 3
    assert layer.recurrent_kernel.constraint is not None and layer.kernel.constraint is None


def test_compute_output_shape():
    assert LSTM(4).compute_output_shape((None, 7, 3)) == (None, 4)
    assert GRU(4, return_sequences=True, return_state=True).compute_output_shape(
        (None, 7, 3)) == [(None, 7, 4), (None, 4)]
    assert LSTM(4, return_state=True).compute_output_shape([(8, None, 3), (8, 4), (8, 4)]) == \
        [(8, 4), (8, 4), (8, 4)]


def test_a_small_lstm_model_trains():
    axon.utils.set_random_seed(0)
    x = rng.normal(size=(64, 6, 2)).astype("float32")
    y = (x[:, :, 0].sum(axis=1) > 0).astype("float32")[:, None]
    model = axon.models.Sequential([axon.Input((6, 2)), LSTM(8), axon.layers.Dense(1)])
    model.compile(optimizer=axon.optimizers.Adam(0.02), loss="mse")
    history = model.fit(x, y, epochs=8, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < 0.6 * history.history["loss"][0]
