"""MultiHeadAttention, Attention and AdditiveAttention: values against explicit float64 NumPy
references (with and without masks) and Keras golden values, float64 gradient checks, Keras's
weights, dropout, functional models, saving, errors, and a small transformer encoder that learns
to reverse sequences."""
from __future__ import annotations

import json
import pathlib

import numpy as np
import pytest
from layer_testing import run_layer_test

import axon
from axon.layers.attention import MultiHeadAttention
from axon.layers.dot_attention import AdditiveAttention, Attention

rng = np.random.default_rng(3)
WEIGHT_ATTRIBUTES = ("query_kernel", "query_bias", "key_kernel", "key_bias", "value_kernel",
                     "value_bias", "output_kernel", "output_bias")


def reference(q, v, k, weights, allowed=None):
    """Attention with explicit loops over batch and heads (float64)."""
    wq, bq, wk, bk, wv, bv, wo, bo = weights
    batch, steps, heads, key_dim = q.shape[0], q.shape[1], wq.shape[1], wq.shape[2]
    out = np.zeros((batch, steps, wo.shape[2]))
    scores = np.zeros((batch, heads, steps, v.shape[1]))
    for b in range(batch):
        for h in range(heads):
            qh = q[b] @ wq[:, h] + bq[h]
            kh = k[b] @ wk[:, h] + bk[h]
            vh = v[b] @ wv[:, h] + bv[h]
            s = qh @ kh.T / np.sqrt(key_dim)
            if allowed is not None:
                s = np.where(allowed[b], s, -1e9)
            a = np.exp(s - s.max(axis=-1, keepdims=True))
            a /= a.sum(axis=-1, keepdims=True)
            if allowed is not None:
                a = np.where(allowed[b], a, 0.0)
            scores[b, h] = a
            out[b] += (a @ vh) @ wo[h]
    return out + bo, scores


def _layer(q, v, k, **kwargs):
    layer = MultiHeadAttention(dtype="float64", **kwargs)
    layer(q, v, k)
    layer.set_weights([rng.normal(size=w.shape) * 0.5 for w in layer.get_weights()])
    return layer


def _inputs(batch=2, steps=4, sources=5):
    return (rng.normal(size=(batch, steps, 6)), rng.normal(size=(batch, sources, 8)),
            rng.normal(size=(batch, sources, 7)))


@pytest.mark.parametrize("kind", ["none", "attention_mask", "causal", "both", "2d_mask"])
def test_matches_numpy_reference(kind):
    q, v, k = _inputs(sources=4)
    layer = _layer(q, v, k, num_heads=3, key_dim=2, value_dim=3, output_shape=4)
    mask = rng.random((2, 4, 4)) > 0.3
    causal = np.tril(np.ones((4, 4), dtype=bool))
    call, allowed = {}, None
    if kind in ("attention_mask", "both"):
        call["attention_mask"], allowed = mask, mask
    if kind in ("causal", "both"):
        call["use_causal_mask"] = True
        allowed = np.broadcast_to(causal, (2, 4, 4)) if allowed is None else allowed & causal
    if kind == "2d_mask":
        call["attention_mask"], allowed = mask[0].astype(int), np.broadcast_to(mask[0], (2, 4, 4))
    out, scores = layer(q, v, k, return_attention_scores=True, **call)
    want_out, want_scores = reference(q, v, k, layer.get_weights(), allowed)
    np.testing.assert_allclose(out.numpy(), want_out, atol=1e-10)
    np.testing.assert_allclose(scores.numpy(), want_scores, atol=1e-12)
    assert out.shape == (2, 4, 4) and scores.shape == (2, 3, 4, 4)


def test_scores_sum_to_one_and_vanish_where_masked():
    q, v, k = _inputs()
    layer = _layer(q, v, k, num_heads=2, key_dim=3)
    mask = rng.random((2, 4, 5)) > 0.4
    mask[:, :, 0] = True  # every query row keeps one key
    _, scores = layer(q, v, k, attention_mask=mask, return_attention_scores=True)
    scores = scores.numpy()
    np.testing.assert_allclose(scores.sum(axis=-1), 1.0, atol=1e-12)
    assert np.all(scores[np.broadcast_to(~mask[:, None], scores.shape)] == 0.0)
    mask[1, 2] = False  # a fully masked row: Keras gives zero probabilities (and output = bias)
    out, scores = layer(q, v, k, attention_mask=mask, return_attention_scores=True)
    assert np.all(scores.numpy()[1, :, 2] == 0.0)
    np.testing.assert_allclose(out.numpy()[1, 2], layer.output_bias.numpy(), atol=1e-12)


