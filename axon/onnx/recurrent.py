"""Converters for the recurrent layers: SimpleRNN, LSTM and GRU as ONNX's ``RNN``, ``LSTM`` and
``GRU`` ops, and Bidirectional as one op per side, merged."""
from __future__ import annotations

from typing import Any

import numpy as np

from axon import activations
from axon.layers import GRU, LSTM, Bidirectional, Layer, SimpleRNN
from axon.onnx.common import weight
from axon.onnx.graph import GraphBuilder, Value

__all__ = ["recurrent", "bidirectional"]


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
    kernel, recurrent = weight(layer.kernel), weight(layer.recurrent_kernel)
    k = kernel.shape[1] // u
    bias = np.zeros((2, k * u))
    if layer.bias is not None:
        bias = weight(layer.bias).reshape(-1, k * u)
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
