"""What every converter shares: weights as host arrays, activations, constants in a value's
layout, and the error for an option that has no exact ONNX form."""
from __future__ import annotations

import math
from typing import Any

import numpy as np
from onnx import TensorProto

from axon import activations
from axon.backend import to_numpy
from axon.layers import Layer
from axon.onnx.graph import GraphBuilder, Value

__all__ = ["weight", "activation", "ACTIVATIONS", "in_layout", "unsupported"]


def weight(variable: Any) -> np.ndarray:
    """A weight as a float64 host array (exact for float32 weights; cast to float32 at the end)."""
    return to_numpy(variable.data).astype(np.float64)


def in_layout(array: Any, x: Value) -> np.ndarray:
    """A constant that broadcasts against ``x`` in axon's layout, made to broadcast against the
    ONNX value: size-1 axes put in front up to ``x``'s rank, then ``transpose(·, x.perm)``."""
    array = np.asarray(array)
    rank = x.rank
    array = array.reshape((1,) * (rank - array.ndim) + array.shape)
    return array if x.perm is None else array.transpose(x.perm)


def unsupported(layer: Layer, option: str, why: str) -> ValueError:
    """The error for a layer option with no exact ONNX form: names the layer and the option."""
    return ValueError(f"axon.onnx.export cannot convert layer '{layer.name}' "
                      f"({type(layer).__name__}) with {option}: {why}")


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