def test_key_defaults_to_value_and_call_forms_agree():
    x, y = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 5, 4))
    layer = MultiHeadAttention(num_heads=2, key_dim=3, dtype="float64")
    a = layer(x, y).numpy()
    np.testing.assert_array_equal(layer(query=x, value=y).numpy(), a)
    np.testing.assert_array_equal(layer([x, y]).numpy(), a)
    np.testing.assert_array_equal(layer(x, y, y).numpy(), a)
    want, _ = reference(x, y, y, layer.get_weights())
    np.testing.assert_allclose(a, want, atol=1e-10)
    # sequence lengths may change between calls
    assert layer(x[:, :2], y[:, :4]).shape == (2, 2, 4)


def _gradcheck(layer, inputs, **call_kwargs):
    names = [n for n in WEIGHT_ATTRIBUTES if getattr(layer, n) is not None]
    count = len(inputs)

    def fn(*args):
        saved = {n: getattr(layer, n) for n in names}
        try:
            for n, tensor in zip(names, args[count:]):
                setattr(layer, n, tensor)
            result = layer(*args[:count], **call_kwargs)
            return result[0] * 1.0 + result[1].sum() if isinstance(result, tuple) else result
        finally:
            for n, value in saved.items():
                setattr(layer, n, value)

    return axon.gradcheck(fn, *inputs, *[getattr(layer, n).numpy().copy() for n in names])


@pytest.mark.parametrize("kind", ["plain", "masked", "causal_scores", "self_no_bias"])
def test_gradcheck_inputs_and_weights(kind):
    q, v, k = _inputs(batch=2, steps=3, sources=3)
    if kind == "plain":
        layer = _layer(q, v, k, num_heads=2, key_dim=2, value_dim=3)
        assert _gradcheck(layer, (q, v, k))
    elif kind == "masked":
        layer = _layer(q, v, k, num_heads=2, key_dim=2)
        mask = rng.random((2, 3, 3)) > 0.3
        mask[:, :, 0] = True
        assert _gradcheck(layer, (q, v, k), attention_mask=mask)
    elif kind == "causal_scores":
        layer = _layer(q, v, k, num_heads=1, key_dim=3, output_shape=2)
        assert _gradcheck(layer, (q, v, k), use_causal_mask=True, return_attention_scores=True)
    else:
        layer = MultiHeadAttention(num_heads=2, key_dim=2, use_bias=False, dtype="float64")
        layer(q, q)
        assert _gradcheck(layer, (q, q))


def test_gradcheck_with_dropout_in_training():
    q, v, k = _inputs(batch=1, steps=3, sources=3)
    layer = _layer(q, v, k, num_heads=2, key_dim=2, dropout=0.4, seed=5)

    def reseeded(*args):
        layer._rng = axon.backend.make_rng(5)
        return layer(*args, training=True)

    assert axon.gradcheck(reseeded, q, v, k)


def test_dropout_only_in_training_and_scores_are_before_dropout():
    q, v, k = _inputs()
    layer = _layer(q, v, k, num_heads=2, key_dim=2, dropout=0.5, seed=1)
    plain = MultiHeadAttention(num_heads=2, key_dim=2, dtype="float64")
    plain(q, v, k)
    plain.set_weights(layer.get_weights())
    np.testing.assert_array_equal(layer(q, v, k).numpy(), plain(q, v, k).numpy())
    out, scores = layer(q, v, k, training=True, return_attention_scores=True)
    assert not np.allclose(out.numpy(), plain(q, v, k).numpy())
    np.testing.assert_allclose(scores.numpy().sum(-1), 1.0, atol=1e-12)
    again = MultiHeadAttention(num_heads=2, key_dim=2, dropout=0.5, seed=1, dtype="float64")
    again(q, v, k)
    again.set_weights(layer.get_weights())
    np.testing.assert_array_equal(again(q, v, k, training=True).numpy(), out.numpy())


