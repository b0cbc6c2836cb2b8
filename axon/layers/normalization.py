"""Normalization layers: BatchNormalization (over the batch), LayerNormalization, GroupNormalization
and UnitNormalization (per sample).

All but UnitNormalization standardize with the engine's fused ``F.standardize`` (primitive
``Normalize``, whose gradient includes the terms through the batch/sample/group mean and
variance), then scale by ``gamma`` and shift by ``beta`` with ordinary ops; UnitNormalization
divides by the L2 norm, composed from ordinary ops.
"""
from __future__ import annotations

from typing import Any

from axon import initializers
from axon.backend import xp
from axon.engine import Tensor
from axon.engine import functional as F
from axon.layers import _args
from axon.layers.base import Layer

__all__ = ["BatchNormalization", "GroupNormalization", "LayerNormalization", "UnitNormalization"]


def _check_flag_and_number(owner: str, epsilon: Any, center: Any, scale: Any) -> None:
    if isinstance(epsilon, bool) or not isinstance(epsilon, int | float) or not epsilon >= 0:
        raise ValueError(f"{owner} expects epsilon to be a non-negative number. "
                         f"Received: epsilon={epsilon!r}")
    for argument, value in (("center", center), ("scale", scale)):
        if not isinstance(value, bool):
            raise ValueError(f"{owner} expects {argument} to be a bool. "
                             f"Received: {argument}={value!r}")


def _axis_argument(axis: Any, owner: str, error: type) -> Any:
    """``axis`` as given (an int) or as a list of ints; else ``error`` naming ``owner``."""
    axes = (axis,) if isinstance(axis, int) else axis
    if (isinstance(axis, bool) or not isinstance(axes, list | tuple) or not axes
            or not all(isinstance(a, int) and not isinstance(a, bool) for a in axes)):
        raise error(f"{owner} expects axis to be an int or a list/tuple of ints. "
                    f"Received: axis={axis!r}")
    return list(axis) if isinstance(axis, list | tuple) else axis


def _normalized_axes(layer: Layer, axes: tuple, shape: Any) -> tuple:
    """``axes`` made non-negative for ``shape``; errors name the layer, the axis and the shape."""
    _args.single_input(layer, shape)
    rank = len(shape)
    for axis in axes:
        if not -rank <= axis < rank:
            raise ValueError(f"Layer '{layer.name}' ({type(layer).__name__}): axis {axis} is out "
                             f"of range for an input of shape {tuple(shape)}. "
                             f"Received: axis={layer.axis}")
    normalized = tuple(sorted(a % rank for a in axes))
    for axis in normalized:
        if shape[axis] is None:  # the batch axis included: its size varies between calls
            raise ValueError(f"Layer '{layer.name}' ({type(layer).__name__}) needs axis {axis} of "
                             f"its input to have a fixed size (the batch axis 0 cannot carry "
                             f"weights). Received: shape={tuple(shape)}, axis={layer.axis}")
    if len(set(normalized)) != len(normalized):
        raise ValueError(f"Layer '{layer.name}' ({type(layer).__name__}) got a repeated axis. "
                         f"Received: axis={layer.axis}")
    return normalized


def _broadcast_shape(rank: int, axes: tuple, shape: Any) -> tuple:
    """The shape that lines a ``(shape[a] for a in axes)`` weight up with a rank-``rank`` input."""
    return tuple(shape[i] if i in axes else 1 for i in range(rank))


