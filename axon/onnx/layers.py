"""One converter per axon layer: the ONNX nodes that compute the layer at inference.

Every converter takes ``(builder, layer, inputs)`` (``inputs`` a list of
:class:`~axon.onnx.graph.Value`) and returns a ``Value`` (or a list of them). ``CONVERTERS`` is the
one registry, keyed by the exact layer class, so a subclass that changes ``call`` is refused
rather than exported with its parent's math. The convolutional converters live in
:mod:`axon.onnx.convolutional`, the recurrent ones in :mod:`axon.onnx.recurrent`, Dot and
attention in :mod:`axon.onnx.attention` (those take the call's keyword arguments too), the shared
pieces (activations, weights) in :mod:`axon.onnx.common`.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from onnx import TensorProto

from axon import backend
from axon.backend import to_numpy
from axon.layers import (
    GRU,
    LSTM,
    Activation,
    ActivityRegularization,
    Add,
    AlphaDropout,
    Average,
    AveragePooling1D,
    AveragePooling2D,
    AveragePooling3D,
    BatchNormalization,
    Bidirectional,
    Concatenate,
    Conv1D,
    Conv1DTranspose,
    Conv2D,
    Conv2DTranspose,
    Conv3D,
    Conv3DTranspose,
    Cropping1D,
    Cropping2D,
    Cropping3D,
    Dense,
    DepthwiseConv1D,
    DepthwiseConv2D,
    Dropout,
    Embedding,
    Flatten,
    GaussianDropout,
    GaussianNoise,
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
    GlobalAveragePooling3D,
    GlobalMaxPooling1D,
    GlobalMaxPooling2D,
    GlobalMaxPooling3D,
    GroupNormalization,
    Identity,
    InputLayer,
    Layer,
    LayerNormalization,
    Masking,
    Maximum,
    MaxPooling1D,
    MaxPooling2D,
    MaxPooling3D,
    Minimum,
    Multiply,
    Normalization,
    Permute,
    RepeatVector,
    Rescaling,
    Reshape,
    SeparableConv1D,
    SeparableConv2D,
    SimpleRNN,
    SpatialDropout1D,
    SpatialDropout2D,
    SpatialDropout3D,
    Subtract,
    TimeDistributed,
    UnitNormalization,
    UpSampling1D,
    UpSampling2D,
    UpSampling3D,
    ZeroPadding1D,
    ZeroPadding2D,
    ZeroPadding3D,
)
from axon.layers.normalization import UNIT_EPSILON
from axon.onnx.attention import ATTENTION_CONVERTERS, FIRST_INPUT_MASK, TAKES_CALL_ARGUMENTS
from axon.onnx.common import ACTIVATIONS, activation, in_layout, unsupported, weight
from axon.onnx.convolutional import (
    conv,
    conv_transpose,
    cropping,
    global_pool,
    pool,
    separable_conv,
    up_sampling,
    zero_padding,
)
from axon.onnx.graph import GraphBuilder, Value
from axon.onnx.recurrent import bidirectional, recurrent

__all__ = ["convert", "CONVERTERS", "SUPPORTED", "ACTIVATIONS", "MASK_USING", "FIRST_INPUT_MASK"]

_INT64_MAX = 2 ** 63 - 1  # Slice's "to the end"


# ---- core -------------------------------------------------------------------------------------
def dense(b: GraphBuilder, layer: Dense, inputs: list[Value]) -> Value:
    """``y = f(x W + b)``: ``MatMul`` with the kernel ``(in, out)`` as it is, then ``Add``."""
    y = b.node("MatMul", [b.natural(inputs[0]), b.const(weight(layer.kernel), "kernel")])
    if layer.bias is not None:
        y = b.node("Add", [y, b.const(weight(layer.bias), "bias")])
    return activation(b, layer.activation, Value(y), layer)


def identity(b: GraphBuilder, layer: Layer, inputs: list[Value]) -> Value:
    """Identity, Dropout at inference (and an input layer): no node at all."""
    return inputs[0]


def activation_layer(b: GraphBuilder, layer: Activation, inputs: list[Value]) -> Value:
    return activation(b, layer.activation, inputs[0], layer)


def flatten(b: GraphBuilder, layer: Flatten, inputs: list[Value]) -> Value:
    """ONNX ``Flatten(axis=1)`` of the value in axon's layout (row-major, as axon flattens)."""
    return Value(b.node("Flatten", [b.natural(inputs[0])], axis=1))