def test_weights_names_shapes_and_order_as_keras():
    # Keras 3.15.1: multi_head_attention/query/kernel (6, 2, 3), query/bias (2, 3), key/kernel
    # (9, 2, 3), key/bias (2, 3), value/kernel (8, 2, 4), value/bias (2, 4),
    # attention_output/kernel (2, 4, 6), attention_output/bias (6,), in get_weights order.
    inputs = [rng.normal(size=(2, 5, 6)), rng.normal(size=(2, 7, 8)), rng.normal(size=(2, 7, 9))]
    expected = [("query/kernel", (6, 2, 3), True), ("query/bias", (2, 3), True),
                ("key/kernel", (9, 2, 3), True), ("key/bias", (2, 3), True),
                ("value/kernel", (8, 2, 4), True), ("value/bias", (2, 4), True),
                ("attention_output/kernel", (2, 4, 6), True), ("attention_output/bias", (6,), True)]
    layer = run_layer_test(MultiHeadAttention, {"num_heads": 2, "key_dim": 3, "value_dim": 4},
                           inputs, (2, 5, 6), expected)
    assert layer.count_params() == 36 + 6 + 54 + 6 + 64 + 8 + 48 + 6
    # Keras 3.15.1 without biases and with output_shape=5: kernels (6,2,3), (8,2,3), (8,2,3), (2,3,5)
    layer = MultiHeadAttention(num_heads=2, key_dim=3, output_shape=5, use_bias=False)
    layer(inputs[0], inputs[1])
    assert [(w.name, w.shape) for w in layer.weights] == [
        ("query/kernel", (6, 2, 3)), ("key/kernel", (8, 2, 3)), ("value/kernel", (8, 2, 3)),
        ("attention_output/kernel", (2, 3, 5))]


def test_kernels_initialized_with_einsum_fans():
    layer = MultiHeadAttention(num_heads=4, key_dim=8, dtype="float64")
    x = np.zeros((1, 2, 64))
    layer(x, x)
    limit = np.sqrt(6 / (64 + 32))  # glorot_uniform with fan_in = 64, fan_out = 4 * 8
    kernel = layer.query_kernel.numpy()
    assert np.abs(kernel).max() <= limit and np.abs(kernel).max() > 0.9 * limit


def test_in_a_functional_model_with_scores_causal_mask_and_config():
    x_in, y_in = axon.Input((4, 6)), axon.Input((5, 6))
    mha = MultiHeadAttention(num_heads=2, key_dim=3)
    self_att = mha(x_in, x_in, use_causal_mask=True)
    cross_layer = MultiHeadAttention(num_heads=2, key_dim=3)
    cross, scores = cross_layer(query=self_att, value=y_in, return_attention_scores=True)
    assert tuple(cross.shape) == (None, 4, 6) and tuple(scores.shape) == (None, 2, 4, 5)
    model = axon.Model([x_in, y_in], [cross, scores])
    x, y = rng.normal(size=(3, 4, 6)).astype("float32"), rng.normal(size=(3, 5, 6)).astype("float32")
    out, sc = model([x, y])
    direct = mha(x, x, use_causal_mask=True)
    np.testing.assert_allclose(cross_layer(direct, y).numpy(), out.numpy(), rtol=1e-6)
    np.testing.assert_allclose(sc.numpy().sum(-1), 1.0, rtol=1e-5)
    clone = axon.Model.from_config(model.get_config(),
                                   custom_objects={"MultiHeadAttention": MultiHeadAttention})
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(clone([x, y])[0].numpy(), out.numpy(), rtol=1e-6)


def test_symbolic_attention_mask_is_an_input():
    x_in, m_in = axon.Input((3, 4)), axon.Input((3, 3))
    mha = MultiHeadAttention(num_heads=1, key_dim=2, dtype="float64")
    model = axon.Model([x_in, m_in], mha(x_in, x_in, attention_mask=m_in))
    x, mask = rng.normal(size=(2, 3, 4)), rng.random((2, 3, 3)) > 0.5
    mask[:, :, 1] = True
    np.testing.assert_allclose(model([x, mask.astype("float64")]).numpy(),
                               mha(x, x, attention_mask=mask).numpy(), atol=1e-12)


def test_embedding_masks_become_the_attention_mask():
    tokens = np.array([[3, 1, 2, 0, 0], [4, 4, 0, 0, 0]])
    inp = axon.Input((5,))
    emb = axon.layers.Embedding(6, 4, mask_zero=True, dtype="float64")
    mha = MultiHeadAttention(num_heads=2, key_dim=2, dtype="float64")
    model = axon.Model(inp, mha(emb(inp), emb(inp)))
    e = emb(tokens)
    real = tokens != 0
    want = mha(e, e, attention_mask=real[:, :, None] & real[:, None, :])
    np.testing.assert_allclose(model(tokens).numpy(), want.numpy(), atol=1e-12)
    assert np.array_equal(mha.compute_mask([e, e], [real, real]), real)


