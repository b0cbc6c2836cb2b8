"""axon.onnx.export of Dot and the attention layers (MultiHeadAttention, Attention,
AdditiveAttention): onnxruntime gives axon's predictions (1e-5), at several sequence lengths
through one exported file, with masks, causal masks and attention scores."""
from __future__ import annotations

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

import axon  # noqa: E402
import axon.onnx  # noqa: E402
from tests.test_onnx import (  # noqa: E402, F401 (_seeded: the autouse fixture)
    ATOL,
    _indices,
    _max_difference,
    _random,
    _randomize,
    _run_onnx,
    _seeded,
)

L = axon.layers


# ---- Dot and attention ------------------------------------------------------------------------
def _max_difference_over(model, input_sets, opset=17):
    """``max |onnx - axon|`` of one exported file run on each input list (e.g. two lengths)."""
    proto = axon.onnx.export(model, opset=opset)
    worst = 0.0
    for inputs in input_sets:
        expected = model.predict(inputs if len(inputs) > 1 else inputs[0], verbose=0)
        expected = expected if isinstance(expected, list) else [expected]
        got = _run_onnx(proto, inputs)
        assert [g.shape for g in got] == [np.shape(e) for e in expected]
        worst = max([worst] + [float(np.abs(g - np.asarray(e)).max())
                               for g, e in zip(got, expected)])
    return worst


@pytest.mark.parametrize("opset", [13, 18])
@pytest.mark.parametrize("first, second, axes, normalize, sizes", [
    ((4,), (4,), 1, True, [(4,), (4,)]), ((3, 4), (5, 4), (2, 2), False, [(3, 4), (5, 4)]),
    ((None, 4), (None, 4), (1, 1), True, [(3, 4), (3, 4)]),
    ((None, 5), (5, None), (2, 1), False, [(2, 5), (5, 7)]),
    ((None, 5), (None, None), (1, 2), False, [(3, 5), (6, 3)]),
    ((2, None, 3), (3, None), (3, 1), True, [(2, 4, 3), (3, 2)]),
])
def test_dot_matches_with_unknown_sizes(opset, first, second, axes, normalize, sizes):
    a, b = axon.Input(first), axon.Input(second)
    model = axon.Model([a, b], L.Dot(axes=axes, normalize=normalize)([a, b]))
    runs = [[_random(3, *sizes[0]), _random(3, *sizes[1], seed=1)]]
    if None in first + second:  # other lengths through the same file
        grown = [tuple(n + 1 if s is None else n for n, s in zip(size, shape))
                 for size, shape in zip(sizes, (first, second))]
        runs.append([_random(2, *grown[0], seed=2), _random(2, *grown[1], seed=3)])
    assert _max_difference_over(model, runs, opset) < ATOL


def _query_value_key(case):
    """Model inputs and the MultiHeadAttention call's arguments for each case."""
    q = axon.Input((None, 6), name="q")
    if case in ("self", "self_causal_scores"):
        return [q], (q, q)
    v = axon.Input((None, 4), name="v")
    if case == "separate_key":
        k = axon.Input((None, 3), name="k")
        return [q, v, k], (q, v, k)
    return [q, v], (q, v)


@pytest.mark.parametrize("opset", [13, 17, 18])
@pytest.mark.parametrize("case, options", [
    ("self", {}), ("cross", {"num_heads": 3, "value_dim": 5, "output_shape": 7}),
    ("separate_key", {"use_bias": False, "num_heads": 4}),
    ("self_causal_scores", {"num_heads": 2, "output_shape": (3,)}),
    ("cross_causal_scores", {"num_heads": 1, "key_dim": 8, "use_bias": False}),
])
def test_multi_head_attention_matches(opset, case, options):
    inputs, arguments = _query_value_key(case)
    layer = L.MultiHeadAttention(**{"num_heads": 2, "key_dim": 4, **options})
    scores = case.endswith("scores")
    out = layer(*arguments, use_causal_mask="causal" in case, return_attention_scores=scores)
    model = axon.Model(inputs, out if scores else [out])
    _randomize(layer, mean=0.0)  # the biases too
    features = [t.shape[-1] for t in inputs]
    runs = [[_random(2, sources if i else steps, n, seed=i) for i, n in enumerate(features)]
            for steps, sources in ((3, 5), (6, 2))]  # two lengths through one file
    assert _max_difference_over(model, runs, opset) < ATOL


