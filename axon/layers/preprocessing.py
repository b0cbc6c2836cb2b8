"""Preprocessing layers: Rescaling and Normalization (fixed affine maps of the input).

Both are composites of differentiable ops, so a gradient flows through them to the input.
The random image augmentation layers live in :mod:`axon.layers.augmentation`.
"""
from __future__ import annotations

import numbers
from typing import Any

from axon import backend
from axon.backend import xp
from axon.engine import Tensor
from axon.layers import _args
from axon.layers.base import Layer

__all__ = ["Rescaling", "Normalization"]


def _number_or_array(value: Any, argument: str, owner: str) -> Any:
    if isinstance(value, bool) or not isinstance(value, numbers.Number | list | tuple) and \
            not backend.is_array(value):
        raise ValueError(f"{owner} expects {argument} to be a number or an array of numbers. "
                         f"Received: {argument}={value!r}")
    array = xp.asarray(value)
    if array.dtype.kind not in "fiu" or not xp.all(xp.isfinite(array)):
        raise ValueError(f"{owner} expects {argument} to hold finite numbers. "
                         f"Received: {argument}={value!r}")
    return value if isinstance(value, numbers.Number) else array.tolist()


class Rescaling(Layer):
    """Rescales the input: ``y = x * scale + offset``; ``dL/dx = g * scale``.

    E.g. ``Rescaling(1/255)`` maps pixels in ``[0, 255]`` to ``[0, 1]``, and
    ``Rescaling(1/127.5, offset=-1)`` to ``[-1, 1]``. ``scale`` and ``offset`` may be arrays that
    broadcast against the input (one value per channel). Integer inputs are converted to the
    layer's float type first.

    Args:
        scale: the multiplier (a number or an array).
        offset: added after scaling (a number or an array, default 0).

    Input shape: any. Output shape: the input's.

    Example:
        >>> import numpy as np
        >>> from axon.layers.preprocessing import Rescaling
        >>> Rescaling(1 / 255)(np.array([[0, 255]])).numpy().tolist()
        [[0.0, 1.0]]
    """

    supports_masking = True

    def __init__(self, scale: Any, offset: Any = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scale = _number_or_array(scale, "scale", "Rescaling")
        self.offset = _number_or_array(offset, "offset", "Rescaling")

    def _check_rank(self, shape):
        _args.single_input(self, shape)
        self._check_broadcast(shape)

    def check_input_shape(self, shape):
        """Any shape that ``scale`` and ``offset`` broadcast to is accepted."""
        _args.single_input(self, shape)
        self._check_broadcast(shape)

    def _check_broadcast(self, shape: Any) -> None:
        """``scale`` and ``offset`` must broadcast to ``shape`` (``None``: any size)."""
        for argument in ("scale", "offset"):
            own = tuple(xp.asarray(getattr(self, argument)).shape)
            if len(own) > len(shape) or any(
                    n != 1 and m is not None and n != m for n, m in zip(own[::-1], shape[::-1])):
                raise ValueError(f"Layer '{self.name}' (Rescaling) expects {argument} to "
                                 f"broadcast to the input's shape. Received: {argument} of shape "
                                 f"{own} for inputs of shape {tuple(shape)}")

    def call(self, inputs: Tensor, training: bool = False) -> Tensor:
        dtype = inputs.dtype
        scale = Tensor(xp.asarray(self.scale, dtype=dtype))
        offset = Tensor(xp.asarray(self.offset, dtype=dtype))
        return inputs * scale + offset

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "offset": self.offset}