def test_causal_output_ignores_later_steps():
    x = rng.normal(size=(1, 5, 4))
    layer = MultiHeadAttention(num_heads=2, key_dim=2, dtype="float64")
    before = layer(x, x, use_causal_mask=True).numpy()
    changed = x.copy()
    changed[0, 3:] += 10.0
    after = layer(changed, changed, use_causal_mask=True).numpy()
    np.testing.assert_allclose(after[0, :3], before[0, :3], atol=1e-12)
    assert not np.allclose(after[0, 3:], before[0, 3:])


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"num_heads": 0, "key_dim": 2}, "num_heads=0"),
    ({"num_heads": 2, "key_dim": -1}, "key_dim=-1"),
    ({"num_heads": 2, "key_dim": 2, "value_dim": 0}, "value_dim=0"),
    ({"num_heads": 2, "key_dim": 2, "dropout": 1.0}, "dropout=1.0"),
    ({"num_heads": 2, "key_dim": 2, "output_shape": (2, 3)}, "output_shape"),
    ({"num_heads": 2, "key_dim": 2, "attention_axes": (2,)}, "attention_axes"),
    ({"num_heads": 2, "key_dim": 2, "seed": -1}, "seed=-1"),
])
def test_bad_configuration_is_rejected(kwargs, match):
    with pytest.raises(ValueError, match=match):
        MultiHeadAttention(**kwargs)


def test_bad_inputs_are_rejected():
    layer = MultiHeadAttention(num_heads=2, key_dim=2)
    with pytest.raises(TypeError, match="needs a query and a value"):
        layer(np.zeros((1, 3, 4)))
    with pytest.raises(ValueError, match="rank 3"):
        layer(np.zeros((3, 4)), np.zeros((3, 4)))
    layer(np.zeros((1, 3, 4)), np.zeros((1, 2, 4)))
    with pytest.raises(ValueError, match="built for query with 4 features"):
        layer(np.zeros((1, 3, 5)), np.zeros((1, 2, 4)))
    with pytest.raises(ValueError, match=r"attention_mask of shape \(batch, 3, 2\)"):
        layer(np.zeros((1, 3, 4)), np.zeros((1, 2, 4)), attention_mask=np.ones((1, 2, 3)))


def test_mismatched_batches_lengths_and_masks_are_rejected_clearly():
    layer = MultiHeadAttention(num_heads=2, key_dim=2, name="mha")
    q, v = np.zeros((2, 3, 4)), np.zeros((2, 5, 4))
    layer(q, v)
    with pytest.raises(ValueError, match=r"Layer 'mha' \(MultiHeadAttention\) expects query, "
                                         r"value and key of the same batch size. Received: "
                                         r"query.shape=\(2, 3, 4\), value.shape=\(3, 5, 4\)"):
        layer(q, np.zeros((3, 5, 4)))
    with pytest.raises(ValueError, match="same batch size"):
        MultiHeadAttention(num_heads=1, key_dim=2)(np.zeros((2, 3, 4)), np.zeros((1, 5, 4)))
    with pytest.raises(ValueError, match=r"key and value of the same number of time steps. "
                                         r"Received: .*value.shape=\(2, 5, 4\), "
                                         r"key.shape=\(2, 6, 4\)"):
        layer(q, v, np.zeros((2, 6, 4)))
    with pytest.raises(ValueError, match="same number of time steps"):
        layer(axon.Input((3, 4)), axon.Input((5, 4)), axon.Input((6, 4)))
    with pytest.raises(ValueError, match=r"query mask of shape \(batch, query steps\) = "
                                         r"\(2, 3\). Received: query_mask.shape=\(2, 5\)"):
        layer(q, v, mask=[np.ones((2, 5), bool), np.ones((2, 5), bool)])
    with pytest.raises(ValueError, match=r"value mask of shape \(batch, value steps\) = "
                                         r"\(2, 5\). Received: value_mask.shape=\(2, 3\)"):
        layer(q, v, mask=[None, np.ones((2, 3), bool)])
    with pytest.raises(ValueError, match=r"attention_mask of shape \(batch, 3, 5\)"):
        layer(q, v, attention_mask=np.ones((3, 3, 5)))


