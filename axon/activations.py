"""Activation functions by name: the nonlinearity ``y = f(z)`` a layer applies to ``z = x W + b``.

Each is a function of the engine (see ``axon.engine.functional`` for its formula and gradient).

Example:
    >>> import axon
    >>> axon.activations.get("relu")(axon.Tensor([-1.0, 3.0])).numpy().tolist()
    [0.0, 3.0]
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from axon.backend import xp
from axon.engine import Tensor, ops
from axon.engine import functional as F
from axon.utils.registry import custom_object, function_name, resolve

linear = F.linear
step = F.step
sigmoid = F.sigmoid
tanh = F.tanh
relu = F.relu
leaky_relu = F.leaky_relu
elu = F.elu
selu = F.selu
gelu = F.gelu
silu = F.silu
swish = F.swish
softplus = F.softplus
softsign = F.softsign
hard_sigmoid = F.hard_sigmoid
softmax = F.softmax
log_softmax = F.log_softmax
exponential = F.exp

ALL: dict[str, Callable] = {
    "linear": linear, "step": step, "heaviside": step, "sigmoid": sigmoid, "tanh": tanh,
    "relu": relu, "leaky_relu": leaky_relu, "elu": elu, "selu": selu, "gelu": gelu,
    "silu": silu, "swish": swish, "softplus": softplus, "softsign": softsign,
    "hard_sigmoid": hard_sigmoid, "softmax": softmax, "log_softmax": log_softmax,
    "exponential": exponential,
}


# Activations that are one primitive over the whole input: on an array they run as the
# primitive's forward, with no tensor or graph around it (the inference path of layers).
_PRIMITIVES: dict[Callable, tuple[type, dict]] = {
    sigmoid: (ops.Sigmoid, {}), tanh: (ops.Tanh, {}), relu: (ops.Relu, {}),
    softmax: (ops.Softmax, {"axis": -1}),
}


def on_array(activation: Callable, x: Any) -> Any:
    """``activation(x)`` for an array ``x``, as an array, with nothing recorded: the same
    numbers as calling it on a tensor. Callers use it where no gradient is wanted."""
    if activation is linear:
        return x
    entry = _PRIMITIVES.get(activation)
    if entry is None:  # any other function of tensors (it may also hand back an array)
        result = activation(Tensor(x))
        return result.data if isinstance(result, Tensor) else xp.asarray(result)
    op = entry[0]()
    op.needs_grad = (False,)
    return op.forward(x, **entry[1])


def get(identifier: Any) -> Callable:
    """The activation function for a name (``'relu'``), ``None`` (linear) or a callable."""
    if identifier is None:
        return linear
    custom = custom_object(identifier)   # a name the program supplied: custom_objects, registered
    if custom is not None:
        return get(custom)
    if callable(identifier):
        return identifier
    if isinstance(identifier, str):
        return resolve(identifier, ALL, "activation")
    raise ValueError(f"Could not interpret activation identifier: {identifier!r}. "
                     "Expected a name, None or a callable.")


def serialize(activation: Callable) -> str:
    """The name of a built-in activation (the callable's ``__name__`` otherwise)."""
    for name, fn in ALL.items():
        if fn is activation:
            return name
    return function_name(activation) or getattr(activation, "__name__", repr(activation))