def reshape(b: GraphBuilder, layer: Reshape, inputs: list[Value]) -> Value:
    """``Reshape`` to ``(0, *target_shape)``: ONNX's 0 keeps the batch size, -1 is inferred."""
    shape = b.ints([0, *layer.target_shape], "shape")
    return Value(b.node("Reshape", [b.natural(inputs[0]), shape]))


def permute(b: GraphBuilder, layer: Permute, inputs: list[Value]) -> Value:
    """No node: axon's ``y = transpose(x, p)`` with ``p = (0, *dims)`` is the ONNX value of
    ``x`` seen in a new layout. With ``v = transpose(x, q)`` (``q = x.perm``, the identity when
    ``None``), ``v = transpose(y, r)`` for ``r[i] = p^-1[q[i]]``; a later layer that needs another
    layout transposes once (``GraphBuilder.arranged``)."""
    x = inputs[0]
    p = (0, *layer.dims)
    q = x.perm or tuple(range(len(p)))
    r = tuple(p.index(axis) for axis in q)
    return Value(x.name, None if r == tuple(range(len(r))) else r)


def repeat_vector(b: GraphBuilder, layer: RepeatVector, inputs: list[Value]) -> Value:
    """``y[b, t, f] = x[b, f]``: ``Unsqueeze`` to ``(N, 1, F)``, then ``Expand`` by the shape
    ``(1, n, 1)`` (numpy-style broadcasting gives ``(N, n, F)``)."""
    x = b.unsqueeze(b.natural(inputs[0]), [1])
    return Value(b.node("Expand", [x, b.ints([1, layer.n, 1], "shape")]))


def batch_normalization(b: GraphBuilder, layer: BatchNormalization, inputs: list[Value]) -> Value:
    """Inference batch normalization ``y = (x - mean) * (gamma / sqrt(var + eps)) + beta``.

    The statistics become constants of shape ``(1, .., C, .., 1)`` on the ONNX axis that holds
    axon's ``axis`` (``x.perm`` says which), so the value keeps its layout.
    """
    x = inputs[0]
    rank = x.rank
    axis = x.onnx_axis(layer.axis % rank)
    shape = [1] * rank
    shape[axis] = -1
    scale = 1.0 / np.sqrt(weight(layer.moving_variance) + layer.epsilon)
    if layer.gamma is not None:
        scale = scale * weight(layer.gamma)
    y = b.node("Sub", [x.name, b.const(weight(layer.moving_mean).reshape(shape), "mean")])
    y = b.node("Mul", [y, b.const(scale.reshape(shape), "scale")])
    if layer.beta is not None:
        y = b.node("Add", [y, b.const(weight(layer.beta).reshape(shape), "beta")])
    return Value(y, x.perm)


def embedding(b: GraphBuilder, layer: Embedding, inputs: list[Value]) -> Value:
    """``y[..., :] = E[x[...], :]``: ``Gather(E, indices, axis=0)``.

    The indices are the model's integer input as it is (an ``axon.Input(..., dtype='int64')``)
    or, from a float value holding whole numbers (as axon accepts), ``Cast`` to int64. With
    ``mask_zero`` the output is the same, and the mask ``x != 0`` goes along (``Value.mask``)
    for a layer that uses it; the exporter refuses the ones it cannot export.
    """
    x = inputs[0]
    indices = b.integer_inputs.get(x.name) or b.node("Cast", [b.natural(x)], to=TensorProto.INT64)
    table = b.const(weight(layer.embeddings), "embeddings")
    y = b.node("Gather", [table, indices], axis=0)
    if not layer.mask_zero:
        return Value(y)
    return Value(y, mask=b.node("Not", [b.node("Equal", [b.natural(x), b.const(0.0)])]))