class Normalization(Layer):
    """Standardizes features with a fixed mean and variance: ``y = (x - mean) / s``, with
    ``s = max(sqrt(variance), epsilon)`` (``epsilon = 1e-7``, as Keras; it keeps a constant feature
    finite). With ``invert=True`` it undoes that: ``y = mean + x * s``.

    ``dL/dx = g / s`` (``g * s`` inverted); ``mean`` and ``variance`` are not trained.

    The statistics are either given (``mean=``, ``variance=``) or computed from data with
    :meth:`adapt`, which stores, as Keras 3, three non-trainable weights: ``mean`` and
    ``variance`` (the population variance, divide-by-n) of shape ``(input_shape[a] for a in
    axis)``, and ``count`` (a scalar, always 0, that Keras keeps for old saved models; Keras
    stores it as int32, here it has the layer's float type, as every axon weight does).

    Args:
        axis: the axis or axes that keep their own statistics (default -1: one mean per feature);
            the statistics are pooled over every other axis. ``None``: one scalar mean and
            variance for all entries.
        mean, variance: given statistics (both or neither), numbers or arrays that broadcast
            against the kept axes; then there are no weights and no ``adapt``.
        invert: apply the inverse map (to turn normalized predictions back into data units).

    Input shape: any, rank >= 2 when ``axis`` is not None. Output shape: the input's.

    Example:
        >>> import numpy as np
        >>> from axon.layers.preprocessing import Normalization
        >>> layer = Normalization()
        >>> layer.adapt(np.array([[0.0, 10.0], [2.0, 30.0]]))
        >>> layer(np.array([[2.0, 30.0]])).numpy().round(4).tolist()
        [[1.0, 1.0]]
    """

    supports_masking = True

    def __init__(self, axis: Any = -1, mean: Any = None, variance: Any = None,
                 invert: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if axis is None:
            self.axis: tuple | None = None
        elif isinstance(axis, int) and not isinstance(axis, bool):
            self.axis = (axis,)
        elif isinstance(axis, list | tuple) and all(
                isinstance(a, int) and not isinstance(a, bool) for a in axis):
            self.axis = tuple(axis)
        else:
            raise ValueError("Normalization expects axis to be an int, a tuple of ints or None. "
                             f"Received: axis={axis!r}")
        if (mean is None) != (variance is None):
            raise ValueError("Normalization expects both mean and variance, or neither. "
                             f"Received: mean={mean!r}, variance={variance!r}")
        self.input_mean = None if mean is None else _number_or_array(mean, "mean", "Normalization")
        self.input_variance = None if variance is None else _number_or_array(
            variance, "variance", "Normalization")
        if self.input_variance is not None and xp.any(xp.asarray(self.input_variance) < 0):
            raise ValueError("Normalization expects a non-negative variance. "
                             f"Received: variance={variance!r}")
        if not isinstance(invert, bool):
            raise ValueError(f"Normalization expects invert to be a bool. Received: invert={invert!r}")
        self.invert = invert
        self._keep: tuple = ()
        self._broadcast: tuple = ()

    def _check_rank(self, shape):
        _args.single_input(self, shape)
        self._kept_axes(shape)

    def check_input_shape(self, shape):
        """The rank and the kept axes must stay as built; the other axes may change."""
        _args.single_input(self, shape)
        expected = self._build_input_shape
        if len(shape) != len(expected) or any(shape[a] != expected[a] for a in self._keep):
            raise ValueError(f"Layer '{self.name}' (Normalization) was built for inputs of shape "
                             f"{tuple(expected)} (statistics along axes {self._keep}). "
                             f"Received: shape={tuple(shape)}")

    def _kept_axes(self, shape: Any) -> tuple:
        rank = len(shape)
        if self.axis is None:
            return ()
        if rank < 2:
            raise ValueError(f"Layer '{self.name}' (Normalization) expects inputs with a batch "
                             f"axis and feature axes (rank >= 2). Received: shape={tuple(shape)}")
        for a in self.axis:
            if not -rank <= a < rank:
                raise ValueError(f"Layer '{self.name}' (Normalization): axis {a} is out of range "
                                 f"for inputs of shape {tuple(shape)}. Received: axis={self.axis}")
        keep = tuple(sorted({a % rank for a in self.axis}))
        if 0 in keep or any(shape[a] is None for a in keep):
            raise ValueError(f"Layer '{self.name}' (Normalization) needs the kept axes to have "
                             f"fixed sizes and not to be the batch axis 0. Received: "
                             f"axis={self.axis}, shape={tuple(shape)}")
        return keep

    def build(self, input_shape):
        self._keep = self._kept_axes(input_shape)
        stats_shape = tuple(input_shape[a] for a in self._keep)
        self._broadcast = tuple(input_shape[i] if i in self._keep else 1
                                for i in range(len(input_shape)))
        if self.input_mean is None:
            self.mean = self.add_weight("mean", stats_shape, "zeros", trainable=False)
            self.variance = self.add_weight("variance", stats_shape, "ones", trainable=False)
            self.count = self.add_weight("count", (), "zeros", trainable=False)
        else:
            self.mean = self._given(self.input_mean, "mean", stats_shape)
            self.variance = self._given(self.input_variance, "variance", stats_shape)
        self.built = True

    def _given(self, value: Any, argument: str, stats_shape: tuple) -> Any:
        array = xp.asarray(value, dtype=self.dtype)
        try:
            return xp.broadcast_to(array, stats_shape).copy()
        except ValueError:
            raise ValueError(f"Layer '{self.name}' (Normalization): {argument} of shape "
                             f"{array.shape} does not broadcast to the statistics' shape "
                             f"{stats_shape} (axes {self._keep}).") from None

    def adapt(self, data: Any) -> None:
        """Compute ``mean`` and population ``variance`` of ``data`` (a batch of samples) over
        every axis but ``axis``, and store them in the layer's weights."""
        if self.input_mean is not None:
            raise ValueError(f"Layer '{self.name}' (Normalization) was given mean and variance; "
                             "it cannot adapt. Create it without them to use adapt().")
        values = xp.asarray(data.data if isinstance(data, Tensor) else data)
        if values.dtype.kind not in "fiub" or values.ndim == 0 or values.shape[0] == 0:
            raise ValueError(f"Layer '{self.name}' (Normalization) adapts to a non-empty numeric "
                             f"array with a batch axis. Received: shape={values.shape}, "
                             f"dtype={values.dtype}")
        shape = (None,) + tuple(values.shape[1:])
        self._build_or_check(shape, values.shape)
        reduce = tuple(i for i in range(values.ndim) if i not in self._keep)
        values = values.astype("float64")
        # 0-d results become arrays: a NumPy scalar would be taken for a Python float by assign
        self.mean.assign(xp.asarray(xp.mean(values, axis=reduce), dtype=self.dtype))
        self.variance.assign(xp.asarray(xp.var(values, axis=reduce), dtype=self.dtype))

    def call(self, inputs: Tensor, training: bool = False) -> Tensor:
        mean, variance = (_data(self.mean), _data(self.variance))
        mean = xp.reshape(mean, self._broadcast).astype(inputs.dtype)
        spread = xp.maximum(xp.sqrt(xp.reshape(variance, self._broadcast)), backend.epsilon())
        spread = spread.astype(inputs.dtype)
        if self.invert:
            return inputs * Tensor(spread) + Tensor(mean)
        return (inputs - Tensor(mean)) * Tensor(1.0 / spread)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        axis = None if self.axis is None else tuple(self.axis)
        return {**super().get_config(), "axis": axis, "invert": self.invert,
                "mean": self.input_mean, "variance": self.input_variance}


def _data(value: Any) -> Any:
    return value.data if isinstance(value, Tensor) else value
