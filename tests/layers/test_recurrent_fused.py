"""The fused LSTM and GRU paths (one primitive per sequence, hand-written BPTT) against the
reference path (every step recorded by the engine): same outputs, same gradients w.r.t. the
inputs, the weights and the initial states, over masks, directions, dropout and output options."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

import axon
from axon.engine import Tensor
from axon.layers.recurrent import GRU, LSTM, SimpleRNN
from axon.layers.wrappers import Bidirectional

LAYERS = {"lstm": LSTM, "gru": GRU}
MASK = np.array([[1, 1, 0, 1, 0], [0, 1, 1, 1, 1], [1, 1, 1, 0, 0]], bool)


def run(layer, x, states, mask, training, fused, seed=5):
    """Outputs (arrays) and the gradients of ``sum(v * outputs)`` w.r.t. x, states and weights."""
    layer._fusable = (lambda: True) if fused else (lambda: False)
    assert type(layer)._fusable(layer), "the layer should take the fused path by default"
    layer._rng = axon.backend.make_rng(seed)
    x = Tensor(x, requires_grad=True)
    states = [Tensor(s, requires_grad=True) for s in states]
    out = layer(x, mask=mask, training=training, initial_state=states or None)
    outs = out if isinstance(out, list) else [out]
    cotangent = np.random.default_rng(11)
    loss = sum((o * Tensor(cotangent.normal(size=o.shape))).sum() for o in outs)
    for w in layer.weights:
        w.grad = None
    loss.backward()
    grads = [x.grad] + [s.grad for s in states] + [w.grad for w in layer.weights]
    del layer._fusable
    return [o.numpy() for o in outs], grads


def assert_same(kind, dtype, atol, go_backwards=False, return_sequences=False, masked=False,
                dropout=False, zero_output_for_mask=False, return_state=False, initial=False):
    rng = np.random.default_rng(3)
    layer = LAYERS[kind](4, go_backwards=go_backwards, return_sequences=return_sequences,
                         return_state=return_state, recurrent_dropout=0.4 if dropout else 0.0,
                         zero_output_for_mask=zero_output_for_mask, dtype=dtype)
    x = rng.normal(size=(3, 5, 2)).astype(dtype)
    layer(x)
    layer.set_weights([rng.normal(size=w.shape).astype(dtype) * 0.7 for w in layer.get_weights()])
    count = 2 if kind == "lstm" else 1
    states = [rng.normal(size=(3, 4)).astype(dtype) for _ in range(count)] if initial else []
    mask = MASK if masked else None
    fused = run(layer, x, states, mask, dropout, fused=True)
    steps = run(layer, x, states, mask, dropout, fused=False)
    for got, want in zip(fused[0] + fused[1], steps[0] + steps[1]):
        assert got.dtype == want.dtype == np.dtype(dtype)
        np.testing.assert_allclose(got, want, rtol=atol, atol=atol)


OPTIONS = list(itertools.product([False, True], repeat=5))


@pytest.mark.parametrize("kind", sorted(LAYERS))
@pytest.mark.parametrize("go_backwards, return_sequences, masked, dropout, zero_output", OPTIONS)
def test_fused_equals_the_engine_path_in_float64(kind, go_backwards, return_sequences, masked,
                                                 dropout, zero_output):
    assert_same(kind, "float64", 1e-10, go_backwards=go_backwards,
                return_sequences=return_sequences, masked=masked, dropout=dropout,
                zero_output_for_mask=zero_output, return_state=masked, initial=not masked)


@pytest.mark.parametrize("kind", sorted(LAYERS))
def test_fused_equals_the_engine_path_in_float32(kind):
    assert_same(kind, "float32", 2e-5, return_sequences=True, masked=True, dropout=True,
                return_state=True, initial=True)


@pytest.mark.parametrize("kind", sorted(LAYERS))
def test_fused_layer_gradchecks_with_mask_and_dropout(kind):
    rng = np.random.default_rng(8)
    layer = LAYERS[kind](3, return_sequences=True, recurrent_dropout=0.3, go_backwards=True,
                         zero_output_for_mask=True, dtype="float64")
    x = rng.normal(size=(3, 5, 2))
    layer(x)

    def fn(x, kernel, recurrent_kernel, bias):
        layer.kernel, layer.recurrent_kernel, layer.bias = kernel, recurrent_kernel, bias
        layer._rng = axon.backend.make_rng(1)
        return layer(x, mask=MASK, training=True)

    weights = [w.numpy().copy() for w in (layer.kernel, layer.recurrent_kernel, layer.bias)]
    assert axon.gradcheck(fn, x, *[w + rng.normal(size=w.shape) * 0.5 for w in weights])


def test_which_layers_take_the_fused_path():
    assert LSTM(2)._fusable() and GRU(2)._fusable()
    assert not LSTM(2, activation="relu")._fusable()
    assert not LSTM(2, recurrent_activation="hard_sigmoid")._fusable()
    assert not GRU(2, reset_after=False)._fusable()
    assert not GRU(2, activation="softsign")._fusable()
    assert not SimpleRNN(2)._fusable()
    assert LSTM.from_config(LSTM(2).get_config())._fusable()


@pytest.mark.parametrize("kind", sorted(LAYERS))
def test_bidirectional_and_stateful_agree_with_the_engine_path(kind, monkeypatch):
    rng = np.random.default_rng(4)
    x = rng.normal(size=(3, 5, 2))
    results = []
    for fused in (True, False):
        monkeypatch.setattr(LAYERS[kind], "_fusable", lambda self, on=fused: on)
        axon.backend.seed(0)
        wrapper = Bidirectional(LAYERS[kind](4, return_sequences=True, dtype="float64"))
        stateful = LAYERS[kind](4, stateful=True, dtype="float64")
        y = wrapper(x, mask=MASK).numpy()
        stateful(x)
        results.append([y, stateful(x).numpy(), *stateful.states])
    for got, want in zip(*results):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)