def layer_normalization(b: GraphBuilder, layer: LayerNormalization, inputs: list[Value]) -> Value:
    """``y = gamma * (x - mu) / sqrt(var + epsilon) + beta`` over ``axis`` (biased variance).

    With opset >= 17 and the normalized axes the trailing ONNX axes, ONNX's own
    ``LayerNormalization(axis=first, epsilon)`` (``Scale`` = gamma, ones without ``scale``).
    Otherwise axon's two-pass formula: ``mu = ReduceMean(x)``, ``c = x - mu``,
    ``var = ReduceMean(c * c)``, ``y = c * Reciprocal(Sqrt(var + epsilon))``, then ``* gamma``,
    ``+ beta``. gamma and beta, shaped ``(1, .., n_a, .., 1)`` on axon's axes, are transposed to
    ``x``'s layout, so the value keeps it.
    """
    x = inputs[0]
    axes = sorted(x.onnx_axis(a) for a in layer._norm_axes)
    gamma, beta = (None if w is None else in_layout(weight(w).reshape(layer._param_shape), x)
                   for w in (layer.gamma, layer.beta))
    if b.opset >= 17 and axes == list(range(axes[0], x.rank)):
        leading = (0,) * axes[0]  # Scale and B have the shape of the normalized axes
        ones = in_layout(np.ones(layer._param_shape), x)
        arguments = [x.name, b.const((ones if gamma is None else gamma)[leading], "gamma")]
        if beta is not None:
            arguments.append(b.const(beta[leading], "beta"))
        return Value(b.node("LayerNormalization", arguments, axis=axes[0],
                            epsilon=layer.epsilon), x.perm)
    mean = b.reduce("ReduceMean", x.name, axes, keepdims=True)
    centered = b.node("Sub", [x.name, mean])
    variance = b.reduce("ReduceMean", b.node("Mul", [centered, centered]), axes, keepdims=True)
    spread = b.node("Sqrt", [b.node("Add", [variance, b.const(layer.epsilon)])])
    y = b.node("Mul", [centered, b.node("Reciprocal", [spread])])
    if gamma is not None:
        y = b.node("Mul", [y, b.const(gamma, "gamma")])
    if beta is not None:
        y = b.node("Add", [y, b.const(beta, "beta")])
    return Value(y, x.perm)