def test_transformer_encoder_block_learns_to_reverse_sequences():
    """MultiHeadAttention + Add + LayerNormalization + Dense: reverse 6-token sequences."""
    axon.utils.set_random_seed(0)
    vocab, steps, d_model = 5, 6, 32
    data_rng = np.random.default_rng(0)
    tokens = data_rng.integers(0, vocab, size=(1200, steps))
    features = np.concatenate([np.eye(vocab)[tokens],
                               np.broadcast_to(np.eye(steps), (len(tokens), steps, steps))], -1)
    targets = tokens[:, ::-1]
    layers = axon.layers
    inp = axon.Input((steps, vocab + steps))
    h = layers.Dense(d_model)(inp)
    attended = MultiHeadAttention(num_heads=2, key_dim=16)(h, h)
    h = layers.LayerNormalization()(layers.Add()([h, attended]))
    ff = layers.Dense(d_model)(layers.Dense(2 * d_model, activation="relu")(h))
    h = layers.LayerNormalization()(layers.Add()([h, ff]))
    model = axon.Model(inp, layers.Dense(vocab, activation="softmax")(h))
    model.compile(optimizer=axon.optimizers.Adam(learning_rate=3e-3),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(features[:1000], targets[:1000], batch_size=50, epochs=12, verbose=0)
    predicted = model.predict(features[1000:], verbose=0).argmax(-1)
    accuracy = (predicted == targets[1000:]).mean()
    assert accuracy >= 0.95, accuracy


# ---- Attention (Luong) and AdditiveAttention (Bahdanau) ----------------------------------------
GOLDEN = json.loads((pathlib.Path(__file__).parent / "attention_keras_golden.json").read_text())


@pytest.mark.parametrize("case", GOLDEN["cases"], ids=lambda c: f"{c['layer']}-{c['kwargs']}-"
                         f"mask={c['mask'] is not None}-causal={c['use_causal_mask']}")
def test_attention_layers_match_keras_golden_values(case):
    """Keras 3.15.1 (TensorFlow backend, float64) outputs and attention scores, with weights,
    masks (one value row fully masked under the causal mask) and inputs stored beside them.

    Made by the script kept in the JSON's ``generator`` field (run as
    ``KERAS_BACKEND=tensorflow /work/peers/bin/python make_golden.py OUT_DIR``); the largest
    difference seen was 4.4e-16.
    """
    layer = getattr(axon.layers, case["layer"])(dtype="float64", **case["kwargs"])
    inputs = [np.array(t) for t in case["inputs"]]
    layer(inputs)
    assert [w.name for w in layer.weights] == case["weight_names"]
    layer.set_weights([np.array(w) for w in case["weights"]])
    mask = None if case["mask"] is None else [np.array(m) for m in case["mask"]]
    out, scores = layer(inputs, mask=mask, return_attention_scores=True,
                        use_causal_mask=case["use_causal_mask"])
    largest = max(np.abs(out.numpy() - np.array(case["y"])).max(),
                  np.abs(scores.numpy() - np.array(case["scores"])).max())
    assert largest < 1e-13, f"largest difference from Keras: {largest:.3g}"


def luong_reference(q, v, k, scale=1.0, mode="dot", concat_weight=1.0, additive=None,
                    query_mask=None, value_mask=None, causal=False):
    """Keras's Attention/AdditiveAttention with explicit loops (float64)."""
    batch, steps, sources = q.shape[0], q.shape[1], k.shape[1]
    out, probabilities = np.zeros((batch, steps, v.shape[2])), np.zeros((batch, steps, sources))
    for b in range(batch):
        for i in range(steps):
            s = np.empty(sources)
            for j in range(sources):
                if additive is not None:
                    s[j] = np.sum(additive * np.tanh(q[b, i] + k[b, j]))
                elif mode == "concat":
                    s[j] = concat_weight * np.sum(np.tanh(scale * (q[b, i] + k[b, j])))
                else:
                    s[j] = scale * q[b, i] @ k[b, j]
                allowed = (value_mask is None or value_mask[b, j]) and (not causal or j <= i)
                s[j] = s[j] if allowed else s[j] - 1e9
            a = np.exp(s - s.max())
            probabilities[b, i] = a / a.sum()
            out[b, i] = probabilities[b, i] @ v[b]
            if query_mask is not None and not query_mask[b, i]:
                out[b, i] = 0.0
    return out, probabilities


def _qvk(steps=3, sources=4, features=5, value_features=3):
    return (rng.normal(size=(2, steps, features)), rng.normal(size=(2, sources, value_features)),
            rng.normal(size=(2, sources, features)))


@pytest.mark.parametrize("kind", ["dot", "dot_scaled", "concat", "concat_scaled", "additive",
                                  "additive_unscaled"])
@pytest.mark.parametrize("masks", ["none", "masks", "causal_and_masks"])
def test_luong_and_bahdanau_match_loop_reference(kind, masks):
    q, v, k = _qvk(steps=4, sources=4)
    kwargs = {"dot": {}, "dot_scaled": {"use_scale": True}, "concat": {"score_mode": "concat"},
              "concat_scaled": {"score_mode": "concat", "use_scale": True}, "additive": {},
              "additive_unscaled": {"use_scale": False}}[kind]
    cls = AdditiveAttention if kind.startswith("additive") else Attention
    layer = cls(dtype="float64", **kwargs)
    layer([q, v, k])
    weights = [rng.uniform(0.2, 1.2, size=w.shape) for w in layer.get_weights()]
    layer.set_weights(weights)
    reference = {}
    if kind == "dot_scaled":
        reference = {"scale": weights[0][()]}
    elif kind == "concat":
        reference = {"mode": "concat", "concat_weight": weights[0][()]}
    elif kind == "concat_scaled":
        reference = {"mode": "concat", "scale": weights[0][()], "concat_weight": weights[1][()]}
    elif kind.startswith("additive"):
        reference = {"additive": weights[0] if weights else np.ones(q.shape[-1])}
    call = {}
    if masks != "none":
        query_mask, value_mask = rng.random((2, 4)) > 0.3, rng.random((2, 4)) > 0.3
        value_mask[:, 0] = True
        call["mask"] = [query_mask, value_mask]
        reference.update(query_mask=query_mask, value_mask=value_mask)
    if masks == "causal_and_masks":
        call["use_causal_mask"] = reference["causal"] = True
    out, scores = layer([q, v, k], return_attention_scores=True, **call)
    want_out, want_scores = luong_reference(q, v, k, **reference)
    largest = max(np.abs(out.numpy() - want_out).max(), np.abs(scores.numpy() - want_scores).max())
    assert largest < 1e-12, f"largest difference from the loop reference: {largest:.3g}"
    assert out.shape == (2, 4, 3) and scores.shape == (2, 4, 4)


def test_scores_sum_to_one_vanish_where_masked_and_padded_queries_give_zeros():
    q, v, k = _qvk(steps=4, sources=5)
    layer = Attention(use_scale=True, dtype="float64")
    query_mask = np.array([[True, True, False, True], [True, False, True, True]])
    value_mask = np.array([[True, False, True, True, False], [False, True, True, False, True]])
    out, scores = layer([q, v, k], mask=[query_mask, value_mask], return_attention_scores=True,
                        use_causal_mask=True)
    scores, out = scores.numpy(), out.numpy()
    np.testing.assert_allclose(scores.sum(-1), 1.0, atol=1e-12)
    allowed = value_mask[:, None, :] & np.tril(np.ones((4, 5), bool))[None]
    assert np.all(scores[1, 0] > 0)  # query 0 of sample 1 has no allowed key: every score
    raw = q[1, 0] @ k[1].T           # shifted by -1e9 alike, so (as Keras) the raw softmax
    np.testing.assert_allclose(scores[1, 0], np.exp(raw) / np.exp(raw).sum(), atol=1e-6)
    allowed[1, 0] = True
    assert np.all(scores[~allowed] < 1e-300)
    assert np.all(out[~query_mask] == 0.0) and np.all(out[query_mask] != 0.0)


def test_key_defaults_to_value_and_call_forms_agree_for_attention():
    q, v = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 5, 4))
    layer = AdditiveAttention(dtype="float64")
    a = layer([q, v]).numpy()
    np.testing.assert_array_equal(layer((q, v)).numpy(), a)
    np.testing.assert_array_equal(layer([q, v, v]).numpy(), a)
    assert layer([q[:, :2], v[:, :4]]).shape == (2, 2, 4)  # lengths may change between calls


