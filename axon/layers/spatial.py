"""Layers that resize the spatial axes without weights: UpSampling1D/2D/3D (repeat or
interpolate), ZeroPadding1D/2D/3D (add zeros around), Cropping1D/2D/3D (cut the borders).

All are composites of movement ops (reshape, broadcast_to, pad, getitem) and, for bilinear
up-sampling, a constant matrix product, so their gradients come from those primitives.
"""
from __future__ import annotations

from typing import Any

from axon.backend import xp
from axon.engine import Tensor
from axon.engine import functional as F
from axon.layers import _spatial_args as spatial_args
from axon.layers.base import Layer

__all__ = ["UpSampling1D", "UpSampling2D", "UpSampling3D", "ZeroPadding1D", "ZeroPadding2D",
           "ZeroPadding3D", "Cropping1D", "Cropping2D", "Cropping3D"]


class _Spatial(Layer):
    """Shared: ``_spatial`` axes laid out as ``data_format``; any spatial size is accepted."""

    _spatial = 2
    _has_data_format = True  # False for the 1-D layers that, as Keras's, have no data_format

    def __init__(self, data_format: str | None = None, **kwargs: Any) -> None:
        if data_format is not None and not self._has_data_format:
            raise TypeError(f"{type(self).__name__} got an unexpected keyword argument "
                            "'data_format' (as in Keras, it takes (batch, steps, features) "
                            f"inputs only). Received: data_format={data_format!r}")
        super().__init__(**kwargs)
        self.data_format = spatial_args.data_format(data_format, type(self).__name__)

    @property
    def _axes(self):
        return spatial_args.spatial_axes(self._spatial, self.data_format)

    def _check_rank(self, shape):
        spatial_args.check_rank(self, shape, self._spatial, self.data_format)

    def check_input_shape(self, shape):
        """Any spatial size and channel count is accepted (no weights); the rank is checked."""
        self._check_rank(shape)

    def _resize(self, input_shape, new_length):
        shape = list(input_shape)
        for i, axis in enumerate(self._axes):
            shape[axis] = None if shape[axis] is None else new_length(i, shape[axis])
        return tuple(shape)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}


def _repeat(x: Tensor, sizes: tuple, axes: tuple) -> Tensor:
    """Each entry repeated ``sizes[i]`` times along ``axes[i]`` (nearest-neighbour up-sampling)
    as a composite: reshape to add a size-1 axis after each, broadcast it, merge it back.
    The gradient (from broadcast_to) sums ``g`` over each block of copies."""
    split, expanded, merged = [], [], []
    for axis, n in enumerate(x.shape):
        size = sizes[axes.index(axis)] if axis in axes else 1
        split += [n, 1] if axis in axes else [n]
        expanded += [n, size] if axis in axes else [n]
        merged.append(n * size)
    return F.reshape(F.broadcast_to(F.reshape(x, tuple(split)), tuple(expanded)), tuple(merged))


def _bilinear_matrix(n: int, scale: int, dtype: Any) -> Any:
    """``A`` of shape ``(n*scale, n)`` with ``y = A x`` the half-pixel-centred linear
    interpolation of jax.image.resize (Keras's backend): output ``i`` samples
    ``u = (i + 0.5) / scale - 0.5``, with triangle weights ``max(0, 1 - |u - p|)`` on inputs ``p``
    normalized to sum 1 (at the borders this clamps to the edge entry)."""
    u = (xp.arange(n * scale) + 0.5) / scale - 0.5
    weights = xp.maximum(0.0, 1.0 - xp.abs(u[:, None] - xp.arange(n)[None, :]))
    return (weights / weights.sum(axis=1, keepdims=True)).astype(dtype)