def group_normalization(b: GraphBuilder, layer: GroupNormalization, inputs: list[Value]) -> Value:
    """``y = gamma * (x - mu) / sqrt(var + epsilon) + beta``, statistics per sample and group.

    The value is arranged channels-last (axon's other axes in order, then the channel axis), then
    ``Reshape`` to ``(N, -1, G, C / G)`` so one group of one sample is axes 1 and 3; the two-pass
    formula of ``layer_normalization`` runs over those axes; ``Reshape`` back to the arranged
    value's ``Shape``, then ``Mul`` gamma, ``Add`` beta on the last axis. The output stays
    channels-last (its ``perm`` says so), so no transpose back is needed.
    """
    x = inputs[0]
    rank, axis, groups = len(layer._param_shape), layer._channel_axis, layer._group_count
    channels = layer._param_shape[axis]
    layout = tuple(i for i in range(rank) if i != axis) + (axis,)
    perm = None if layout == tuple(range(rank)) else layout
    arranged = b.arranged(x, perm)
    grouped = b.node("Reshape", [arranged, b.ints([0, -1, groups, channels // groups], "shape")])
    mean = b.reduce("ReduceMean", grouped, [1, 3], keepdims=True)
    centered = b.node("Sub", [grouped, mean])
    variance = b.reduce("ReduceMean", b.node("Mul", [centered, centered]), [1, 3], keepdims=True)
    spread = b.node("Sqrt", [b.node("Add", [variance, b.const(layer.epsilon)])])
    normalized = b.node("Mul", [centered, b.node("Reciprocal", [spread])])
    y = b.node("Reshape", [normalized, b.node("Shape", [arranged])])
    if layer.gamma is not None:
        y = b.node("Mul", [y, b.const(weight(layer.gamma), "gamma")])
    if layer.beta is not None:
        y = b.node("Add", [y, b.const(weight(layer.beta), "beta")])
    return Value(y, perm)


def unit_normalization(b: GraphBuilder, layer: UnitNormalization, inputs: list[Value]) -> Value:
    """``y = x / sqrt(max(sum(x * x), 1e-24))`` over ``axis`` (``ReduceSum``, ``Max``, ``Sqrt``,
    ``Div``), on whichever ONNX axes hold axon's, so the value keeps its layout."""
    x = inputs[0]
    axes = sorted(x.onnx_axis(a) for a in layer._axes(len(layer._build_input_shape)))
    squares = b.reduce("ReduceSum", b.node("Mul", [x.name, x.name]), axes, keepdims=True)
    floor = b.const(UNIT_EPSILON ** 2, "squared_epsilon")
    norm = b.node("Sqrt", [b.node("Max", [squares, floor])])
    return Value(b.node("Div", [x.name, norm]), x.perm)


# ---- preprocessing and masks ----------------------------------------------------------------
def rescaling(b: GraphBuilder, layer: Rescaling, inputs: list[Value]) -> Value:
    """``y = x * scale + offset`` (``Mul``, ``Add``), the constants in ``x``'s layout."""
    x = inputs[0]
    y = b.node("Mul", [x.name, b.const(in_layout(np.asarray(layer.scale, np.float32), x), "scale")])
    offset = np.asarray(layer.offset, np.float32)
    if np.any(offset != 0):
        y = b.node("Add", [y, b.const(in_layout(offset, x), "offset")])
    return Value(y, x.perm)


def normalization(b: GraphBuilder, layer: Normalization, inputs: list[Value]) -> Value:
    """``y = (x - mean) * (1 / s)`` (``Sub``, ``Mul``), or inverted ``y = x * s + mean``, with
    ``s = max(sqrt(variance), epsilon)`` computed in float32 as axon does, in ``x``'s layout."""
    x = inputs[0]

    def stored(value: Any) -> np.ndarray:
        host = to_numpy(getattr(value, "data", value))
        return np.asarray(host, np.float32).reshape(layer._broadcast)

    mean = stored(layer.mean)
    spread = np.maximum(np.sqrt(stored(layer.variance)), np.float32(backend.epsilon()))
    if layer.invert:
        y = b.node("Mul", [x.name, b.const(in_layout(spread, x), "spread")])
        return Value(b.node("Add", [y, b.const(in_layout(mean, x), "mean")]), x.perm)
    y = b.node("Sub", [x.name, b.const(in_layout(mean, x), "mean")])
    inverse = (np.float32(1.0) / spread).astype(np.float32)
    return Value(b.node("Mul", [y, b.const(in_layout(inverse, x), "inverse_spread")]), x.perm)


def masking(b: GraphBuilder, layer: Masking, inputs: list[Value]) -> Value:
    """``y = x * m[..., None]`` with the mask ``m = any(x != mask_value, last axis)``:
    ``ReduceMax(Cast(Not(Equal(x, v))))`` over the last axis, in axon's layout. The mask goes
    along (``Value.mask``) for a layer that uses it; the exporter refuses the ones it cannot
    export."""
    x = b.natural(inputs[0])
    differs = b.node("Not", [b.node("Equal", [x, b.const(layer.mask_value)])])
    keep = b.reduce("ReduceMax", b.node("Cast", [differs], to=TensorProto.FLOAT),
                    [inputs[0].rank - 1], keepdims=True)
    mask = b.node("Cast", [b.squeeze(keep, [inputs[0].rank - 1])], to=TensorProto.BOOL)
    return Value(b.node("Mul", [x, keep]), mask=mask)


# ---- merging ----------------------------------------------------------------------------------
def _same_layout(b: GraphBuilder, inputs: list[Value]) -> tuple[list[str], tuple | None]:
    """The inputs in one layout: theirs if they share it, else axon's (lower ranks expanded
    after the batch axis, as axon's merging layers broadcast)."""
    perms = {v.perm for v in inputs}
    ranks = {v.rank for v in inputs}
    if len(perms) == 1 and len(ranks) == 1:
        return [v.name for v in inputs], inputs[0].perm
    rank = max(r for r in ranks if r is not None)
    names = []
    for v in inputs:
        name = b.natural(v)
        if v.rank is not None and v.rank < rank:
            name = b.unsqueeze(name, list(range(1, 1 + rank - v.rank)))
        names.append(name)
    return names, None


def merge(b: GraphBuilder, layer: Any, inputs: list[Value]) -> Value:
    """Add/Maximum/Minimum (ONNX's variadic ``Sum``/``Max``/``Min``), Subtract, Multiply and
    Average (``Sum`` times ``1/n``), elementwise in the inputs' common layout."""
    names, perm = _same_layout(b, inputs)
    kind = type(layer)
    if kind is Subtract:
        return Value(b.node("Sub", names), perm)
    if kind is Multiply:
        y = names[0]
        for name in names[1:]:
            y = b.node("Mul", [y, name])
        return Value(y, perm)
    op = {Add: "Sum", Average: "Sum", Maximum: "Max", Minimum: "Min"}[kind]
    y = b.node(op, names)
    if kind is Average:
        y = b.node("Mul", [y, b.const(1.0 / len(names))])
    return Value(y, perm)


def concatenate(b: GraphBuilder, layer: Concatenate, inputs: list[Value]) -> Value:
    """``Concat`` on the ONNX axis that holds axon's ``axis``."""
    names, perm = _same_layout(b, inputs)
    rank = max(v.rank for v in inputs)
    axis = layer.axis % rank
    onnx_axis = axis if perm is None else perm.index(axis)
    return Value(b.node("Concat", names, axis=onnx_axis), perm)


# ---- wrappers ---------------------------------------------------------------------------------
def time_distributed(b: GraphBuilder, layer: TimeDistributed, inputs: list[Value]) -> Value:
    """``y[:, t] = layer(x[:, t])``: ``x (N, T, *rest)`` reshaped to ``(N*T, *rest)`` (``-1``
    then ``Shape(x)[2:]``), the wrapped layer converted on it, and its output ``(N*T, *out)``
    reshaped to ``(N, T, *out)`` (``Shape(x)[:2]`` then ``Shape(out)[1:]``), as axon folds."""
    x = inputs[0]
    natural = b.natural(x)
    shape = b.node("Shape", [natural])

    def part(name: str, start: int, end: int) -> str:
        return b.node("Slice", [name, b.ints([start], "starts"), b.ints([end], "ends"),
                                b.ints([0])])

    folded = b.node("Reshape", [natural, b.node("Concat", [b.ints([-1], "shape"),
                                                           part(shape, 2, _INT64_MAX)], axis=0)])
    inner_shape = None if x.shape is None else (None, *x.shape[2:])
    scope = b.scope
    result = convert(b, layer.layer, [Value(folded, None, inner_shape)])
    b.scope = scope
    if isinstance(result, list):
        raise unsupported(layer, f"layer={type(layer.layer).__name__} giving several outputs",
                          "TimeDistributed passes on one tensor.")
    y = b.natural(result)
    unfolded = b.node("Concat", [part(shape, 0, 2), part(b.node("Shape", [y]), 1, _INT64_MAX)],
                      axis=0)
    return Value(b.node("Reshape", [y, unfolded]))


CONVERTERS: dict[type, Any] = {
    InputLayer: identity, Dropout: identity, Dense: dense, Activation: activation_layer,
    Flatten: flatten, Reshape: reshape, BatchNormalization: batch_normalization,
    Conv1D: conv, Conv2D: conv, Conv3D: conv, DepthwiseConv1D: conv, DepthwiseConv2D: conv,
    MaxPooling1D: pool, MaxPooling2D: pool, MaxPooling3D: pool, AveragePooling1D: pool,
    AveragePooling2D: pool, AveragePooling3D: pool,
    GlobalMaxPooling1D: global_pool, GlobalMaxPooling2D: global_pool,
    GlobalMaxPooling3D: global_pool, GlobalAveragePooling1D: global_pool,
    GlobalAveragePooling2D: global_pool, GlobalAveragePooling3D: global_pool,
    Permute: permute, RepeatVector: repeat_vector, Identity: identity,
    Add: merge, Subtract: merge, Multiply: merge, Average: merge, Maximum: merge, Minimum: merge,
    Concatenate: concatenate, SimpleRNN: recurrent, LSTM: recurrent, GRU: recurrent,
    Bidirectional: bidirectional, Embedding: embedding, LayerNormalization: layer_normalization,
    GroupNormalization: group_normalization, UnitNormalization: unit_normalization,
    SeparableConv1D: separable_conv, SeparableConv2D: separable_conv,
    Conv1DTranspose: conv_transpose, Conv2DTranspose: conv_transpose,
    Conv3DTranspose: conv_transpose, ZeroPadding1D: zero_padding, ZeroPadding2D: zero_padding,
    ZeroPadding3D: zero_padding, Cropping1D: cropping, Cropping2D: cropping,
    Cropping3D: cropping, UpSampling1D: up_sampling, UpSampling2D: up_sampling,
    UpSampling3D: up_sampling, Rescaling: rescaling, Normalization: normalization,
    Masking: masking, TimeDistributed: time_distributed,
    # the regularization layers are the identity at inference, as Dropout
    GaussianNoise: identity, GaussianDropout: identity, AlphaDropout: identity,
    SpatialDropout1D: identity, SpatialDropout2D: identity, SpatialDropout3D: identity,
    ActivityRegularization: identity,
    **ATTENTION_CONVERTERS,  # Dot, MultiHeadAttention, Attention, AdditiveAttention
}
# the layers exported with a time-step mask (one the graph computes); others that use one refuse
MASK_USING = frozenset({GlobalAveragePooling1D, *FIRST_INPUT_MASK})
SUPPORTED = tuple(sorted(cls.__name__ for cls in CONVERTERS if cls is not InputLayer))


def convert(b: GraphBuilder, layer: Layer, inputs: list[Value],
            call_kwargs: dict | None = None) -> Value | list[Value]:
    """The ONNX nodes of ``layer`` (named under the layer's name) fed by ``inputs``; the call's
    keyword arguments (but ``training`` and ``mask``) go to the converters that take them."""
    converter = CONVERTERS.get(type(layer))
    if converter is None:
        raise ValueError(f"axon.onnx.export cannot convert layer '{layer.name}' "
                         f"({type(layer).__name__}): it has no ONNX conversion. Supported layers: "
                         f"{', '.join(SUPPORTED)} (and Sequential/functional models of them).")
    b.scope = layer.name
    if type(layer) in TAKES_CALL_ARGUMENTS:
        options = {k: v for k, v in (call_kwargs or {}).items() if k not in ("training", "mask")}
        return converter(b, layer, inputs, **options)
    return converter(b, layer, inputs)