@pytest.mark.parametrize("cls", [Attention, AdditiveAttention])
def test_attention_dropout_only_in_training_and_reproducible_with_a_seed(cls):
    q, v, k = _qvk()
    layer = cls(dropout=0.5, seed=3, dtype="float64")
    plain = cls(dtype="float64")
    plain([q, v, k])
    layer([q, v, k])
    layer.set_weights(plain.get_weights())
    np.testing.assert_array_equal(layer([q, v, k]).numpy(), plain([q, v, k]).numpy())
    out, scores = layer([q, v, k], training=True, return_attention_scores=True)
    assert not np.allclose(out.numpy(), plain([q, v, k]).numpy())
    # As Keras, the scores returned in training are the dropped-out ones (0 or 2x the softmax).
    _, clean = plain([q, v, k], return_attention_scores=True)
    dropped = scores.numpy()
    assert np.all(np.isclose(dropped, 0.0) | np.isclose(dropped, 2 * clean.numpy()))
    assert np.any(dropped == 0.0)
    again = cls(dropout=0.5, seed=3, dtype="float64")
    again([q, v, k])
    again.set_weights(plain.get_weights())
    np.testing.assert_array_equal(again([q, v, k], training=True).numpy(), out.numpy())


def test_attention_causal_output_ignores_later_steps():
    x = rng.normal(size=(1, 5, 4))
    layer = Attention(score_mode="concat", dtype="float64")
    before = layer([x, x], use_causal_mask=True).numpy()
    changed = x.copy()
    changed[0, 3:] += 10.0
    after = layer([changed, changed], use_causal_mask=True).numpy()
    np.testing.assert_allclose(after[0, :3], before[0, :3], atol=1e-12)
    assert not np.allclose(after[0, 3:], before[0, 3:])