@pytest.mark.parametrize("opset", [13, 17])
def test_multi_head_attention_with_masks_matches(opset):
    query_ids = axon.Input((None,), dtype="int64", name="query_ids")
    value_ids = axon.Input((None,), dtype="int64", name="value_ids")
    allowed = axon.Input((None, None), name="allowed")  # an attention_mask given as an input
    queries = L.Embedding(10, 6, mask_zero=True)(query_ids)
    values = L.Embedding(10, 4, mask_zero=True)(value_ids)
    layer = L.MultiHeadAttention(num_heads=2, key_dim=3)
    cross, scores = layer(queries, values, attention_mask=allowed, return_attention_scores=True)
    mixed = L.MultiHeadAttention(num_heads=3, key_dim=2)(queries, queries, use_causal_mask=True)
    pooled = L.GlobalAveragePooling1D()(L.Add()([cross, mixed]))  # the query's mask reaches it
    model = axon.Model([query_ids, value_ids, allowed], [pooled, scores])
    _randomize(layer, mean=0.0)
    runs = []
    for steps, sources in ((4, 5), (3, 7)):
        ids_q = _indices(3, steps, high=9, seed=steps) + 1  # ids 1..9: no padding yet
        ids_v = _indices(3, sources, high=9, seed=sources) + 1
        ids_q[0, 2:], ids_v[0, 3:], ids_v[1, :] = 0, 0, 0  # padding; a sample with no value
        runs.append([ids_q, ids_v, (_random(3, steps, sources) > -0.5).astype(np.float32)])
    assert _max_difference_over(model, runs, opset) < ATOL


def test_multi_head_attention_fixed_masks():
    x = axon.Input((4, 6))
    allowed = np.tril(np.ones((4, 4), bool)) | np.eye(4, k=1, dtype=bool)
    model = axon.Model(x, L.MultiHeadAttention(2, 3)(x, x, attention_mask=allowed))
    assert _max_difference(model, _random(3, 4, 6)) < ATOL  # one (T, S) mask: a constant
    per_sample = axon.Model(x, L.MultiHeadAttention(2, 3, name="mha")(
        x, x, attention_mask=np.ones((3, 4, 4), bool)))
    with pytest.raises(ValueError, match=r"layer 'mha' \(MultiHeadAttention\) with an "
                                         r"attention_mask array"):
        axon.onnx.export(per_sample)
    fixed = np.ones((3, 4), bool)
    given = axon.Model(x, L.MultiHeadAttention(2, 3, name="mha")(x, x, mask=[fixed, fixed]))
    with pytest.raises(ValueError, match=r"'mha' \(MultiHeadAttention\) fed a time-step mask"):
        axon.onnx.export(given)


@pytest.mark.parametrize("opset", [13, 18])
@pytest.mark.parametrize("kind, options", [
    (L.Attention, {}), (L.Attention, {"use_scale": True}),
    (L.Attention, {"score_mode": "concat"}), (L.Attention, {"score_mode": "concat", "use_scale": True}),
    (L.AdditiveAttention, {}), (L.AdditiveAttention, {"use_scale": False}),
])
def test_attention_and_additive_attention_match(opset, kind, options):
    query_ids = axon.Input((None,), dtype="int64")
    value_ids = axon.Input((None,), dtype="int64")
    queries = L.Embedding(10, 4, mask_zero=True)(query_ids)
    values = L.Embedding(10, 4, mask_zero=True)(value_ids)
    keys = L.Dense(4)(values)
    layer = kind(**options)
    masked, scores = layer([queries, values, keys], return_attention_scores=True)
    plain = kind(**options)([queries, L.Dense(4)(queries)], use_causal_mask=True)
    pooled = L.GlobalAveragePooling1D()(L.Add()([masked, plain]))
    model = axon.Model([query_ids, value_ids], [pooled, scores, plain])
    _randomize(layer)
    runs = []
    for steps, sources in ((4, 5), (6, 2)):
        ids_q = _indices(2, steps, high=9, seed=steps) + 1  # ids 1..9: no padding yet
        ids_v = _indices(2, sources, high=9, seed=sources) + 1
        ids_q[0, 3:], ids_v[0, 1:], ids_v[1, :] = 0, 0, 0  # padding; a sample with no value
        runs.append([ids_q, ids_v])
    assert _max_difference_over(model, runs, opset) < ATOL


# ---- the file, the batch axis, the opset ------------------------------------------------------
