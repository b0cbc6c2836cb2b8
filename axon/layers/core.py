"""Core layers: Dense, Activation, Dropout (Flatten and Reshape live in ``reshaping``)."""
from __future__ import annotations

from typing import Any

from axon import activations, backend, initializers
from axon.engine import Tensor, ops
from axon.engine import functional as F
from axon.layers import _args
from axon.layers.base import Layer
from axon.layers.noise import inverted_dropout_mask
from axon.layers.reshaping import Flatten, Reshape

__all__ = ["Dense", "Activation", "Dropout", "Flatten", "Reshape"]


class Dense(Layer):
    """A fully connected layer: every output unit sees every input.

    ``y = activation(x W + b)`` with kernel ``W`` of shape ``(input_dim, units)`` and bias ``b``
    of shape ``(units,)``. Backpropagation through it gives ``dL/dW = x^T g``,
    ``dL/db = sum over the batch of g`` and ``dL/dx = g W^T`` (``g = dL/dz``, ``z = x W + b``).
    For inputs of rank > 2 the kernel acts on the last axis (``z[..., j] = sum_i x[..., i] W[i, j]``).

    Args:
        units: number of output units (neurons), a positive integer.
        activation: name or function (``None``: linear).
        use_bias: whether to add ``b``.
        kernel_initializer, bias_initializer: how ``W`` and ``b`` start.
        kernel_regularizer, bias_regularizer: penalties ``R(W)``, ``R(b)`` added to the loss
            through ``layer.losses`` (names, config dicts or callables, see ``axon.regularizers``).
        activity_regularizer: a penalty on the output ``y`` (handled by the Layer base).
        kernel_constraint, bias_constraint: applied to the weight after each optimizer update:
            a name (``'max_norm'``, ``'min_max_norm'``, ``'non_neg'``, ``'unit_norm'``), a config
            dict, an ``axon.constraints.Constraint`` or a callable ``w -> w'``.

    Input shape: ``(batch, ..., input_dim)``. Output shape: ``(batch, ..., units)``.

    Example:
        >>> import axon
        >>> layer = axon.layers.Dense(3, activation="relu")
        >>> layer(axon.Tensor([[1.0, 2.0]])).shape
        (1, 3)
    """

    supports_masking = True  # elementwise along time: a mask passes through

    def __init__(self, units: int, activation: Any = None, use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, kernel_constraint: Any = None,
                 bias_constraint: Any = None, **kwargs: Any) -> None:
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.units = _args.positive_int(units, "units", "Dense")
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = _args.get_regularizer(kernel_regularizer)
        self.bias_regularizer = _args.get_regularizer(bias_regularizer)
        self.kernel_constraint = _args.get_constraint(kernel_constraint, "kernel_constraint", "Dense")
        self.bias_constraint = _args.get_constraint(bias_constraint, "bias_constraint", "Dense")

    def _check_rank(self, shape):
        if isinstance(shape, list) or len(shape) < 2:
            raise ValueError(f"Layer '{self.name}' (Dense) expects one input of rank >= 2 "
                             f"(batch, features). Received: shape={shape}")
        if shape[-1] is None:
            raise ValueError(f"Layer '{self.name}' (Dense) needs the last axis of its input to "
                             f"be known. Received: shape={tuple(shape)}")

    def build(self, input_shape):
        input_dim = input_shape[-1]
        self.kernel = self.add_weight("kernel", (input_dim, self.units), self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = (self.add_weight("bias", (self.units,), self.bias_initializer,
                                     regularizer=self.bias_regularizer,
                                     constraint=self.bias_constraint)
                     if self.use_bias else None)
        super().build(input_shape)

    def call(self, inputs: Tensor, training: bool = False) -> Tensor:
        # x W + b (and a ReLU) as one fused node; other activations apply to its output, so a
        # loss still finds a softmax's or sigmoid's logits
        if self.activation is activations.relu:
            return F.dense(inputs, self.kernel, self.bias, relu=True)
        z = F.dense(inputs, self.kernel, self.bias)
        return z if self.activation is activations.linear else self.activation(z)

    def _inference_function(self):
        if not self._runs_as(Dense):
            return None
        return self._infer

    def _infer(self, x):
        """``call``'s inference path on arrays: the fused op's forward, then the activation."""
        op = ops.Dense()
        op.needs_grad = (False, False, False)
        relu = self.activation is activations.relu
        arrays = (x, self.kernel.data) if self.bias is None else (x, self.kernel.data,
                                                                    self.bias.data)
        y = op.forward(*arrays, relu=relu)
        return y if relu else activations.on_array(self.activation, y)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        return {**super().get_config(), "units": self.units,
                "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": _args.serialize_regularizer(self.kernel_regularizer),
                "bias_regularizer": _args.serialize_regularizer(self.bias_regularizer),
                "kernel_constraint": _args.serialize_constraint(self.kernel_constraint),
                "bias_constraint": _args.serialize_constraint(self.bias_constraint)}


class Activation(Layer):
    """Applies an activation function: ``y = f(x)``, ``dL/dx = g * f'(x)``.

    Args:
        activation: a name (``'relu'``, ``'softmax'`` ...) or a function.

    Input shape: any. Output shape: the input's.

    Example:
        >>> import axon
        >>> axon.layers.Activation("relu")(axon.Tensor([[-1.0, 1.0]])).numpy().tolist()
        [[0.0, 1.0]]
    """

    supports_masking = True  # elementwise along time: a mask passes through

    def __init__(self, activation: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.activation = activations.get(activation)

    def call(self, inputs, training=False):
        return self.activation(inputs)

    def _inference_function(self):
        if not self._runs_as(Activation):
            return None
        return lambda x: activations.on_array(self.activation, x)

    def _check_rank(self, shape):
        _args.single_input(self, shape)

    def check_input_shape(self, shape):
        """Any shape is accepted: the math is elementwise."""
        _args.single_input(self, shape)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "activation": activations.serialize(self.activation)}


class Dropout(Layer):
    """Inverted dropout, active only in training: ``y = x * m / (1 - rate)``, ``m ~ Bernoulli(1 - rate)``.

    Each unit is zeroed with probability ``rate``; survivors are scaled by ``1/(1 - rate)`` so the
    expected activation is unchanged and inference is the identity. ``dL/dx = g * m / (1 - rate)``
    (``dL/dx = g`` at inference).

    Args:
        rate: the fraction of units to drop, in ``[0, 1)``.
        noise_shape: the shape of the mask ``m``, broadcast against the input: each entry is
            ``None`` (the input's size), 1 (one draw shared along that axis) or the input's size.
            E.g. ``(None, 1, None)`` drops whole time steps' features identically over axis 1.
        seed: seeds this layer's own generator (each call draws a new mask from it); None draws
            from axon's global generator (``axon.utils.set_random_seed``).

    Input shape: any. Output shape: the input's.

    Example:
        >>> import axon
        >>> layer = axon.layers.Dropout(0.5, seed=0)
        >>> layer(axon.Tensor([[1.0, 2.0]])).numpy().tolist()  # inference: the identity
        [[1.0, 2.0]]
        >>> sorted(set(layer(axon.Tensor([[1.0] * 8]), training=True).numpy().ravel().tolist()))
        [0.0, 2.0]
    """

    supports_masking = True  # elementwise along time: a mask passes through

    def __init__(self, rate: float, noise_shape: Any = None, seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rate = _args.dropout_rate(rate, "Dropout")
        self.noise_shape = _args.noise_shape(noise_shape, "Dropout")
        self.seed = _args.seed(seed, "Dropout")
        self._rng = backend.make_rng(seed) if seed is not None else None

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        mask = inverted_dropout_mask(self._rng or backend.rng(), _args.mask_shape(self, inputs.shape),
                                     self.rate, inputs.dtype)
        return inputs * Tensor(mask)

    def _inference_function(self):
        if not self._runs_as(Dropout):
            return None
        return _identity

    def _check_rank(self, shape):
        _args.single_input(self, shape)

    def check_input_shape(self, shape):
        """Any shape is accepted (the noise shape is checked against it when training)."""
        _args.single_input(self, shape)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed,
                "noise_shape": self.noise_shape}


def _identity(x):
    return x