def _attention_gradcheck(layer, inputs, **call_kwargs):
    names = [n for n in ("scale", "concat_score_weight") if getattr(layer, n) is not None]
    count = len(inputs)

    def fn(*args):
        saved = {n: getattr(layer, n) for n in names}
        try:
            for n, tensor in zip(names, args[count:]):
                setattr(layer, n, tensor)
            result = layer(list(args[:count]), **call_kwargs)
            return result[0] * 1.0 + result[1].sum() if isinstance(result, tuple) else result
        finally:
            for n, value in saved.items():
                setattr(layer, n, value)

    return axon.gradcheck(fn, *inputs, *[getattr(layer, n).numpy().copy() for n in names])


@pytest.mark.parametrize(("cls", "kwargs"), [(Attention, {"use_scale": True}),
                                             (Attention, {"score_mode": "concat"}),
                                             (AdditiveAttention, {})])
def test_attention_gradcheck_with_masks_causal_and_scores(cls, kwargs):
    q, v, k = _qvk(steps=3, sources=3, features=2, value_features=2)
    layer = cls(dtype="float64", **kwargs)
    layer([q, v, k])
    layer.set_weights([rng.uniform(0.5, 1.5, size=w.shape) for w in layer.get_weights()])
    masks = [np.array([[True, False, True], [True, True, True]]),
             np.array([[True, True, False], [True, False, True]])]
    assert _attention_gradcheck(layer, (q, v, k), mask=masks, use_causal_mask=True,
                                return_attention_scores=True)
    assert _attention_gradcheck(layer, (q, v))


def test_attention_weights_as_keras():
    # Keras 3.15.1: Attention(use_scale=True, score_mode="concat") has scale () and
    # concat_score_weight (); AdditiveAttention has scale (dim,), none without use_scale.
    q, v = rng.normal(size=(2, 3, 4)).astype("float32"), rng.normal(size=(2, 5, 4)).astype("float32")
    run_layer_test(Attention, {}, [q, v], (2, 3, 4), [])
    layer = run_layer_test(Attention, {"use_scale": True, "score_mode": "concat"}, [q, v],
                           (2, 3, 4), [("scale", (), True), ("concat_score_weight", (), True)])
    assert layer.get_config()["score_mode"] == "concat"
    layer = run_layer_test(AdditiveAttention, {"dropout": 0.25, "seed": 4}, [q, v], (2, 3, 4),
                           [("scale", (4,), True)])
    assert "score_mode" not in layer.get_config() and layer.get_config()["dropout"] == 0.25
    limit = np.sqrt(6 / (4 + 4))  # glorot_uniform of a (4,) weight: fan_in = fan_out = 4
    assert np.abs(layer.scale.numpy()).max() <= limit
    run_layer_test(AdditiveAttention, {"use_scale": False}, [q, v], (2, 3, 4), [])


def test_attention_in_functional_models_with_none_sizes_scores_and_masks():
    q_in, v_in, k_in = axon.Input((None, 4)), axon.Input((None, 6)), axon.Input((None, 4))
    layer = Attention(use_scale=True)
    out, scores = layer([q_in, v_in, k_in], return_attention_scores=True)
    assert tuple(out.shape) == (None, None, 6) and tuple(scores.shape) == (None, None, None)
    assert layer.compute_output_shape([(None, 3, 4), (None, 5, 6), (None, 5, 4)]) == (None, 3, 6)
    model = axon.Model([q_in, v_in, k_in], [out, scores])
    q, v = rng.normal(size=(2, 3, 4)).astype("float32"), rng.normal(size=(2, 7, 6)).astype("float32")
    got_out, got_scores = model([q, v, rng.normal(size=(2, 7, 4)).astype("float32")])
    assert got_out.shape == (2, 3, 6) and got_scores.shape == (2, 3, 7)
    # Embedding masks travel in: padded value steps get no attention, padded queries output 0
    tokens = np.array([[3, 1, 2, 0, 0], [4, 4, 0, 0, 0]])
    inp = axon.Input((5,))
    emb = axon.layers.Embedding(6, 4, mask_zero=True, dtype="float64")
    attention = AdditiveAttention(dtype="float64")
    model = axon.Model(inp, attention([emb(inp), emb(inp)], use_causal_mask=True))
    e, real = emb(tokens), tokens != 0
    want = attention([e, e], mask=[real, real], use_causal_mask=True)
    np.testing.assert_allclose(model(tokens).numpy(), want.numpy(), atol=1e-12)
    assert np.all(want.numpy()[~real] == 0.0)
    assert attention.compute_mask([e, e], [real, real]) is real
    assert attention.compute_mask([e, e], None) is None