class UpSampling1D(_Spatial):
    """Repeats each time step ``size`` times: ``y[b, t, c] = x[b, t // size, c]``;
    ``dL/dx[b, t, c] = sum_{r < size} g[b, t*size + r, c]``.

    Args:
        size: the repetition factor (positive int, default 2).

    Input shape: ``(batch, steps, features)``. Output shape: ``(batch, steps * size, features)``.

    Example:
        >>> import numpy as np
        >>> from axon.layers.spatial import UpSampling1D
        >>> UpSampling1D(2)(np.array([[[1.0], [2.0]]])).numpy()[..., 0].tolist()
        [[1.0, 1.0, 2.0, 2.0]]
    """

    _spatial = 1
    _has_data_format = False

    def __init__(self, size: int = 2, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.size = spatial_args.int_tuple(size, 1, "size", "UpSampling1D")[0]

    def call(self, inputs, training=False):
        return _repeat(inputs, (self.size,), self._axes)

    def compute_output_shape(self, input_shape):
        return self._resize(input_shape, lambda i, n: n * self.size)

    def get_config(self):
        config = {**super().get_config(), "size": self.size}
        del config["data_format"]  # Keras's UpSampling1D has no data_format
        return config


class UpSampling2D(_Spatial):
    """Up-samples height and width by ``size = (sh, sw)``.

    ``'nearest'``: ``y[b, i, j, c] = x[b, i // sh, j // sw, c]``, gradient summed over each
    ``sh x sw`` block. ``'bilinear'`` (as Keras with jax.image.resize, half-pixel centres,
    clamped at the borders): ``y[b] = A_h x[b] A_w^T`` per channel, with the constant matrices
    ``A`` of :func:`_bilinear_matrix`; gradient ``A_h^T g[b] A_w``.

    Args:
        size: ``(sh, sw)`` or one int for both (default ``(2, 2)``).
        data_format: ``'channels_last'`` (default) or ``'channels_first'``.
        interpolation: ``'nearest'`` (default) or ``'bilinear'``. Keras's ``'bicubic'``,
            ``'lanczos3'`` and ``'lanczos5'`` are not implemented.

    Input shape: ``(batch, height, width, channels)`` (or channels_first).
    Output shape: ``(batch, height * sh, width * sw, channels)``.

    Example:
        >>> import numpy as np
        >>> from axon.layers.spatial import UpSampling2D
        >>> UpSampling2D((1, 2))(np.array([[[[1.0], [2.0]]]])).numpy()[0, ..., 0].tolist()
        [[1.0, 1.0, 2.0, 2.0]]
    """

    def __init__(self, size: Any = (2, 2), data_format: str | None = None,
                 interpolation: str = "nearest", **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.size = spatial_args.int_tuple(size, 2, "size", "UpSampling2D")
        if not isinstance(interpolation, str) or interpolation.lower() not in ("nearest",
                                                                                "bilinear"):
            raise ValueError("UpSampling2D expects interpolation 'nearest' or 'bilinear' ('bicubic'"
                             " and 'lanczos*' are not implemented). "
                             f"Received: interpolation={interpolation!r}")
        self.interpolation = interpolation.lower()

    def call(self, inputs, training=False):
        if self.interpolation == "nearest":
            return _repeat(inputs, self.size, self._axes)
        channels_last = self.data_format == "channels_last"
        x = F.transpose(inputs, (0, 3, 1, 2)) if channels_last else inputs  # (b, c, h, w)
        height = _bilinear_matrix(x.shape[2], self.size[0], x.dtype)
        width = _bilinear_matrix(x.shape[3], self.size[1], x.dtype)
        y = F.matmul(F.matmul(Tensor(height), x), Tensor(xp.ascontiguousarray(width.T)))
        return F.transpose(y, (0, 2, 3, 1)) if channels_last else y

    def compute_output_shape(self, input_shape):
        return self._resize(input_shape, lambda i, n: n * self.size[i])

    def get_config(self):
        return {**super().get_config(), "size": self.size, "interpolation": self.interpolation}


class UpSampling3D(_Spatial):
    """Repeats each entry along depth, height and width by ``size = (sd, sh, sw)`` (nearest
    neighbour): ``y[b, i, j, l, c] = x[b, i // sd, j // sh, l // sw, c]``;
    ``dL/dx[b, i, j, l, c] = sum over the sd x sh x sw block of g``.

    Args:
        size: ``(sd, sh, sw)`` or one int for all three (default ``(2, 2, 2)``).
        data_format: ``'channels_last'`` (default) or ``'channels_first'``.

    Input shape: ``(batch, depth, height, width, channels)`` (or channels_first).
    Output shape: ``(batch, depth * sd, height * sh, width * sw, channels)``.

    Example:
        >>> import numpy as np
        >>> from axon.layers.spatial import UpSampling3D
        >>> UpSampling3D((1, 1, 2))(np.array([[[[[1.0], [2.0]]]]])).numpy().ravel().tolist()
        [1.0, 1.0, 2.0, 2.0]
    """

    _spatial = 3

    def __init__(self, size: Any = (2, 2, 2), data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.size = spatial_args.int_tuple(size, 3, "size", "UpSampling3D")

    def call(self, inputs, training=False):
        return _repeat(inputs, self.size, self._axes)

    def compute_output_shape(self, input_shape):
        return self._resize(input_shape, lambda i, n: n * self.size[i])

    def get_config(self):
        return {**super().get_config(), "size": self.size}


class ZeroPadding1D(_Spatial):
    """Adds zeros at the start and end of the time axis:
    ``y = [0]*left ++ x ++ [0]*right`` along steps; ``dL/dx = g[left : left + steps]``.

    Args:
        padding: an int (both ends) or ``(left, right)`` (default 1).
        data_format: ``'channels_last'`` (default) or ``'channels_first'``.

    Input shape: ``(batch, steps, features)``.
    Output shape: ``(batch, steps + left + right, features)``.

    Example:
        >>> import numpy as np
        >>> from axon.layers.spatial import ZeroPadding1D
        >>> ZeroPadding1D((1, 2))(np.array([[[5.0]]])).numpy()[..., 0].tolist()
        [[0.0, 5.0, 0.0, 0.0]]
    """

    _spatial = 1

    def __init__(self, padding: Any = 1, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.padding = spatial_args.pairs(padding, 1, "padding", "ZeroPadding1D")[0]

    def call(self, inputs, training=False):
        widths = [(0, 0)] * inputs.ndim
        widths[self._axes[0]] = self.padding
        return F.pad(inputs, widths)

    def compute_output_shape(self, input_shape):
        return self._resize(input_shape, lambda i, n: n + sum(self.padding))

    def get_config(self):
        return {**super().get_config(), "padding": self.padding}


class _ZeroPadding(_Spatial):
    """Shared by ZeroPadding2D/3D: ``self.padding`` holds ``(before, after)`` per spatial axis."""

    def call(self, inputs, training=False):
        widths = [(0, 0)] * inputs.ndim
        for axis, pair in zip(self._axes, self.padding):
            widths[axis] = pair
        return F.pad(inputs, widths)

    def compute_output_shape(self, input_shape):
        return self._resize(input_shape, lambda i, n: n + sum(self.padding[i]))

    def get_config(self):
        return {**super().get_config(), "padding": self.padding}


class ZeroPadding2D(_ZeroPadding):
    """Adds rows and columns of zeros around each image:
    ``y[b, top + i, left + j, c] = x[b, i, j, c]``, zeros elsewhere;
    ``dL/dx = g[:, top : top + height, left : left + width, :]``.

    Args:
        padding: an int (all four sides), ``(symmetric_height, symmetric_width)``, or
            ``((top, bottom), (left, right))`` (default ``(1, 1)``).
        data_format: ``'channels_last'`` (default) or ``'channels_first'``.

    Input shape: ``(batch, height, width, channels)`` (or channels_first). Output shape:
    ``(batch, height + top + bottom, width + left + right, channels)``.

    Example:
        >>> import numpy as np
        >>> from axon.layers.spatial import ZeroPadding2D
        >>> ZeroPadding2D(((0, 1), (1, 0)))(np.ones((1, 1, 1, 1))).numpy()[0, ..., 0].tolist()
        [[0.0, 1.0], [0.0, 0.0]]
    """

    def __init__(self, padding: Any = (1, 1), data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.padding = spatial_args.pairs(padding, 2, "padding", "ZeroPadding2D")


class ZeroPadding3D(_ZeroPadding):
    """Adds zeros around each volume: ``y[b, d0 + i, h0 + j, w0 + l, c] = x[b, i, j, l, c]``,
    zeros elsewhere (``d0, h0, w0`` the leading pads); ``dL/dx = g`` cut back to
    ``[d0 : d0 + depth, h0 : h0 + height, w0 : w0 + width]``.

    Args:
        padding: an int (all six sides), ``(symmetric_depth, symmetric_height,
            symmetric_width)``, or ``((d0, d1), (h0, h1), (w0, w1))`` (default ``(1, 1, 1)``).
        data_format: ``'channels_last'`` (default) or ``'channels_first'``.

    Input shape: ``(batch, depth, height, width, channels)`` (or channels_first). Output
    shape: ``(batch, depth + d0 + d1, height + h0 + h1, width + w0 + w1, channels)``.

    Example:
        >>> import numpy as np
        >>> from axon.layers.spatial import ZeroPadding3D
        >>> ZeroPadding3D(((1, 0), (0, 0), (0, 1)))(np.ones((1, 1, 1, 1, 1))).numpy().ravel().tolist()
        [0.0, 0.0, 1.0, 0.0]
    """

    _spatial = 3

    def __init__(self, padding: Any = (1, 1, 1), data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.padding = spatial_args.pairs(padding, 3, "padding", "ZeroPadding3D")


class _Cropping(_Spatial):
    """Shared by Cropping1D/2D/3D: ``self.cropping`` holds ``(before, after)`` per spatial axis."""

    def _check_rank(self, shape):
        super()._check_rank(shape)
        lengths = tuple(shape[a] for a in self._axes)
        if any(n is not None and sum(c) >= n for n, c in zip(lengths, self.cropping)):
            raise ValueError(
                f"Layer '{self.name}' ({type(self).__name__}) cannot crop "
                f"{self._cropping_config()} from spatial size {lengths}: each axis must keep at "
                f"least one entry. Received: shape={tuple(shape)}")

    def _cropping_config(self):
        return self.cropping

    def call(self, inputs, training=False):
        index = [slice(None)] * inputs.ndim
        for axis, (before, after) in zip(self._axes, self.cropping):
            index[axis] = slice(before, inputs.shape[axis] - after)
        return F.getitem(inputs, tuple(index))

    def compute_output_shape(self, input_shape):
        return self._resize(input_shape, lambda i, n: n - sum(self.cropping[i]))


class Cropping1D(_Cropping):
    """Cuts entries off the start and end of the time axis:
    ``y[b, t, c] = x[b, start + t, c]`` for ``t < steps - start - end``;
    ``dL/dx = g`` placed at ``[start : steps - end]``, zeros on the cropped steps.

    Args:
        cropping: an int (both ends) or ``(start, end)`` (default ``(1, 1)``).

    Input shape: ``(batch, steps, features)``.
    Output shape: ``(batch, steps - start - end, features)``.

    Example:
        >>> import numpy as np
        >>> from axon.layers.spatial import Cropping1D
        >>> Cropping1D((1, 0))(np.array([[[1.0], [2.0], [3.0]]])).numpy()[..., 0].tolist()
        [[2.0, 3.0]]
    """

    _spatial = 1
    _has_data_format = False

    def __init__(self, cropping: Any = (1, 1), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.cropping = spatial_args.pairs(cropping, 1, "cropping", "Cropping1D")

    def _cropping_config(self):
        return self.cropping[0]

    def get_config(self):
        config = {**super().get_config(), "cropping": self.cropping[0]}
        del config["data_format"]  # Keras's Cropping1D has no data_format
        return config


class Cropping2D(_Cropping):
    """Cuts rows and columns off the borders of each image:
    ``y[b, i, j, c] = x[b, top + i, left + j, c]``; ``dL/dx = g`` placed at
    ``[top : height - bottom, left : width - right]``, zeros on the cropped border.

    Args:
        cropping: an int (all four sides), ``(symmetric_height, symmetric_width)``, or
            ``((top, bottom), (left, right))`` (default ``((0, 0), (0, 0))``).
        data_format: ``'channels_last'`` (default) or ``'channels_first'``.

    Input shape: ``(batch, height, width, channels)`` (or channels_first). Output shape:
    ``(batch, height - top - bottom, width - left - right, channels)``.

    Example:
        >>> import numpy as np
        >>> from axon.layers.spatial import Cropping2D
        >>> x = np.arange(9.0).reshape(1, 3, 3, 1)
        >>> Cropping2D(((1, 0), (0, 1)))(x).numpy()[0, ..., 0].tolist()
        [[3.0, 4.0], [6.0, 7.0]]
    """

    def __init__(self, cropping: Any = ((0, 0), (0, 0)), data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.cropping = spatial_args.pairs(cropping, 2, "cropping", "Cropping2D")

    def get_config(self):
        return {**super().get_config(), "cropping": self.cropping}


class Cropping3D(_Cropping):
    """Cuts entries off the borders of each volume:
    ``y[b, i, j, l, c] = x[b, d0 + i, h0 + j, w0 + l, c]``; ``dL/dx = g`` placed at
    ``[d0 : depth - d1, h0 : height - h1, w0 : width - w1]``, zeros on the cropped border.

    Args:
        cropping: an int (all six sides), ``(symmetric_depth, symmetric_height,
            symmetric_width)``, or ``((d0, d1), (h0, h1), (w0, w1))`` (default
            ``((1, 1), (1, 1), (1, 1))``).
        data_format: ``'channels_last'`` (default) or ``'channels_first'``.

    Input shape: ``(batch, depth, height, width, channels)`` (or channels_first). Output
    shape: ``(batch, depth - d0 - d1, height - h0 - h1, width - w0 - w1, channels)``.

    Example:
        >>> import numpy as np
        >>> from axon.layers.spatial import Cropping3D
        >>> x = np.arange(8.0).reshape(1, 2, 2, 2, 1)
        >>> Cropping3D(((1, 0), (0, 1), (0, 0)))(x).numpy().ravel().tolist()
        [4.0, 5.0]
    """

    _spatial = 3

    def __init__(self, cropping: Any = ((1, 1), (1, 1), (1, 1)), data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.cropping = spatial_args.pairs(cropping, 3, "cropping", "Cropping3D")

    def get_config(self):
        return {**super().get_config(), "cropping": self.cropping}