class _AffineNormalization(Layer):
    """Shared by BatchNormalization, LayerNormalization and GroupNormalization: the optional
    ``gamma`` (scale) and ``beta`` (shift) that follow the standardization, with their
    initializers, regularizers and constraints."""

    supports_masking = True  # per sample and position-wise after the statistics: a mask passes

    def _set_affine(self, owner: str, epsilon: Any, center: Any, scale: Any, beta_initializer: Any,
                    gamma_initializer: Any, beta_regularizer: Any, gamma_regularizer: Any,
                    beta_constraint: Any, gamma_constraint: Any) -> None:
        _check_flag_and_number(owner, epsilon, center, scale)
        self.epsilon, self.center, self.scale = float(epsilon), bool(center), bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = _args.get_regularizer(beta_regularizer)
        self.gamma_regularizer = _args.get_regularizer(gamma_regularizer)
        self.beta_constraint = _args.get_constraint(beta_constraint, "beta_constraint", owner)
        self.gamma_constraint = _args.get_constraint(gamma_constraint, "gamma_constraint", owner)

    def _add_gamma_and_beta(self, shape: tuple) -> None:
        self.gamma = (self.add_weight("gamma", shape, self.gamma_initializer,
                                      regularizer=self.gamma_regularizer,
                                      constraint=self.gamma_constraint) if self.scale else None)
        self.beta = (self.add_weight("beta", shape, self.beta_initializer,
                                     regularizer=self.beta_regularizer,
                                     constraint=self.beta_constraint) if self.center else None)

    def _scale_and_shift(self, outputs: Tensor) -> Tensor:
        """``gamma * outputs + beta``, each reshaped to broadcast (``_param_shape``)."""
        if self.gamma is not None:
            outputs = outputs * F.reshape(self.gamma, self._param_shape)
        if self.beta is not None:
            outputs = outputs + F.reshape(self.beta, self._param_shape)
        return outputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "epsilon": self.epsilon, "center": self.center,
                "scale": self.scale,
                "beta_initializer": initializers.serialize(self.beta_initializer),
                "gamma_initializer": initializers.serialize(self.gamma_initializer),
                "beta_regularizer": _args.serialize_regularizer(self.beta_regularizer),
                "gamma_regularizer": _args.serialize_regularizer(self.gamma_regularizer),
                "beta_constraint": _args.serialize_constraint(self.beta_constraint),
                "gamma_constraint": _args.serialize_constraint(self.gamma_constraint)}