@pytest.mark.parametrize(("cls", "kwargs", "match"), [
    (Attention, {"score_mode": "general"}, "score_mode='general'"),
    (Attention, {"use_scale": 1}, "use_scale=1"),
    (Attention, {"dropout": 1.0}, "dropout=1.0"),
    (Attention, {"dropout": -0.1}, r"dropout=-0.1"),
    (Attention, {"seed": -1}, "seed=-1"),
    (AdditiveAttention, {"use_scale": "yes"}, "AdditiveAttention expects use_scale"),
    (AdditiveAttention, {"dropout": "0.5"}, "dropout='0.5'"),
])
def test_attention_bad_configuration_is_rejected(cls, kwargs, match):
    with pytest.raises(ValueError, match=match):
        cls(**kwargs)


def test_attention_bad_inputs_and_masks_are_rejected_clearly():
    layer = Attention(name="att")
    q, v = np.zeros((2, 3, 4)), np.zeros((2, 5, 4))
    with pytest.raises(ValueError, match=r"'att' \(Attention\) must be called on a list "
                                         r"\[query, value\]"):
        layer(q)
    with pytest.raises(ValueError, match="length 1"):
        layer([q])
    with pytest.raises(ValueError,
                       match=r"query of rank 3.*query.shape=\(None, 4\).*input of shape \(2, 4\)"):
        layer([q[:, 0], v])
    with pytest.raises(ValueError, match=r"query and key of the same number of features.*"
                                         r"query.shape=\(None, 3, 4\), value.shape=\(None, 5, 3\)"):
        layer([q, np.zeros((2, 5, 3))])
    with pytest.raises(ValueError, match="same batch size"):
        layer([q, np.zeros((3, 5, 4))])
    with pytest.raises(ValueError, match="key and value of the same number of time steps"):
        layer([q, v, np.zeros((2, 6, 4))])
    with pytest.raises(ValueError, match=r"mask to be a list \[query_mask, value_mask\]"):
        layer([q, v], mask=np.ones((2, 3), bool))
    with pytest.raises(ValueError, match=r"value mask of shape \(batch, value steps\) = \(2, 5\). "
                                         r"Received: value_mask.shape=\(2, 3\)"):
        layer([q, v], mask=[None, np.ones((2, 3), bool)])
    with pytest.raises(ValueError, match=r"query mask of shape \(batch, query steps\) = \(2, 3\)"):
        layer([q, v], mask=[np.ones((2, 5), bool), None])
    additive = AdditiveAttention(name="add")
    additive([q, v])
    with pytest.raises(ValueError, match=r"'add' \(AdditiveAttention\) was built for queries of 4 "
                                         "features"):
        additive([np.zeros((2, 3, 6)), np.zeros((2, 5, 6))])


@pytest.mark.parametrize("cls", [Attention, AdditiveAttention])
def test_model_with_attention_trains_and_round_trips(cls, tmp_path):
    """Which of 6 keys matches the query: needs attention to pick the right value."""
    axon.utils.set_random_seed(0)
    data = np.random.default_rng(1)
    count, sources, features = 600, 6, 8
    keys = data.normal(size=(count, sources, features)).astype("float32")
    picked = data.integers(0, sources, size=count)
    query = keys[np.arange(count), picked][:, None] + 0.1 * data.normal(
        size=(count, 1, features)).astype("float32")
    values = data.normal(size=(count, sources, 1)).astype("float32")
    target = values[np.arange(count), picked]
    q_in, v_in, k_in = axon.Input((1, features)), axon.Input((sources, 1)), axon.Input((sources, features))
    kwargs = {"use_scale": True} if cls is Attention else {}
    attended = cls(**kwargs)([axon.layers.Dense(features)(q_in), v_in, k_in])
    model = axon.Model([q_in, v_in, k_in], axon.layers.Flatten()(attended))
    model.compile(optimizer=axon.optimizers.Adam(learning_rate=0.02), loss="mse")
    history = model.fit([query, values, keys], target, batch_size=50, epochs=15, verbose=0)
    assert history.history["loss"][-1] < 0.6 * history.history["loss"][0], history.history["loss"]
    path = tmp_path / "attention.axon"
    model.save(path)
    loaded = axon.models.load_model(path)
    assert [type(layer).__name__ for layer in loaded.layers] == \
        [type(layer).__name__ for layer in model.layers]
    np.testing.assert_array_equal(loaded.predict([query, values, keys], verbose=0),
                                  model.predict([query, values, keys], verbose=0))
