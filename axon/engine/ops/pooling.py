"""Pooling primitives: the maximum or the mean of each window sliding over the spatial axes.

Both work on any layout: ``axes`` names the spatial axes (``(1, 2)`` for ``(batch, h, w, c)``,
``(2, 3)`` for ``(batch, c, h, w)``, ``(1,)`` for ``(batch, steps, features)`` ...), and
``padding`` gives ``(before, after)`` per spatial axis (the functional API works them out from
``'valid'``/``'same'``). With pool size ``k``, stride ``s`` and padded length ``n + p``, an axis
has ``(n + p - k) // s + 1`` output positions; window ``o`` covers padded positions
``o*s ... o*s + k - 1``.

The forward pass takes a strided window view of the padded input
(``sliding_window_view``, no copy) and reduces the window axes. The backward pass scatters ``g``
back one window offset at a time: for each of the ``k_1 * k_2 * ...`` offsets ``d``, the input
entries ``o*s + d`` (a strided slice, all samples and output positions at once) receive their
share, so overlapping windows accumulate. There is no Python loop over samples or pixels.
"""
from __future__ import annotations

import itertools
import math
import numbers

from axon import kernels
from axon.backend import sliding_window_view, xp
from axon.engine.op import Op


def _window_view(x, pool_size, strides, axes):
    """A view of ``x`` with shape ``(..outputs on axes.., *pool_size)``: the window axes last."""
    view = sliding_window_view(x, pool_size, axes)
    index = [slice(None)] * x.ndim
    for axis, s in zip(axes, strides):
        index[axis] = slice(None, None, s)
    return view[tuple(index)]


def _offset_slices(offset, strides, out_shape, axes, ndim):
    """The input entries ``o*s + d`` (over every output position ``o``) for window offset ``d``."""
    index = [slice(None)] * ndim
    for axis, d, s in zip(axes, offset, strides):
        index[axis] = slice(d, d + s * (out_shape[axis] - 1) + 1, s)
    return tuple(index)


def _pad(x, padding, axes, value):
    if not any(before or after for before, after in padding):
        return x
    widths = [(0, 0)] * x.ndim
    for axis, pair in zip(axes, padding):
        widths[axis] = pair
    return xp.pad(x, widths, mode="constant", constant_values=value)


def _unpad(dx, padding, axes):
    index = [slice(None)] * dx.ndim
    for axis, (before, after) in zip(axes, padding):
        index[axis] = slice(before, dx.shape[axis] - after)
    return dx[tuple(index)]


def _real_counts(shape, pool_size, strides, padding, axes, out_shape, dtype):
    """How many real (unpadded) entries each window holds, shaped to broadcast with the output:
    the product over axes of ``|[o*s - before, o*s - before + k) ∩ [0, n)|``."""
    counts = 1
    for axis, k, s, (before, _) in zip(axes, pool_size, strides, padding):
        start = xp.arange(out_shape[axis]) * s - before
        per_axis = xp.minimum(start + k, shape[axis]) - xp.maximum(start, 0)
        view_shape = [1] * len(shape)
        view_shape[axis] = out_shape[axis]
        counts = counts * per_axis.reshape(view_shape)
    return counts.astype(dtype)


def pool_output_length(n, k, s, padding):
    """Output positions along an axis of length ``n`` (``None``: unknown) for pool ``k``, stride
    ``s``: ``(n - k) // s + 1`` for ``'valid'``, ``ceil(n / s)`` for ``'same'`` (as Keras)."""
    if n is None:
        return None
    return (n - k) // s + 1 if padding == "valid" else -(-n // s)