class BatchNormalization(_AffineNormalization):
    """Normalizes each feature over the batch, then scales and shifts it (Ioffe & Szegedy, 2015).

    With ``mu``, ``var`` the mean and (biased, divide-by-n) variance of ``x`` over every axis but
    ``axis``, and ``gamma``, ``beta`` learned per feature:

        training:   y = gamma * (x - mu) / sqrt(var + epsilon) + beta
                    moving_mean     <- moving_mean * momentum + mu  * (1 - momentum)
                    moving_variance <- moving_variance * momentum + var * (1 - momentum)
        inference:  y = gamma * (x - moving_mean) / sqrt(moving_variance + epsilon) + beta

    Gradient in training (``x_hat = (x - mu) / sqrt(var + epsilon)``, ``n`` entries per feature,
    ``g = dL/dy``): ``dL/dgamma = sum g x_hat``, ``dL/dbeta = sum g``,
    ``dL/dx = gamma / sqrt(var + epsilon) * (g - mean(g) - x_hat * mean(g x_hat))`` (the fused
    ``Normalize`` primitive's gradient, then the chain rule through ``gamma``). At inference the
    statistics are constants: ``dL/dx = g * gamma / sqrt(moving_variance + epsilon)``.

    As in Keras 3: the moving variance is fed the biased batch variance (no ``n/(n-1)``), and a
    layer with ``trainable=False`` runs in inference mode even when called with ``training=True``
    (so a frozen model fine-tunes with fixed statistics).

    Args:
        axis: the features axis (normalized separately); usually -1 (channels last).
        momentum: of the moving averages, in ``[0, 1]``.
        epsilon: added to the variance to avoid dividing by zero.
        center: whether to add ``beta``. scale: whether to multiply by ``gamma``.
        beta_initializer, gamma_initializer, moving_mean_initializer,
        moving_variance_initializer: how the weights start (zeros, ones, zeros, ones).
        beta_regularizer, gamma_regularizer: penalties on ``beta``/``gamma`` (``layer.losses``).
        beta_constraint, gamma_constraint: None or a callable applied after each update.

    Weights (Keras's order): ``gamma``, ``beta`` (trainable), ``moving_mean``,
    ``moving_variance`` (non-trainable), each of shape ``(input_shape[axis],)``.

    Input shape: any, rank >= 2. Output shape: the input's.

    Example:
        >>> import axon, numpy as np
        >>> layer = axon.layers.BatchNormalization(momentum=0.5)
        >>> y = layer(np.array([[1.0], [3.0]]), training=True)
        >>> np.round(y.numpy().ravel(), 4).tolist(), layer.moving_mean.numpy().tolist()
        ([-0.9995, 0.9995], [1.0])
    """

    def __init__(self, axis: int = -1, momentum: float = 0.99, epsilon: float = 1e-3,
                 center: bool = True, scale: bool = True, beta_initializer: Any = "zeros",
                 gamma_initializer: Any = "ones", moving_mean_initializer: Any = "zeros",
                 moving_variance_initializer: Any = "ones", beta_regularizer: Any = None,
                 gamma_regularizer: Any = None, beta_constraint: Any = None,
                 gamma_constraint: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(axis, bool) or not isinstance(axis, int):
            raise ValueError(f"BatchNormalization expects axis to be an integer. "
                             f"Received: axis={axis!r}")
        if isinstance(momentum, bool) or not isinstance(momentum, int | float) or not 0 <= momentum <= 1:
            raise ValueError(f"BatchNormalization expects momentum in [0, 1]. "
                             f"Received: momentum={momentum!r}")
        self.axis, self.momentum = axis, float(momentum)
        self._set_affine("BatchNormalization", epsilon, center, scale, beta_initializer,
                         gamma_initializer, beta_regularizer, gamma_regularizer, beta_constraint,
                         gamma_constraint)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)

    def _check_rank(self, shape):
        _normalized_axes(self, (self.axis,), shape)

    def build(self, input_shape):
        rank = len(input_shape)
        (axis,) = _normalized_axes(self, (self.axis,), input_shape)
        self._reduction_axes = tuple(i for i in range(rank) if i != axis)
        self._stat_shape = _broadcast_shape(rank, (axis,), input_shape)
        shape = (input_shape[axis],)
        self._add_gamma_and_beta(shape)
        self.moving_mean = self.add_weight("moving_mean", shape, self.moving_mean_initializer,
                                           trainable=False)
        self.moving_variance = self.add_weight("moving_variance", shape,
                                               self.moving_variance_initializer, trainable=False)
        super().build(input_shape)

    def call(self, inputs: Tensor, training: bool = False) -> Tensor:
        if training and self.trainable:
            moments: list = []  # the batch's mean and variance, as the op computed them
            gamma, beta = (None if w is None else F.reshape(w, self._stat_shape)
                           for w in (self.gamma, self.beta))
            outputs = F.batch_normalize(inputs, self._reduction_axes, self.epsilon, gamma, beta,
                                        moments=moments)
            mean, variance = moments
            self._update_moving(self.moving_mean, mean.reshape(self.moving_mean.shape))
            self._update_moving(self.moving_variance, variance.reshape(self.moving_variance.shape))
            return outputs
        # the statistics are constants: y = (x - moving_mean) * s, s = 1/sqrt(var + eps)
        mean = self.moving_mean.data.reshape(self._stat_shape)
        scale = 1.0 / xp.sqrt(self.moving_variance.data.reshape(self._stat_shape) + self.epsilon)
        outputs = (inputs - Tensor(mean)) * Tensor(scale)
        if self.gamma is not None:
            outputs = outputs * F.reshape(self.gamma, self._stat_shape)
        if self.beta is not None:
            outputs = outputs + F.reshape(self.beta, self._stat_shape)
        return outputs

    def _update_moving(self, variable, batch_value) -> None:
        """``variable <- variable * momentum + batch_value * (1 - momentum)``, in place."""
        batch_value = xp.asarray(batch_value, dtype=variable.dtype).reshape(variable.shape)
        variable.assign(variable.data * self.momentum + batch_value * (1.0 - self.momentum))

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "momentum": self.momentum,
                "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
                "moving_variance_initializer":
                    initializers.serialize(self.moving_variance_initializer)}


