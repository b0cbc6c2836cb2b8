"""Converters for the layers that multiply two inputs: Dot, MultiHeadAttention, Attention and
AdditiveAttention.

Every shape that depends on a sequence length is read in the graph (``Shape``, ``Gather``,
``Range``) or left to ``Reshape``'s 0 (copy that axis) and -1 (infer it), so one exported file
runs on sequences of any length, as the axon layers do. The attention converters take the call's
keyword arguments (``attention_mask``, ``use_causal_mask``, ``return_attention_scores``) and the
inputs' time-step masks (``Value.mask``, computed in the graph by ``Embedding(mask_zero=True)`` or
``Masking``).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from axon import backend
from axon.backend import to_numpy
from axon.layers import AdditiveAttention, Attention, Dot, MultiHeadAttention
from axon.layers.attention import LARGE_NEGATIVE
from axon.onnx.common import unsupported, weight
from axon.onnx.graph import GraphBuilder, Value

__all__ = ["dot", "multi_head_attention", "attention", "ATTENTION_CONVERTERS",
           "TAKES_CALL_ARGUMENTS", "FIRST_INPUT_MASK"]

_INT64_MAX = 2 ** 63 - 1  # Slice's "to the end"

# Attention's bias on a forbidden score: ``S - 1e9`` (see axon.layers.dot_attention)
_ATTENTION_BIAS = 1e9


# ---- shapes read in the graph ---------------------------------------------------------------
def _size(b: GraphBuilder, name: str, axis: int) -> str:
    """The int64 scalar ``shape(name)[axis]``: ``Gather`` of ``Shape`` with a 0-d index."""
    return b.node("Gather", [b.node("Shape", [name]), b.const(np.array(axis), "axis", np.int64)])


def _shape_part(b: GraphBuilder, name: str, start: int, end: int) -> str:
    """The int64 vector ``shape(name)[start:end]``."""
    return b.node("Slice", [b.node("Shape", [name]), b.ints([start], "starts"),
                            b.ints([end], "ends"), b.ints([0])])


# ---- Dot --------------------------------------------------------------------------------------
def _l2_normalized(b: GraphBuilder, x: str, axis: int) -> str:
    """``x / sqrt(max(sum(x * x), epsilon**2))`` along ``axis``, as ``axon.layers.Dot``."""
    squares = b.reduce("ReduceSum", b.node("Mul", [x, x]), [axis], keepdims=True)
    floor = b.const(backend.epsilon() ** 2, "squared_epsilon")
    return b.node("Div", [x, b.node("Sqrt", [b.node("Max", [squares, floor])])])


def dot(b: GraphBuilder, layer: Dot, inputs: list[Value]) -> Value:
    """``y[n, i, j] = sum_k a[n, i, k] b[n, k, j]`` (Keras's ``batch_dot``), as axon computes it.

    ``a`` is transposed to ``(n, *A, c)`` (its dot axis last) and ``Reshape``d to ``(n, -1, c)``,
    ``b`` to ``(n, c, *B)`` and ``(n, c, -1)``; one batched ``MatMul`` gives ``(n, |A|, |B|)``,
    ``Reshape``d to ``(n, *A, *B)`` (sizes from ``Shape`` when unknown) or ``(n, 1)`` when both
    ``A`` and ``B`` are empty. With ``normalize`` each input is first divided by its L2 norm
    along its dot axis (``ReduceSum``, ``Max`` with ``epsilon**2``, ``Sqrt``, ``Div``).
    """
    first, second = inputs
    shapes = [first.shape, second.shape]
    i, j = layer._axes_for(shapes)
    x, y = b.natural(first), b.natural(second)
    if layer.normalize:
        x, y = _l2_normalized(b, x, i), _l2_normalized(b, y, j)
    order_x = [k for k in range(len(shapes[0])) if k != i] + [i]
    order_y = [0, j] + [k for k in range(1, len(shapes[1])) if k != j]
    if order_x != sorted(order_x):
        x = b.node("Transpose", [x], perm=order_x)
    if order_y != sorted(order_y):
        y = b.node("Transpose", [y], perm=order_y)
    c = shapes[0][i] if shapes[0][i] is not None else shapes[1][j]
    if c is None:  # read the dot axis' size from the graph
        size = _shape_part(b, x, -1, _INT64_MAX)
        shape_x = b.node("Concat", [b.ints([0, -1], "shape"), size], axis=0)
        shape_y = b.node("Concat", [b.ints([0], "shape"), size, b.ints([-1], "shape")], axis=0)
    else:
        shape_x, shape_y = b.ints([0, -1, c], "shape"), b.ints([0, c, -1], "shape")
    product = b.node("MatMul", [b.node("Reshape", [x, shape_x]), b.node("Reshape", [y, shape_y])])
    rest = [shapes[0][k] for k in order_x[1:-1]] + [shapes[1][k] for k in order_y[2:]]
    if not rest:
        target = b.ints([0, 1], "shape")
    elif None not in rest:
        target = b.ints([0, *rest], "shape")
    else:
        target = b.node("Concat", [_shape_part(b, x, 0, -1), _shape_part(b, y, 2, _INT64_MAX)],
                        axis=0)
    return Value(b.node("Reshape", [product, target]))


# ---- masks of (query, key) pairs --------------------------------------------------------------
def _causal(b: GraphBuilder, query: str, key: str) -> str:
    """The boolean ``(1, T, S)`` mask ``j <= i`` (axon's ``tril(ones((T, S)))``), ``T`` and ``S``
    read from the query and the key: ``LessOrEqual(Range(S)[None, :], Range(T)[:, None])``."""
    zero, one = (b.const(np.array(k), "scalar", np.int64) for k in (0, 1))
    rows = b.unsqueeze(b.node("Range", [zero, _size(b, query, 1), one]), [1])
    columns = b.unsqueeze(b.node("Range", [zero, _size(b, key, 1), one]), [0])
    return b.unsqueeze(b.node("LessOrEqual", [columns, rows]), [0])


def _all(b: GraphBuilder, parts: list[str]) -> str | None:
    """``parts[0] & parts[1] & ...`` (broadcast), or ``None`` when there are none."""
    if not parts:
        return None
    allowed = parts[0]
    for part in parts[1:]:
        allowed = b.node("And", [allowed, part])
    return allowed


def _fixed_attention_mask(b: GraphBuilder, layer: Any, given: Any) -> str:
    """An ``attention_mask`` array given when the model was built, as a boolean constant
    ``(1, T, S)``; one with a batch axis other than 1 would tie the graph to one batch size."""
    array = np.asarray(to_numpy(getattr(given, "data", given))) != 0
    array = array[None] if array.ndim == 2 else array
    if array.ndim != 3 or array.shape[0] != 1:
        raise unsupported(layer, f"an attention_mask array of shape {np.shape(array)} fixed when "
                          "the model was built", "the graph has a symbolic batch axis. Pass it "
                          "as an axon.Input of the model (it becomes a graph input), or give "
                          "one (query steps, key steps) mask for every sample.")
    return b.const(array, "attention_mask", np.bool_)


# ---- MultiHeadAttention -----------------------------------------------------------------------
def _heads(b: GraphBuilder, x: str, kernel: Any, bias: Any, order: list[int]) -> str:
    """``x W + b`` split into heads: ``(B, L, d) @ (d, H*size)``, ``Reshape`` to
    ``(B, L, H, size)`` (0 copies ``B`` and ``L``), then ``Transpose`` by ``order``."""
    features, heads, size = kernel.shape
    y = b.node("MatMul", [x, b.const(weight(kernel).reshape(features, heads * size), "kernel")])
    if bias is not None:
        y = b.node("Add", [y, b.const(weight(bias).reshape(heads * size), "bias")])
    y = b.node("Reshape", [y, b.ints([0, 0, heads, size], "shape")])
    return b.node("Transpose", [y], perm=order)


def multi_head_attention(b: GraphBuilder, layer: MultiHeadAttention, inputs: list[Value],
                         attention_mask: Any = None, return_attention_scores: bool = False,
                         use_causal_mask: bool = False) -> Value | list[Value]:
    """Keras 3's multi-head attention at inference (dropout is the identity).

    ``Q, K, V`` are the projections split into heads (:func:`_heads`: ``MatMul``, ``Add``,
    ``Reshape``, ``Transpose`` to ``(B, H, T, k)``, the key to ``(B, H, k, S)``);
    ``S = (Q / sqrt(k)) K^T`` (``Mul``, ``MatMul``). The allowed pairs are the ``And`` of the
    query mask ``(B, T, 1)``, the value and key masks ``(B, 1, S)``, the causal mask ``(1, T, S)``
    and ``attention_mask != 0`` (a graph input, or a constant when fixed at build time), given a
    heads axis; there ``A = Where(allowed, Softmax(Where(allowed, S, -1e9)), 0)`` (a fully
    masked row gives zeros, as in axon). ``O = A V`` is transposed to ``(B, T, H, v)``,
    ``Reshape``d to ``(B, T, H*v)`` and projected: ``MatMul`` with the output kernel
    ``(H*v, d_out)``, ``Add`` its bias. With ``return_attention_scores`` the second output is
    ``A (B, H, T, S)``.
    """
    query, value = b.natural(inputs[0]), b.natural(inputs[1])
    key = b.natural(inputs[2]) if len(inputs) > 2 else value
    q = _heads(b, query, layer.query_kernel, layer.query_bias, [0, 2, 1, 3])    # (B, H, T, k)
    k = _heads(b, key, layer.key_kernel, layer.key_bias, [0, 2, 3, 1])          # (B, H, k, S)
    v = _heads(b, value, layer.value_kernel, layer.value_bias, [0, 2, 1, 3])    # (B, H, S, v)
    scaled = b.node("Mul", [q, b.const(1.0 / math.sqrt(layer.key_dim), "scale")])
    scores = b.node("MatMul", [scaled, k])
    parts = []
    for index, axis in ((0, 2), (1, 1), (2, 1)):  # query (B, T, 1), value and key (B, 1, S)
        if index < min(len(inputs), 3) and inputs[index].mask is not None:
            parts.append(b.unsqueeze(inputs[index].mask, [axis]))
    if use_causal_mask:
        parts.append(_causal(b, query, key))
    if len(inputs) == 4:  # attention_mask, a graph input (as floats): nonzero means allowed
        parts.append(b.node("Not", [b.node("Equal", [b.natural(inputs[3]), b.const(0.0)])]))
    elif attention_mask is not None:
        parts.append(_fixed_attention_mask(b, layer, attention_mask))
    allowed = _all(b, parts)
    if allowed is not None:
        allowed = b.unsqueeze(allowed, [1])  # one mask for every head
        scores = b.node("Where", [allowed, scores, b.const(LARGE_NEGATIVE, "large_negative")])
    probabilities = b.node("Softmax", [scores], axis=-1)
    if allowed is not None:
        probabilities = b.node("Where", [allowed, probabilities, b.const(0.0)])
    heads = b.node("Transpose", [b.node("MatMul", [probabilities, v])], perm=[0, 2, 1, 3])
    kernel = weight(layer.output_kernel)
    merged = b.node("Reshape", [heads, b.ints([0, 0, kernel.shape[0] * kernel.shape[1]], "shape")])
    output = b.node("MatMul", [merged, b.const(kernel.reshape(-1, kernel.shape[2]), "kernel")])
    if layer.output_bias is not None:
        output = b.node("Add", [output, b.const(weight(layer.output_bias), "bias")])
    return [Value(output), Value(probabilities)] if return_attention_scores else Value(output)


# ---- Attention, AdditiveAttention -------------------------------------------------------------
def _attention_scores(b: GraphBuilder, layer: Attention, query: str, key: str) -> str:
    """``(B, Tq, Tv)`` scores, as the layer's ``_scores``: 'dot' ``MatMul(Q, K^T)`` times
    ``scale``; 'concat' ``c * ReduceSum(Tanh((Q[:, :, None] + K[:, None]) * scale))``;
    AdditiveAttention ``ReduceSum(Tanh(Q[:, :, None] + K[:, None]) * scale)``."""
    scale = None if layer.scale is None else b.const(weight(layer.scale), "scale")
    if type(layer) is Attention and layer.score_mode == "dot":
        scores = b.node("MatMul", [query, b.node("Transpose", [key], perm=[0, 2, 1])])
        return scores if scale is None else b.node("Mul", [scores, scale])
    pairs = b.node("Add", [b.unsqueeze(query, [2]), b.unsqueeze(key, [1])])     # (B, Tq, Tv, d)
    if type(layer) is AdditiveAttention:
        hidden = b.node("Tanh", [pairs])
        hidden = hidden if scale is None else b.node("Mul", [hidden, scale])
        return b.reduce("ReduceSum", hidden, [3], keepdims=False)
    if scale is not None:
        pairs = b.node("Mul", [pairs, scale])
    total = b.reduce("ReduceSum", b.node("Tanh", [pairs]), [3], keepdims=False)
    weight_c = b.const(weight(layer.concat_score_weight), "concat_score_weight")
    return b.node("Mul", [weight_c, total])


def attention(b: GraphBuilder, layer: Attention, inputs: list[Value],
              return_attention_scores: bool = False, use_causal_mask: bool = False) -> Any:
    """Keras's Attention (Luong) and AdditiveAttention (Bahdanau) at inference.

    Scores ``S`` (:func:`_attention_scores`); where the value mask ``(B, 1, Tv)`` and the
    causal mask ``(1, Tq, Tv)`` (``And``) forbid a pair, ``S - 1e9`` (``Where``, ``Sub``: a
    fully masked row stays a uniform distribution, as in axon); ``A = Softmax(S)``;
    ``y = MatMul(A, V)``, set to 0 where the query mask is False (``Where``). The key's own mask
    is not used, as in axon. With ``return_attention_scores`` the second output is ``A``.
    """
    query, value = b.natural(inputs[0]), b.natural(inputs[1])
    key = b.natural(inputs[2]) if len(inputs) > 2 else value
    scores = _attention_scores(b, layer, query, key)
    parts = [] if inputs[1].mask is None else [b.unsqueeze(inputs[1].mask, [1])]
    if use_causal_mask:
        parts.append(_causal(b, query, key))
    allowed = _all(b, parts)
    if allowed is not None:
        biased = b.node("Sub", [scores, b.const(_ATTENTION_BIAS, "bias")])
        scores = b.node("Where", [allowed, scores, biased])
    weights = b.node("Softmax", [scores], axis=-1)
    output = b.node("MatMul", [weights, value])
    if inputs[0].mask is not None:
        output = b.node("Where", [b.unsqueeze(inputs[0].mask, [2]), output, b.const(0.0)])
    return [Value(output), Value(weights)] if return_attention_scores else Value(output)


ATTENTION_CONVERTERS: dict[type, Any] = {
    Dot: dot, MultiHeadAttention: multi_head_attention, Attention: attention,
    AdditiveAttention: attention,
}
# the converters called with the layer call's keyword arguments (besides training and mask)
TAKES_CALL_ARGUMENTS = frozenset({MultiHeadAttention, Attention, AdditiveAttention})
# the layers whose output carries the first input's (the query's) mask, as their compute_mask
FIRST_INPUT_MASK = frozenset({MultiHeadAttention, Attention, AdditiveAttention})