def same_padding(n, k, s):
    """Keras's (and TensorFlow's) ``'same'`` split: ``total = max((out - 1)*s + k - n, 0)`` with
    ``out = ceil(n / s)``; ``before = total // 2`` and the odd entry, if any, goes ``after``."""
    total = max((-(-n // s) - 1) * s + k - n, 0)
    return (total // 2, total - total // 2)


def pool_arguments(shape, pool_size, strides, padding, data_format, name):
    """The pooling primitives' attributes for an input of ``shape`` laid out as ``data_format``
    says: ``pool_size`` and ``strides`` as per-axis tuples, ``(before, after)`` pads and the
    spatial axes (all but batch and channels). ``name`` (the caller) heads the errors."""
    spatial = len(shape) - 2
    if spatial < 1:
        raise ValueError(f"{name} expects an input of rank >= 3 (batch, ..., channels). "
                         f"Received: shape={shape}")
    pool_size = _window_tuple(pool_size, "pool_size", spatial, name)
    strides = pool_size if strides is None else _window_tuple(strides, "strides", spatial, name)
    if padding not in ("valid", "same") or data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"{name} expects padding 'valid' or 'same' and data_format "
                         f"'channels_last' or 'channels_first'. Received: padding={padding!r}, "
                         f"data_format={data_format!r}")
    axes = tuple(range(1, 1 + spatial)) if data_format == "channels_last" else tuple(
        range(2, 2 + spatial))
    lengths = tuple(shape[a] for a in axes)
    if padding == "valid" and any(k > n for k, n in zip(pool_size, lengths)):
        raise ValueError(f"{name}: pool_size={pool_size} is larger than the spatial size "
                         f"{lengths} of the input with padding='valid'. Received: shape={shape}")
    pads = tuple(same_padding(n, k, s) if padding == "same" else (0, 0)
                 for n, k, s in zip(lengths, pool_size, strides))
    return {"pool_size": pool_size, "strides": strides, "padding": pads, "axes": axes}


def _window_tuple(value, argument, spatial, name):
    """``value`` (an int, or a tuple or list of ``spatial`` ints) as ``spatial`` positive ints;
    floats and bools are refused."""
    def is_int(n):
        return isinstance(n, numbers.Integral) and not isinstance(n, bool)

    values = (value,) * spatial if is_int(value) else value
    if not isinstance(values, tuple | list) or len(values) != spatial or not all(
            is_int(n) and n >= 1 for n in values):
        raise ValueError(f"{name} expects {argument} to be a positive integer or a tuple of "
                         f"{spatial} positive integers. Received: {argument}={value!r}")
    return tuple(int(n) for n in values)


class MaxPool(Op):
    """Max pooling: ``y[o] = max_{d in window} x_pad[o*s + d]`` (``x_pad``: ``x`` padded with
    ``-inf``, so padding never wins).

    ``dL/dx[o*s + d*] += g[o]`` for the window's argmax ``d*`` only; other entries get 0.
    Ties: the first maximum in row-major window order takes the whole gradient (as NumPy's
    ``argmax``, PyTorch, and Keras 3.15 on JAX do). Overlapping windows (``s < k``) accumulate.

    # NOTE: fused for speed. The usual case (2x2 windows, stride 2, no padding, channels last)
    # runs as one compiled loop that keeps each window's winner when numba is installed (see
    # ``axon.kernels``; the same numbers). Otherwise the argmax is not stored: backward finds,
    # offset by offset, the entries equal to ``y`` that no earlier offset of the same window
    # claimed (forward+backward of MaxPooling2D(2) on a (128, 26, 26, 32) float32 batch, NumPy:
    # 29 ms tracking the argmax in forward, about 11 ms this way).
    """

    def forward(self, x, pool_size, strides, padding, axes):
        self.index = None
        compiled = _compiled_2x2(x, pool_size, strides, padding, axes)
        if compiled is not None:  # the usual 2x2 pooling, as one compiled loop (see kernels)
            out = (x.shape[0], x.shape[1] // 2, x.shape[2] // 2, x.shape[3])
            y = xp.empty(out, dtype=x.dtype)
            index = xp.empty(out, dtype=xp.uint8)
            compiled.max_pool_2x2_forward(x, y, index)
            if self.needs_grad[0]:
                self.index, self.kernels, self.shape, self.dtype = index, compiled, x.shape, x.dtype
            return y
        padded = _pad(x, padding, axes, -xp.inf)
        windows = _window_view(padded, pool_size, strides, axes)
        offsets = list(itertools.product(*(range(k) for k in pool_size)))
        y = windows[(Ellipsis,) + offsets[0]].copy()
        for offset in offsets[1:]:
            xp.maximum(y, windows[(Ellipsis,) + offset], out=y)
        if self.needs_grad[0]:
            self.windows, self.y, self.offsets, self.dtype = windows, y, offsets, x.dtype
            self.shape, self.strides, self.padding, self.axes = padded.shape, strides, padding, axes
        return y

    def backward(self, g):
        if self.index is not None:
            height, width = self.shape[1], self.shape[2]
            # an odd last row or column belongs to no window: its gradient is 0
            make = xp.empty if height % 2 == 0 and width % 2 == 0 else xp.zeros
            dx = make(self.shape, dtype=self.dtype)
            self.kernels.max_pool_2x2_backward(xp.ascontiguousarray(g, dtype=self.dtype),
                                               self.index, dx)
            return (dx,)
        # Windows that do not overlap (stride >= pool size) give each input entry to at most one
        # window offset: each offset's share is written straight into its strided slice, and
        # only entries no window covers need zeros. Overlapping windows add up.
        pool_size = tuple(d + 1 for d in self.offsets[-1])
        disjoint = all(s >= k for s, k in zip(self.strides, pool_size))
        covered = all(s == k and n == s * m for s, k, n, m in zip(
            self.strides, pool_size, (self.shape[a] for a in self.axes),
            (g.shape[a] for a in self.axes)))
        dx = xp.empty(self.shape, dtype=self.dtype) if covered else xp.zeros(self.shape,
                                                                             dtype=self.dtype)
        free = xp.ones(g.shape, dtype=bool)  # windows whose maximum no earlier offset claimed
        hit = xp.empty(g.shape, dtype=bool)
        for offset in self.offsets:
            xp.equal(self.windows[(Ellipsis,) + offset], self.y, out=hit)
            hit &= free
            free ^= hit
            view = dx[_offset_slices(offset, self.strides, g.shape, self.axes, g.ndim)]
            if disjoint:
                xp.multiply(g, hit, out=view)
            else:
                view += g * hit
        return (_unpad(dx, self.padding, self.axes),)


def _compiled_2x2(x, pool_size, strides, padding, axes):
    """The compiled kernels when they exist and fit: 2x2 windows, stride 2, no padding, a
    contiguous channels-last float batch ``(N, H, W, C)``; otherwise ``None``."""
    if pool_size != (2, 2) or tuple(strides) != (2, 2) or tuple(axes) != (1, 2) or x.ndim != 4 \
            or any(before or after for before, after in padding) \
            or x.dtype not in (xp.float32, xp.float64) or not x.flags.c_contiguous:
        return None
    return kernels.get()


class AvgPool(Op):
    """Average pooling: ``y[o] = (1 / c[o]) * sum_{d in window} x_pad[o*s + d]`` with ``x_pad``
    zero-padded and ``c[o]`` the number of real (unpadded) entries in window ``o`` (Keras's rule
    for ``padding='same'``: padding is not averaged in; with ``'valid'``, ``c = prod(pool_size)``).

    ``dL/dx[o*s + d] += g[o] / c[o]`` for every offset ``d`` of the window (accumulating where
    windows overlap).
    """

    def forward(self, x, pool_size, strides, padding, axes):
        padded = _pad(x, padding, axes, 0)
        windows = _window_view(padded, pool_size, strides, axes)
        total = windows.sum(axis=tuple(range(x.ndim, windows.ndim)))
        if any(before or after for before, after in padding):
            counts = _real_counts(x.shape, pool_size, strides, padding, axes, total.shape, x.dtype)
        else:
            counts = math.prod(pool_size)
        y = (total / counts).astype(x.dtype, copy=False)
        if self.needs_grad[0]:
            self.counts, self.shape, self.dtype = counts, padded.shape, x.dtype
            self.pool_size, self.strides, self.padding, self.axes = pool_size, strides, padding, axes
        return y

    def backward(self, g):
        dx = xp.zeros(self.shape, dtype=self.dtype)
        share = g / self.counts
        for offset in itertools.product(*(range(k) for k in self.pool_size)):
            dx[_offset_slices(offset, self.strides, g.shape, self.axes, g.ndim)] += share
        return (_unpad(dx, self.padding, self.axes),)
