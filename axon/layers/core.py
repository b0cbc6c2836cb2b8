"""Core layers: Dense, Activation, Flatten, Dropout."""
from __future__ import annotations

import math
from typing import Any

from axon import activations, backend, initializers
from axon.engine import Tensor
from axon.engine import functional as F
from axon.layers.base import Layer


class Dense(Layer):
    """A fully connected layer: every output unit sees every input.

    ``y = activation(x W + b)`` with kernel ``W`` of shape ``(input_dim, units)`` and bias ``b``
    of shape ``(units,)``. Backpropagation through it gives ``dL/dW = x^T g``,
    ``dL/db = sum over the batch of g`` and ``dL/dx = g W^T`` (``g = dL/dz``, ``z = x W + b``).

    Args:
        units: number of output units (neurons), a positive integer.
        activation: name or function (``None``: linear).
        use_bias: whether to add ``b``.
        kernel_initializer, bias_initializer: how ``W`` and ``b`` start.

    Input shape: ``(batch, ..., input_dim)``. Output shape: ``(batch, ..., units)``.

    Example:
        >>> import axon
        >>> layer = axon.layers.Dense(3, activation="relu")
        >>> layer(axon.Tensor([[1.0, 2.0]])).shape
        (1, 3)
    """

    def __init__(self, units: int, activation: Any = None, use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(units, bool) or not isinstance(units, int) or units <= 0:
            raise ValueError(f"Dense expects units to be a positive integer. Received: units={units!r}")
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)

    def _check_rank(self, shape):
        if len(shape) < 2:
            raise ValueError(f"Layer '{self.name}' (Dense) expects input of rank >= 2 "
                             f"(batch, features). Received: shape={tuple(shape)}")

    def build(self, input_shape):
        input_dim = input_shape[-1]
        self.kernel = self.add_weight("kernel", (input_dim, self.units), self.kernel_initializer)
        self.bias = (self.add_weight("bias", (self.units,), self.bias_initializer)
                     if self.use_bias else None)
        super().build(input_shape)

    def call(self, inputs: Tensor, training: bool = False) -> Tensor:
        z = F.matmul(inputs, self.kernel)
        if self.bias is not None:
            z = z + self.bias
        return self.activation(z)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        return {**super().get_config(), "units": self.units,
                "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer)}


class Activation(Layer):
    """Applies an activation function: ``y = f(x)``. Output shape = input shape.

    Example:
        >>> import axon
        >>> axon.layers.Activation("relu")(axon.Tensor([[-1.0, 1.0]])).numpy().tolist()
        [[0.0, 1.0]]
    """

    def __init__(self, activation: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.activation = activations.get(activation)

    def call(self, inputs, training=False):
        return self.activation(inputs)

    def get_config(self):
        return {**super().get_config(), "activation": activations.serialize(self.activation)}


class Flatten(Layer):
    """Flattens each sample to one axis: ``(batch, d1, d2, ...) -> (batch, d1*d2*...)``.

    Example:
        >>> import axon
        >>> axon.layers.Flatten()(axon.Tensor([[[1.0, 2.0], [3.0, 4.0]]])).shape
        (1, 4)
    """

    def call(self, inputs, training=False):
        return F.reshape(inputs, (inputs.shape[0], -1))

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        return (input_shape[0], None if None in rest else math.prod(rest))


class Dropout(Layer):
    """Inverted dropout, active only in training: ``y = x * m / (1 - rate)``, ``m ~ Bernoulli(1 - rate)``.

    Each unit is zeroed with probability ``rate``; survivors are scaled by ``1/(1 - rate)`` so the
    expected activation is unchanged and inference is the identity. ``dL/dx = g * m / (1 - rate)``.

    Args:
        rate: the fraction of units to drop, in ``[0, 1)``.
        seed: optional seed of this layer's own generator.
    """

    def __init__(self, rate: float, noise_shape: Any = None, seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(rate, int | float) or not 0 <= rate < 1:
            raise ValueError(f"Dropout expects rate in [0, 1). Received: rate={rate!r}")
        self.rate, self.noise_shape, self.seed = float(rate), noise_shape, seed
        self._rng = backend.make_rng(seed) if seed is not None else None

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        rng = self._rng or backend.rng()
        shape = inputs.shape if self.noise_shape is None else tuple(
            n if n is not None else s for n, s in zip(self.noise_shape, inputs.shape))
        keep = backend.from_host(rng.random(shape) >= self.rate)
        mask = keep.astype(inputs.dtype) * (1.0 / (1.0 - self.rate))
        return inputs * Tensor(mask.astype(inputs.dtype))

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "noise_shape": self.noise_shape,
                "seed": self.seed}
