"""One converter per axon layer: the ONNX nodes that compute the layer at inference.

Every converter takes ``(builder, layer, inputs)`` (``inputs`` a list of
:class:`~axon.onnx.graph.Value`) and returns a ``Value`` (or a list of them). ``CONVERTERS`` is the
one registry, keyed by the exact layer class, so a subclass that changes ``call`` is refused
rather than exported with its parent's math.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
from onnx import TensorProto

from axon import activations
from axon.backend import to_numpy
from axon.engine.ops.conv import conv_pads
from axon.layers import (
    GRU,
    LSTM,
    Activation,
    Add,
    Average,
    AveragePooling1D,
    AveragePooling2D,
    BatchNormalization,
    Bidirectional,
    Concatenate,
    Conv1D,
    Conv2D,
    Conv3D,
    Dense,
    DepthwiseConv1D,
    DepthwiseConv2D,
    Dropout,
    Flatten,
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
    GlobalMaxPooling1D,
    GlobalMaxPooling2D,
    InputLayer,
    Layer,
    Maximum,
    MaxPooling1D,
    MaxPooling2D,
    Minimum,
    Multiply,
    Reshape,
    SimpleRNN,
    Subtract,
)
from axon.onnx.graph import GraphBuilder, Value, channels_first_perm

__all__ = ["convert", "CONVERTERS", "SUPPORTED", "ACTIVATIONS"]


def _weight(variable: Any) -> np.ndarray:
    """A weight as a float64 host array (exact for float32 weights; cast to float32 at the end)."""
    return to_numpy(variable.data).astype(np.float64)


# ---- activations ----------------------------------------------------------------------------
def _gelu(b: GraphBuilder, x: str) -> str:
    """``x/2 * (1 + erf(x / sqrt(2)))``, the exact form (ONNX's own Gelu arrives in opset 20)."""
    erf = b.node("Erf", [b.node("Mul", [x, b.const(1 / math.sqrt(2))])])
    return b.node("Mul", [b.node("Mul", [x, b.node("Add", [erf, b.const(1.0)])]), b.const(0.5)])


def _silu(b: GraphBuilder, x: str) -> str:
    return b.node("Mul", [x, b.node("Sigmoid", [x])])


def _step(b: GraphBuilder, x: str) -> str:
    return b.node("Cast", [b.node("Greater", [x, b.const(0.0)])], to=TensorProto.FLOAT)


# axon's activation function -> (ONNX op, its attributes), or a function writing a composite
ACTIVATIONS: dict[Any, Any] = {
    activations.relu: ("Relu", {}), activations.sigmoid: ("Sigmoid", {}),
    activations.tanh: ("Tanh", {}), activations.elu: ("Elu", {"alpha": 1.0}),
    activations.selu: ("Selu", {}), activations.leaky_relu: ("LeakyRelu", {"alpha": 0.2}),
    activations.softplus: ("Softplus", {}), activations.softsign: ("Softsign", {}),
    activations.hard_sigmoid: ("HardSigmoid", {"alpha": 1 / 6, "beta": 0.5}),
    activations.exponential: ("Exp", {}), activations.gelu: _gelu, activations.silu: _silu,
    activations.step: _step,
}
_AXIS_ACTIVATIONS = {activations.softmax: "Softmax", activations.log_softmax: "LogSoftmax"}


def activation(b: GraphBuilder, function: Any, x: Value, layer: Layer) -> Value:
    """``function(x)`` in ``x``'s layout (softmax's last axis found through ``x.perm``)."""
    if function is activations.linear:
        return x
    if function in _AXIS_ACTIVATIONS:
        axis = -1 if x.perm is None else x.onnx_axis(len(x.perm) - 1)
        return Value(b.node(_AXIS_ACTIVATIONS[function], [x.name], axis=axis), x.perm)
    entry = ACTIVATIONS.get(function)
    if entry is None:
        names = sorted(activations.serialize(f) for f in [*ACTIVATIONS, *_AXIS_ACTIVATIONS])
        raise ValueError(f"axon.onnx.export cannot convert the activation "
                         f"{activations.serialize(function)!r} of layer '{layer.name}' "
                         f"({type(layer).__name__}). Supported activations: linear, "
                         f"{', '.join(names)}.")
    if callable(entry):
        return Value(entry(b, x.name), x.perm)
    op, attributes = entry
    return Value(b.node(op, [x.name], **attributes), x.perm)


# ---- core -------------------------------------------------------------------------------------
def dense(b: GraphBuilder, layer: Dense, inputs: list[Value]) -> Value:
    """``y = f(x W + b)``: ``MatMul`` with the kernel ``(in, out)`` as it is, then ``Add``."""
    y = b.node("MatMul", [b.natural(inputs[0]), b.const(_weight(layer.kernel), "kernel")])
    if layer.bias is not None:
        y = b.node("Add", [y, b.const(_weight(layer.bias), "bias")])
    return activation(b, layer.activation, Value(y), layer)


def identity(b: GraphBuilder, layer: Layer, inputs: list[Value]) -> Value:
    """Dropout at inference (and an input layer): no node at all."""
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
    scale = 1.0 / np.sqrt(_weight(layer.moving_variance) + layer.epsilon)
    if layer.gamma is not None:
        scale = scale * _weight(layer.gamma)
    y = b.node("Sub", [x.name, b.const(_weight(layer.moving_mean).reshape(shape), "mean")])
    y = b.node("Mul", [y, b.const(scale.reshape(shape), "scale")])
    if layer.beta is not None:
        y = b.node("Add", [y, b.const(_weight(layer.beta).reshape(shape), "beta")])
    return Value(y, x.perm)


# ---- convolution and pooling -------------------------------------------------------------------
def _layout(layer: Layer, rank: int) -> tuple | None:
    """The layout ONNX's ``(N, C, *spatial)`` ops need, as a perm of the axon value."""
    return channels_first_perm(rank) if layer.data_format == "channels_last" else None


def _pads(layer: Layer, x: Value, kernel: tuple, strides: tuple, dilation: tuple) -> dict:
    """Keras's padding as ONNX attributes: explicit ``pads = [begins..., ends...]`` where they
    are known, else ``auto_pad='SAME_UPPER'`` (the odd entry at the end, as Keras).

    ``'same'`` pads ``dk - 1`` in all at stride 1 and ``'causal'`` pads ``dk - 1`` before,
    whatever the size ``n``; only ``'same'`` with a stride > 1 needs ``n`` (and then, as axon
    refuses strides > 1 with dilation > 1, ``dk = k``, the case onnxruntime's auto_pad runs).
    """
    spatial = (x.shape[1:-1] if layer.data_format == "channels_last" else x.shape[2:]) \
        if x.shape is not None else (None,) * len(kernel)
    if layer.padding == "valid":
        return {"pads": [0] * (2 * len(kernel))}
    spatial = [1 if n is None and (s == 1 or layer.padding == "causal") else n
               for n, s in zip(spatial, strides)]
    if any(n is None for n in spatial):
        return {"auto_pad": "SAME_UPPER"}
    pairs = [conv_pads(n, k, s, d, layer.padding)
             for n, k, s, d in zip(spatial, kernel, strides, dilation)]
    return {"pads": [p[0] for p in pairs] + [p[1] for p in pairs]}


def conv(b: GraphBuilder, layer: Any, inputs: list[Value]) -> Value:
    """``Conv`` with the kernel ``(*K, C_in/groups, C_out)`` transposed to ONNX's
    ``(C_out, C_in/groups, *K)``; a depthwise kernel ``(*K, C, m)`` is first seen as
    ``(*K, 1, C*m)`` with ``group = C`` (output channel ``c*m + k``, as axon orders them)."""
    x, n = inputs[0], layer.rank
    perm = _layout(layer, n + 2)
    kernel = _weight(layer.kernel)
    groups = getattr(layer, "groups", 1)
    if isinstance(layer, DepthwiseConv1D | DepthwiseConv2D):
        groups = kernel.shape[-2]
        kernel = kernel.reshape(*kernel.shape[:-2], 1, -1)
    weight = kernel.transpose(n + 1, n, *range(n))
    arguments = [b.arranged(x, perm), b.const(weight, "kernel")]
    if layer.bias is not None:
        arguments.append(b.const(_weight(layer.bias), "bias"))
    y = b.node("Conv", arguments, kernel_shape=list(layer.kernel_size),
               strides=list(layer.strides), dilations=list(layer.dilation_rate), group=groups,
               **_pads(layer, x, layer.kernel_size, layer.strides, layer.dilation_rate))
    return activation(b, layer.activation, Value(y, perm), layer)


def pool(b: GraphBuilder, layer: Any, inputs: list[Value]) -> Value:
    """``MaxPool``/``AveragePool``; padded entries never count (ONNX's max ignores pads, and
    ``count_include_pad=0`` averages only the real entries, as Keras)."""
    x = inputs[0]
    perm = _layout(layer, x.rank)
    ones = (1,) * len(layer.pool_size)
    attributes = {"kernel_shape": list(layer.pool_size), "strides": list(layer.strides),
                  **_pads(layer, x, layer.pool_size, layer.strides, ones)}
    if isinstance(layer, MaxPooling1D | MaxPooling2D):
        y = b.node("MaxPool", [b.arranged(x, perm)], **attributes)
    else:
        y = b.node("AveragePool", [b.arranged(x, perm)], count_include_pad=0, **attributes)
    return Value(y, perm)


def global_pool(b: GraphBuilder, layer: Any, inputs: list[Value]) -> Value:
    """``ReduceMean``/``ReduceMax`` over the spatial axes, in whatever layout ``x`` is; without
    ``keepdims`` the remaining axes (batch, channels) keep their relative ONNX order."""
    x = inputs[0]
    axes = layer._axes
    op = "ReduceMax" if isinstance(layer, GlobalMaxPooling1D | GlobalMaxPooling2D) else "ReduceMean"
    y = b.reduce(op, x.name, sorted(x.onnx_axis(a) for a in axes), layer.keepdims)
    if layer.keepdims or x.perm is None:
        return Value(y, x.perm)
    remaining = [a for a in x.perm if a not in axes]
    return Value(y, tuple(sorted(remaining).index(a) for a in remaining))


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


# ---- recurrent ----------------------------------------------------------------------------------
_RNN_ACTIVATIONS = {activations.sigmoid: "Sigmoid", activations.tanh: "Tanh",
                    activations.relu: "Relu", activations.softsign: "Softsign",
                    activations.softplus: "Softplus"}


def _rnn_activation(layer: Layer, function: Any, argument: str) -> str:
    if function not in _RNN_ACTIVATIONS:
        names = ", ".join(activations.serialize(f) for f in _RNN_ACTIVATIONS)
        raise ValueError(f"axon.onnx.export cannot convert layer '{layer.name}' "
                         f"({type(layer).__name__}) with {argument}="
                         f"{activations.serialize(function)!r}; ONNX's recurrent ops take: "
                         f"{names}.")
    return _RNN_ACTIVATIONS[function]


def _recurrent_weights(layer: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict]:
    """``W (1, k*u, in)``, ``R (1, k*u, u)``, ``B (1, 2*k*u) = [Wb; Rb]`` and the attributes.

    Keras's ``x W`` uses ``kernel (in, k*u)``, ONNX's ``X W^T`` uses ``(k*u, in)``: the kernels are
    transposed. Gate blocks: LSTM Keras ``i, f, c, o`` -> ONNX ``i, o, f, c`` (blocks 0, 3, 1, 2);
    GRU ``z, r, h`` in both, Keras's ``reset_after=True`` being ONNX's ``linear_before_reset=1``
    with ``bias[0]`` as ``Wb`` and ``bias[1]`` as ``Rb`` (``reset_after=False``: one bias, ``Wb``).
    """
    u = layer.units
    kernel, recurrent = _weight(layer.kernel), _weight(layer.recurrent_kernel)
    k = kernel.shape[1] // u
    bias = np.zeros((2, k * u))
    if layer.bias is not None:
        bias = _weight(layer.bias).reshape(-1, k * u)
        bias = bias if bias.shape[0] == 2 else np.concatenate([bias, np.zeros((1, k * u))])
    attributes: dict = {"hidden_size": u}
    if isinstance(layer, LSTM):
        order = [0, 3, 1, 2]

        def blocks(a):
            return np.concatenate([a[..., j * u:(j + 1) * u] for j in order], axis=-1)

        kernel, recurrent, bias = blocks(kernel), blocks(recurrent), blocks(bias)
        functions = [_rnn_activation(layer, layer.recurrent_activation, "recurrent_activation"),
                     *[_rnn_activation(layer, layer.activation, "activation")] * 2]
    elif isinstance(layer, GRU):
        attributes["linear_before_reset"] = int(layer.reset_after)
        functions = [_rnn_activation(layer, layer.recurrent_activation, "recurrent_activation"),
                     _rnn_activation(layer, layer.activation, "activation")]
    else:
        functions = [_rnn_activation(layer, layer.activation, "activation")]
    attributes["activations"] = functions
    return kernel.T[None], recurrent.T[None], bias.reshape(1, -1), attributes


def recurrent(b: GraphBuilder, layer: Any, inputs: list[Value],
              flip_sequence: bool = False) -> Value | list[Value]:
    """ONNX ``RNN``/``LSTM``/``GRU`` on the time-major sequence ``(T, N, F)`` (a ``Transpose`` of
    axon's ``(N, T, F)``; onnxruntime does not run ``layout=1``). The last state is ``Y_h``;
    with ``return_sequences`` the output is ``Y (T, 1, N, u)`` back to ``(N, T, u)``, and with
    ``go_backwards`` (ONNX ``direction='reverse'``, which writes step t's output at t) reversed in
    time, as axon gives the outputs in the order it read the steps (``flip_sequence`` reverses
    the sequence output once more: Bidirectional's backward side, lined up with the forward)."""
    if layer.stateful:
        raise ValueError(f"axon.onnx.export cannot convert layer '{layer.name}' "
                         f"({type(layer).__name__}) with stateful=True: the graph starts every "
                         "call from zero states. Export a copy built with stateful=False.")
    op = {SimpleRNN: "RNN", LSTM: "LSTM", GRU: "GRU"}.get(type(layer))
    if op is None:  # a Bidirectional's own backward_layer of another class
        raise ValueError(f"axon.onnx.export cannot convert layer '{layer.name}' "
                         f"({type(layer).__name__}): ONNX's recurrent ops are SimpleRNN, LSTM "
                         "and GRU.")
    weight, recurrent_weight, bias, attributes = _recurrent_weights(layer)
    sequence = b.node("Transpose", [b.natural(inputs[0])], perm=[1, 0, 2])
    arguments = [sequence, b.const(weight, "W"), b.const(recurrent_weight, "R"),
                 b.const(bias, "B")]
    if len(inputs) > 1:  # initial states (batch, u) -> (1, batch, u), after sequence_lens
        arguments += [""] + [b.unsqueeze(b.natural(v), [0]) for v in inputs[1:]]
    count = 3 if op == "LSTM" else 2
    outputs = b.node(op, arguments, outputs=count,
                     direction="reverse" if layer.go_backwards else "forward", **attributes)
    states = [Value(b.squeeze(name, [0])) for name in outputs[1:]]
    if layer.return_sequences:
        y = b.squeeze(outputs[0], [1])
        if layer.go_backwards != flip_sequence:
            y = b.node("Slice", [y, b.ints([-1]), b.ints([-2 ** 63]), b.ints([0]), b.ints([-1])])
        output = Value(b.node("Transpose", [y], perm=[1, 0, 2]))
    else:
        output = states[0]
    return [output, *states] if layer.return_state else output


def bidirectional(b: GraphBuilder, layer: Bidirectional, inputs: list[Value]) -> Any:
    """Both sides as their own recurrent op on the same input (initial states: the forward
    ones, then the backward ones), the backward sequence flipped to line up with the forward
    one, then merged: ``concat`` on the last axis, ``sum``, ``ave`` (``(y_f + y_b) / 2``),
    ``mul`` or None (both). With ``return_state``: ``[output(s), *forward, *backward states]``."""
    half = (len(inputs) - 1) // 2
    forward = recurrent(b, layer.forward_layer, [inputs[0], *inputs[1:1 + half]])
    backward = recurrent(b, layer.backward_layer, [inputs[0], *inputs[1 + half:]],
                         flip_sequence=layer.return_sequences)
    states: list[Value] = []
    if layer.return_state:
        states, forward, backward = forward[1:] + backward[1:], forward[0], backward[0]
    y, y_rev = forward.name, backward.name
    if layer.merge_mode is None:
        return [forward, backward, *states]
    if layer.merge_mode == "concat":
        output = b.node("Concat", [y, y_rev], axis=-1)
    elif layer.merge_mode == "mul":
        output = b.node("Mul", [y, y_rev])
    else:
        output = b.node("Add", [y, y_rev])
        if layer.merge_mode == "ave":
            output = b.node("Mul", [output, b.const(0.5)])
    return [Value(output), *states] if layer.return_state else Value(output)


CONVERTERS: dict[type, Any] = {
    InputLayer: identity, Dropout: identity, Dense: dense, Activation: activation_layer,
    Flatten: flatten, Reshape: reshape, BatchNormalization: batch_normalization,
    Conv1D: conv, Conv2D: conv, Conv3D: conv, DepthwiseConv1D: conv, DepthwiseConv2D: conv,
    MaxPooling1D: pool, MaxPooling2D: pool, AveragePooling1D: pool, AveragePooling2D: pool,
    GlobalMaxPooling1D: global_pool, GlobalMaxPooling2D: global_pool,
    GlobalAveragePooling1D: global_pool, GlobalAveragePooling2D: global_pool,
    Add: merge, Subtract: merge, Multiply: merge, Average: merge, Maximum: merge, Minimum: merge,
    Concatenate: concatenate, SimpleRNN: recurrent, LSTM: recurrent, GRU: recurrent,
    Bidirectional: bidirectional,
}
SUPPORTED = tuple(sorted(cls.__name__ for cls in CONVERTERS if cls is not InputLayer))


def convert(b: GraphBuilder, layer: Layer, inputs: list[Value]) -> Value | list[Value]:
    """The ONNX nodes of ``layer`` (named under the layer's name) fed by ``inputs``."""
    converter = CONVERTERS.get(type(layer))
    if converter is None:
        raise ValueError(f"axon.onnx.export cannot convert layer '{layer.name}' "
                         f"({type(layer).__name__}): it has no ONNX conversion. Supported layers: "
                         f"{', '.join(SUPPORTED)} (and Sequential/functional models of them).")
    b.scope = layer.name
    return converter(b, layer, inputs)