class LayerNormalization(_AffineNormalization):
    """Normalizes each sample over ``axis``, then scales and shifts it (Ba et al., 2016).

    With ``mu``, ``var`` the mean and (biased) variance of one sample over the axes in ``axis``:

        y = gamma * (x - mu) / sqrt(var + epsilon) + beta

    ``gamma`` and ``beta`` have one entry per position of the normalized axes. The statistics are
    per sample, so training and inference compute the same thing. Gradient (``x_hat`` the
    normalized input, means over the normalized axes, ``g = dL/dy``, ``h = g * gamma``):
    ``dL/dx = (h - mean(h) - x_hat * mean(h x_hat)) / sqrt(var + epsilon)``,
    ``dL/dgamma = sum over the other axes of g x_hat``, ``dL/dbeta = sum over them of g``
    (the fused ``Normalize`` primitive, then the chain rule through ``gamma``).

    Args:
        axis: an int or a list/tuple of ints: the axes normalized over (not the batch axis).
        epsilon: added to the variance (Keras's default 1e-3).
        center: whether to add ``beta``. scale: whether to multiply by ``gamma``.
        beta_initializer, gamma_initializer: zeros and ones by default.
        beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint: as for Dense.

    Weights: ``gamma``, ``beta``, each of shape ``tuple(input_shape[a] for a in sorted(axis))``.

    Input shape: any. Output shape: the input's.

    Example:
        >>> import axon, numpy as np
        >>> y = axon.layers.LayerNormalization(epsilon=0.0)(np.array([[1.0, 3.0]]))
        >>> y.numpy().tolist()
        [[-1.0, 1.0]]
    """

    def __init__(self, axis: Any = -1, epsilon: float = 1e-3, center: bool = True,
                 scale: bool = True, beta_initializer: Any = "zeros", gamma_initializer: Any = "ones",
                 beta_regularizer: Any = None, gamma_regularizer: Any = None,
                 beta_constraint: Any = None, gamma_constraint: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = _axis_argument(axis, "LayerNormalization", ValueError)
        self._set_affine("LayerNormalization", epsilon, center, scale, beta_initializer,
                         gamma_initializer, beta_regularizer, gamma_regularizer, beta_constraint,
                         gamma_constraint)

    def _axes(self) -> tuple:
        return (self.axis,) if isinstance(self.axis, int) else tuple(self.axis)

    def _check_rank(self, shape):
        _normalized_axes(self, self._axes(), shape)

    def build(self, input_shape):
        self._norm_axes = _normalized_axes(self, self._axes(), input_shape)
        self._param_shape = _broadcast_shape(len(input_shape), self._norm_axes, input_shape)
        shape = tuple(input_shape[a] for a in self._norm_axes)
        self._add_gamma_and_beta(shape)
        super().build(input_shape)

    def call(self, inputs: Tensor, training: bool = False) -> Tensor:
        outputs = F.standardize(inputs, self._norm_axes, self.epsilon)
        return self._scale_and_shift(outputs)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


class GroupNormalization(_AffineNormalization):
    """Normalizes each sample over groups of channels, then scales and shifts (Wu & He, 2018).

    The ``C`` channels on ``axis`` are split into ``G = groups`` consecutive groups of ``C / G``.
    With ``mu``, ``var`` the mean and (biased) variance of one sample over one group's channels
    and every other non-batch axis (the spatial ones):

        y = gamma * (x - mu) / sqrt(var + epsilon) + beta

    ``gamma`` and ``beta`` have one entry per channel. ``groups=1`` is layer normalization over
    all non-batch axes; ``groups=-1`` (``G = C``) is instance normalization. The statistics are
    per sample, so training and inference compute the same thing. Gradient (``x_hat`` the
    normalized input, means over one group of one sample, ``g = dL/dy``, ``h = g * gamma``):
    ``dL/dx = (h - mean(h) - x_hat * mean(h x_hat)) / sqrt(var + epsilon)``,
    ``dL/dgamma = sum over the non-channel axes of g x_hat``, ``dL/dbeta = sum of g`` (the
    fused ``Normalize`` primitive on the input reshaped to ``(..., G, C / G, ...)``).

    Args:
        groups: ``G``, a positive divisor of the channel count, or -1 for one group per channel.
        axis: the channels axis (not the batch axis); -1 for channels last.
        epsilon: added to the variance (Keras's default 1e-3).
        center: whether to add ``beta``. scale: whether to multiply by ``gamma``.
        beta_initializer, gamma_initializer: zeros and ones by default.
        beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint: as for Dense.

    Weights (Keras's order): ``gamma``, ``beta``, each of shape ``(C,)``.

    Input shape: any, rank >= 2, with a fixed channel count. Output shape: the input's.

    Example:
        >>> import axon, numpy as np
        >>> layer = axon.layers.GroupNormalization(groups=2, epsilon=0.0)
        >>> layer(np.array([[1.0, 3.0, 0.0, 4.0]])).numpy().tolist()
        [[-1.0, 1.0, -1.0, 1.0]]
    """

    def __init__(self, groups: int = 32, axis: int = -1, epsilon: float = 1e-3, center: bool = True,
                 scale: bool = True, beta_initializer: Any = "zeros", gamma_initializer: Any = "ones",
                 beta_regularizer: Any = None, gamma_regularizer: Any = None,
                 beta_constraint: Any = None, gamma_constraint: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        owner = "GroupNormalization"
        if isinstance(groups, bool) or not isinstance(groups, int) or (groups <= 0 and groups != -1):
            raise ValueError(f"{owner} expects groups to be a positive integer (or -1 for one "
                             f"group per channel). Received: groups={groups!r}")
        if isinstance(axis, bool) or not isinstance(axis, int):
            raise ValueError(f"{owner} expects axis to be an integer. Received: axis={axis!r}")
        self.groups, self.axis = groups, axis
        self._set_affine(owner, epsilon, center, scale, beta_initializer, gamma_initializer,
                         beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint)

    def _check_rank(self, shape):
        (axis,) = _normalized_axes(self, (self.axis,), shape)
        channels = shape[axis]
        groups = channels if self.groups == -1 else self.groups
        if groups > channels or channels % groups:
            raise ValueError(f"Layer '{self.name}' (GroupNormalization) needs groups to divide the "
                             f"{channels} channels on axis {self.axis} (at most one group per "
                             f"channel). Received: groups={self.groups}, shape={tuple(shape)}")

    def build(self, input_shape):
        self._check_rank(input_shape)
        (self._channel_axis,) = _normalized_axes(self, (self.axis,), input_shape)
        channels = input_shape[self._channel_axis]
        self._group_count = channels if self.groups == -1 else self.groups
        self._param_shape = _broadcast_shape(len(input_shape), (self._channel_axis,), input_shape)
        self._add_gamma_and_beta((channels,))
        super().build(input_shape)

    def call(self, inputs: Tensor, training: bool = False) -> Tensor:
        shape, axis, groups = tuple(inputs.shape), self._channel_axis, self._group_count
        # channels C -> (G, C / G); the statistics run over every axis but the batch and G
        grouped_shape = shape[:axis] + (groups, shape[axis] // groups) + shape[axis + 1:]
        reduced = tuple(i for i in range(1, len(grouped_shape)) if i != axis)
        outputs = F.reshape(F.standardize(F.reshape(inputs, grouped_shape), reduced, self.epsilon),
                            shape)
        return self._scale_and_shift(outputs)

    def get_config(self):
        return {**super().get_config(), "groups": self.groups, "axis": self.axis}


#: Keras's ``ops.normalize`` epsilon: the inverse norm is capped at ``1 / UNIT_EPSILON``.
UNIT_EPSILON = 1e-12


class UnitNormalization(Layer):
    """Scales each sample to unit L2 norm over ``axis``, as ``keras.layers.UnitNormalization``.

    With ``s = sum over axis of x**2`` and ``eps = 1e-12`` (Keras's ``ops.normalize``):

        y = x * min(1 / sqrt(s), 1 / eps) = x / sqrt(max(s, eps**2))

    (written with ``max`` inside, so an all-zero vector gives zeros and a finite gradient).
    Gradient (``g = dL/dy``, sums over ``axis``): where ``s > eps**2``,
    ``dL/dx = (g - y * sum(g y)) / sqrt(s)``; elsewhere ``dL/dx = g / eps``.

    Args:
        axis: an int or a list/tuple of ints: the axes whose norm becomes 1.

    No weights. Input shape: any. Output shape: the input's.

    Example:
        >>> import axon, numpy as np
        >>> axon.layers.UnitNormalization()(np.array([[3.0, 4.0]])).numpy().tolist()
        [[0.6, 0.8]]
    """

    supports_masking = True

    def __init__(self, axis: Any = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = _axis_argument(axis, "UnitNormalization", TypeError)  # as Keras

    def _axes(self, rank: int) -> tuple:
        axes = (self.axis,) if isinstance(self.axis, int) else tuple(self.axis)
        for axis in axes:
            if not -rank <= axis < rank:
                raise ValueError(f"Layer '{self.name}' (UnitNormalization): axis {axis} is out "
                                 f"of range for an input of rank {rank}. Received: axis={self.axis}")
        normalized = tuple(sorted({a % rank for a in axes}))
        if len(normalized) != len(axes):
            raise ValueError(f"Layer '{self.name}' (UnitNormalization) got a repeated axis. "
                             f"Received: axis={self.axis}")
        return normalized

    def _check_rank(self, shape):
        _args.single_input(self, shape)
        self._axes(len(shape))

    def check_input_shape(self, shape):
        """No weights tie the layer to one shape (Keras builds it at construction): any input
        whose rank has the axes will do."""
        self._check_rank(shape)

    def call(self, inputs: Tensor, training: bool = False) -> Tensor:
        squares = F.sum(inputs * inputs, axis=self._axes(inputs.ndim), keepdims=True)
        return inputs / F.sqrt(F.maximum(squares, UNIT_EPSILON ** 2))

    def compute_output_shape(self, input_shape):
        self._axes(len(input_shape))
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}
