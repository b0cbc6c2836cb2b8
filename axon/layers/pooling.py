"""Pooling layers: the maximum or mean of each window (MaxPooling1D/2D/3D,
AveragePooling1D/2D/3D) or of the whole spatial extent (GlobalMaxPooling1D/2D/3D,
GlobalAveragePooling1D/2D/3D).

None has weights. The spatial size may change from call to call (only the rank is checked).
"""
from __future__ import annotations

from typing import Any

from axon.backend import xp
from axon.engine import functional as F
from axon.engine.ops.pooling import pool_output_length
from axon.layers import _spatial_args as spatial_args
from axon.layers.base import Layer

__all__ = ["MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "AveragePooling1D", "AveragePooling2D",
           "AveragePooling3D", "GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalMaxPooling3D",
           "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D"]


class _Pooling(Layer):
    """Shared by the windowed pooling layers: ``_spatial`` axes, ``_pool`` the functional op."""

    _spatial = 2
    _pool = staticmethod(F.max_pool)

    def __init__(self, pool_size: Any, strides: Any = None, padding: str = "valid",
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        owner, n = type(self).__name__, self._spatial
        self.pool_size = spatial_args.int_tuple(pool_size, n, "pool_size", owner)
        self.strides = spatial_args.int_tuple(pool_size if strides is None else strides, n,
                                              "strides", owner)
        if not isinstance(padding, str) or padding.lower() not in ("valid", "same"):
            raise ValueError(f"{owner} expects padding to be 'valid' or 'same'. "
                             f"Received: padding={padding!r}")
        self.padding = padding.lower()
        self.data_format = spatial_args.data_format(data_format, owner)

    def _check_rank(self, shape):
        spatial_args.check_rank(self, shape, self._spatial, self.data_format)
        axes = spatial_args.spatial_axes(self._spatial, self.data_format)
        lengths = tuple(shape[a] for a in axes)
        if self.padding == "valid" and any(
                n is not None and k > n for n, k in zip(lengths, self.pool_size)):
            raise ValueError(
                f"Layer '{self.name}' ({type(self).__name__}): pool_size={self.pool_size} is "
                f"larger than the input's spatial size {lengths} with padding='valid'. "
                f"Received: shape={tuple(shape)}")

    def check_input_shape(self, shape):
        """Any spatial size and channel count is accepted (no weights); the rank is checked."""
        self._check_rank(shape)

    def call(self, inputs, training=False):
        return type(self)._pool(inputs, self.pool_size, self.strides, self.padding,
                                self.data_format)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        axes = spatial_args.spatial_axes(self._spatial, self.data_format)
        for axis, k, s in zip(axes, self.pool_size, self.strides):
            shape[axis] = pool_output_length(shape[axis], k, s, self.padding)
        return tuple(shape)

    def get_config(self):
        return {**super().get_config(), "pool_size": self.pool_size, "strides": self.strides,
                "padding": self.padding, "data_format": self.data_format}


class MaxPooling1D(_Pooling):
    """Max pooling over time: ``y[b, t, c] = max_{0 <= d < k} x_pad[b, t*s + d, c]``.

    ``padding='same'`` pads with ``-inf`` as Keras does (``before = total // 2``, the odd entry
    after), so ``ceil(steps / s)`` outputs. Gradient: ``g`` to each window's first maximum
    (ties: the earliest entry), accumulated over overlapping windows.

    Args:
        pool_size: window length ``k`` (int, default 2).
        strides: step ``s`` (int; default ``None``: ``pool_size``).
        padding: ``'valid'`` (no padding, ``(steps - k) // s + 1`` outputs) or ``'same'``.
        data_format: ``'channels_last'`` (default) or ``'channels_first'``.

    Input shape: ``(batch, steps, features)`` (channels_first: ``(batch, features, steps)``).
    Output shape: the same with ``steps`` replaced by the number of outputs.

    Example:
        >>> import numpy as np
        >>> from axon.layers.pooling import MaxPooling1D
        >>> MaxPooling1D()(np.array([[[1.0], [3.0], [2.0], [0.0]]])).numpy()[..., 0].tolist()
        [[3.0, 2.0]]
    """

    _spatial = 1

    def __init__(self, pool_size: Any = 2, strides: Any = None, padding: str = "valid",
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class MaxPooling2D(_Pooling):
    """Max pooling over height and width:
    ``y[b, i, j, c] = max_{0 <= p < kh, 0 <= q < kw} x_pad[b, i*sh + p, j*sw + q, c]``.

    ``padding='same'`` pads with ``-inf`` as Keras does (per axis ``total = max((out - 1)*s +
    k - n, 0)``, ``before = total // 2``). Gradient: ``g[b, i, j, c]`` to the window's argmax
    only; ties go to the first maximum in row-major window order; overlapping windows
    (``strides < pool_size``) accumulate.

    Args:
        pool_size: ``(kh, kw)`` or one int for both (default ``(2, 2)``).
        strides: ``(sh, sw)`` or one int (default ``None``: ``pool_size``).
        padding: ``'valid'`` or ``'same'`` (case-insensitive).
        data_format: ``'channels_last'`` (default) or ``'channels_first'``.

    Input shape: ``(batch, height, width, channels)`` (channels_first:
    ``(batch, channels, height, width)``). Output shape: the same with ``height, width`` pooled.

    Example:
        >>> import numpy as np
        >>> from axon.layers.pooling import MaxPooling2D
        >>> MaxPooling2D(2)(np.arange(16.0).reshape(1, 4, 4, 1)).numpy()[0, ..., 0].tolist()
        [[5.0, 7.0], [13.0, 15.0]]
    """

    _spatial = 2

    def __init__(self, pool_size: Any = (2, 2), strides: Any = None, padding: str = "valid",
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class MaxPooling3D(_Pooling):
    """Max pooling over depth, height and width:
    ``y[b, i, j, l, c] = max_{p < kd, q < kh, r < kw} x_pad[b, i*sd + p, j*sh + q, l*sw + r, c]``.

    ``padding='same'`` pads with ``-inf`` as Keras does (per axis ``total = max((out - 1)*s +
    k - n, 0)``, ``before = total // 2``). Gradient: ``g[b, i, j, l, c]`` to the window's argmax
    only; ties go to the first maximum in row-major window order; overlapping windows
    accumulate.

    Args:
        pool_size: ``(kd, kh, kw)`` or one int for all three (default ``(2, 2, 2)``).
        strides: ``(sd, sh, sw)`` or one int (default ``None``: ``pool_size``).
        padding: ``'valid'`` or ``'same'`` (case-insensitive).
        data_format: ``'channels_last'`` (default) or ``'channels_first'``.

    Input shape: ``(batch, depth, height, width, channels)`` (channels_first:
    ``(batch, channels, depth, height, width)``). Output shape: the same with the three spatial
    axes pooled.

    Example:
        >>> import numpy as np
        >>> from axon.layers.pooling import MaxPooling3D
        >>> MaxPooling3D(2)(np.arange(8.0).reshape(1, 2, 2, 2, 1)).numpy().ravel().tolist()
        [7.0]
    """

    _spatial = 3

    def __init__(self, pool_size: Any = (2, 2, 2), strides: Any = None, padding: str = "valid",
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class AveragePooling1D(_Pooling):
    """Average pooling over time: ``y[b, t, c] = (1 / n_t) sum_{0 <= d < k} x_pad[b, t*s + d, c]``.

    ``n_t`` counts the real (unpadded) entries of window ``t``: ``k`` with ``'valid'``, fewer at
    the borders with ``'same'`` (Keras's rule: zero padding is not averaged in).
    Gradient: ``g[b, t, c] / n_t`` to every entry of window ``t``.

    Args:
        pool_size, strides, padding, data_format: as for :class:`MaxPooling1D`.

    Input shape: ``(batch, steps, features)``. Output shape: ``(batch, pooled_steps, features)``.

    Example:
        >>> import numpy as np
        >>> from axon.layers.pooling import AveragePooling1D
        >>> x = np.array([[[1.0], [3.0], [5.0]]])
        >>> AveragePooling1D(2, padding="same")(x).numpy()[..., 0].tolist()
        [[2.0, 5.0]]
    """

    _spatial = 1
    _pool = staticmethod(F.avg_pool)

    def __init__(self, pool_size: Any = 2, strides: Any = None, padding: str = "valid",
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class AveragePooling2D(_Pooling):
    """Average pooling over height and width:
    ``y[b, i, j, c] = (1 / n_ij) sum_{p < kh, q < kw} x_pad[b, i*sh + p, j*sw + q, c]``.

    ``n_ij`` is the number of real (unpadded) entries in the window: ``kh * kw`` with
    ``'valid'``; with ``'same'`` the border windows divide by fewer, as Keras does.
    Gradient: ``g[b, i, j, c] / n_ij`` to every entry of the window (accumulated where windows
    overlap).

    Args:
        pool_size, strides, padding, data_format: as for :class:`MaxPooling2D`.

    Input shape: ``(batch, height, width, channels)`` (or channels_first).
    Output shape: the same with ``height, width`` pooled.

    Example:
        >>> import numpy as np
        >>> from axon.layers.pooling import AveragePooling2D
        >>> AveragePooling2D(2)(np.arange(16.0).reshape(1, 4, 4, 1)).numpy()[0, ..., 0].tolist()
        [[2.5, 4.5], [10.5, 12.5]]
    """

    _spatial = 2
    _pool = staticmethod(F.avg_pool)

    def __init__(self, pool_size: Any = (2, 2), strides: Any = None, padding: str = "valid",
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class AveragePooling3D(_Pooling):
    """Average pooling over depth, height and width:
    ``y[b, i, j, l, c] = (1 / n_ijl) sum_{p < kd, q < kh, r < kw}
    x_pad[b, i*sd + p, j*sh + q, l*sw + r, c]``.

    ``n_ijl`` is the number of real (unpadded) entries in the window: ``kd * kh * kw`` with
    ``'valid'``; with ``'same'`` the border windows divide by fewer, as Keras does.
    Gradient: ``g[b, i, j, l, c] / n_ijl`` to every entry of the window (accumulated where
    windows overlap).

    Args:
        pool_size, strides, padding, data_format: as for :class:`MaxPooling3D`.

    Input shape: ``(batch, depth, height, width, channels)`` (or channels_first).
    Output shape: the same with the three spatial axes pooled.

    Example:
        >>> import numpy as np
        >>> from axon.layers.pooling import AveragePooling3D
        >>> AveragePooling3D(2)(np.arange(8.0).reshape(1, 2, 2, 2, 1)).numpy().ravel().tolist()
        [3.5]
    """

    _spatial = 3
    _pool = staticmethod(F.avg_pool)

    def __init__(self, pool_size: Any = (2, 2, 2), strides: Any = None, padding: str = "valid",
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class _GlobalPooling(Layer):
    """Shared by the global pooling layers: reduce every spatial axis."""

    _spatial = 2

    def __init__(self, data_format: str | None = None, keepdims: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.data_format = spatial_args.data_format(data_format, type(self).__name__)
        self.keepdims = bool(keepdims)

    @property
    def _axes(self):
        return spatial_args.spatial_axes(self._spatial, self.data_format)

    def _check_rank(self, shape):
        spatial_args.check_rank(self, shape, self._spatial, self.data_format)

    def check_input_shape(self, shape):
        """Any spatial size and channel count is accepted (no weights); the rank is checked."""
        self._check_rank(shape)

    def compute_output_shape(self, input_shape):
        axes = self._axes
        if self.keepdims:
            return tuple(1 if i in axes else n for i, n in enumerate(input_shape))
        return tuple(n for i, n in enumerate(input_shape) if i not in axes)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format, "keepdims": self.keepdims}


class GlobalMaxPooling1D(_GlobalPooling):
    """The maximum over time: ``y[b, c] = max_t x[b, t, c]``; gradient ``g`` to the maximum
    (shared equally at ties, as :func:`axon.engine.functional.max`).

    Args:
        data_format: ``'channels_last'`` (default) or ``'channels_first'``.
        keepdims: keep the time axis with size 1.

    Input shape: ``(batch, steps, features)``. Output shape: ``(batch, features)``
    (``(batch, 1, features)`` with ``keepdims``).

    Example:
        >>> import numpy as np
        >>> from axon.layers.pooling import GlobalMaxPooling1D
        >>> GlobalMaxPooling1D()(np.array([[[1.0, 5.0], [3.0, 2.0]]])).numpy().tolist()
        [[3.0, 5.0]]
    """

    _spatial = 1

    def call(self, inputs, training=False):
        return F.max(inputs, axis=self._axes, keepdims=self.keepdims)


class GlobalMaxPooling2D(_GlobalPooling):
    """The maximum over height and width: ``y[b, c] = max_{i, j} x[b, i, j, c]``; gradient ``g``
    to the maximum (shared equally at ties).

    Args:
        data_format: ``'channels_last'`` (default) or ``'channels_first'``.
        keepdims: keep the spatial axes with size 1.

    Input shape: ``(batch, height, width, channels)``. Output shape: ``(batch, channels)``
    (``(batch, 1, 1, channels)`` with ``keepdims``).

    Example:
        >>> import numpy as np
        >>> from axon.layers.pooling import GlobalMaxPooling2D
        >>> GlobalMaxPooling2D()(np.arange(8.0).reshape(1, 2, 2, 2)).numpy().tolist()
        [[6.0, 7.0]]
    """

    def call(self, inputs, training=False):
        return F.max(inputs, axis=self._axes, keepdims=self.keepdims)


class GlobalAveragePooling1D(_GlobalPooling):
    """The mean over time: ``y[b, c] = (1 / T) sum_t x[b, t, c]``; gradient ``g / T``.

    With a mask ``m`` (``True`` = real step), as in Keras: ``y[b, c] = sum_t m[b, t] x[b, t, c]
    / sum_t m[b, t]`` (masked steps are excluded, even if they hold NaN); gradient
    ``g m[b, t] / sum_t m[b, t]``. A sample whose steps are all masked gives NaN, as in Keras.
    The output carries no mask.

    Args:
        data_format: ``'channels_last'`` (default) or ``'channels_first'``.
        keepdims: keep the time axis with size 1.

    Input shape: ``(batch, steps, features)``. Output shape: ``(batch, features)``.

    Example:
        >>> import numpy as np
        >>> from axon.layers.pooling import GlobalAveragePooling1D
        >>> x, mask = np.array([[[1.0], [3.0], [8.0]]]), np.array([[True, True, False]])
        >>> GlobalAveragePooling1D()(x, mask=mask).numpy().tolist()
        [[2.0]]
    """

    _spatial = 1

    def call(self, inputs, training=False, mask=None):
        if mask is None:
            return F.mean(inputs, axis=self._axes, keepdims=self.keepdims)
        mask = xp.asarray(getattr(mask, "data", mask), dtype=bool)
        time_axis = self._axes[0]
        expected = (inputs.shape[0], inputs.shape[time_axis])
        if mask.shape != expected:
            raise ValueError(f"Layer '{self.name}' ({type(self).__name__}) expects a mask of shape "
                             f"(batch, steps) = {expected}. Received: mask.shape={mask.shape} "
                             f"for inputs of shape {tuple(inputs.shape)}")
        mask = mask[:, :, None] if self.data_format == "channels_last" else mask[:, None, :]
        weights = mask.astype(inputs.dtype)
        total = F.sum(F.where(mask, inputs, 0.0), axis=self._axes, keepdims=self.keepdims)
        return total / weights.sum(axis=self._axes, keepdims=self.keepdims)


class GlobalAveragePooling2D(_GlobalPooling):
    """The mean over height and width: ``y[b, c] = (1 / (H W)) sum_{i, j} x[b, i, j, c]``;
    gradient ``g / (H W)`` to every entry.

    Args:
        data_format: ``'channels_last'`` (default) or ``'channels_first'``.
        keepdims: keep the spatial axes with size 1.

    Input shape: ``(batch, height, width, channels)``. Output shape: ``(batch, channels)``.

    Example:
        >>> import numpy as np
        >>> from axon.layers.pooling import GlobalAveragePooling2D
        >>> GlobalAveragePooling2D()(np.arange(8.0).reshape(1, 2, 2, 2)).numpy().tolist()
        [[3.0, 4.0]]
    """

    def call(self, inputs, training=False):
        return F.mean(inputs, axis=self._axes, keepdims=self.keepdims)


class GlobalMaxPooling3D(_GlobalPooling):
    """The maximum over depth, height and width: ``y[b, c] = max_{i, j, l} x[b, i, j, l, c]``;
    gradient ``g`` to the maximum (shared equally at ties).

    Args:
        data_format: ``'channels_last'`` (default) or ``'channels_first'``.
        keepdims: keep the spatial axes with size 1.

    Input shape: ``(batch, depth, height, width, channels)``. Output shape:
    ``(batch, channels)`` (``(batch, 1, 1, 1, channels)`` with ``keepdims``).

    Example:
        >>> import numpy as np
        >>> from axon.layers.pooling import GlobalMaxPooling3D
        >>> GlobalMaxPooling3D()(np.arange(16.0).reshape(1, 2, 2, 2, 2)).numpy().tolist()
        [[14.0, 15.0]]
    """

    _spatial = 3

    def call(self, inputs, training=False):
        return F.max(inputs, axis=self._axes, keepdims=self.keepdims)


class GlobalAveragePooling3D(_GlobalPooling):
    """The mean over depth, height and width:
    ``y[b, c] = (1 / (D H W)) sum_{i, j, l} x[b, i, j, l, c]``; gradient ``g / (D H W)`` to
    every entry.

    Args:
        data_format: ``'channels_last'`` (default) or ``'channels_first'``.
        keepdims: keep the spatial axes with size 1.

    Input shape: ``(batch, depth, height, width, channels)``. Output shape:
    ``(batch, channels)`` (``(batch, 1, 1, 1, channels)`` with ``keepdims``).

    Example:
        >>> import numpy as np
        >>> from axon.layers.pooling import GlobalAveragePooling3D
        >>> GlobalAveragePooling3D()(np.arange(16.0).reshape(1, 2, 2, 2, 2)).numpy().tolist()
        [[7.0, 8.0]]
    """

    _spatial = 3

    def call(self, inputs, training=False):
        return F.mean(inputs, axis=self._axes, keepdims=self.keepdims)
