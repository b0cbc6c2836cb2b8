"""Primitives that move, copy or select entries without arithmetic."""
from __future__ import annotations

import itertools

from axon.backend import xp
from axon.engine.op import Op


class Reshape(Op):
    """``y = reshape(x, shape)``;  ``dL/dx = reshape(g, shape of x)``."""

    def forward(self, x, shape):
        self.shape = x.shape
        return x.reshape(shape)

    def backward(self, g):
        return (g.reshape(self.shape),)


class Transpose(Op):
    """``y = transpose(x, axes)`` (``y[..i_axes[k]..] = x[..i_k..]``);
    ``dL/dx = transpose(g, inverse permutation of axes)``."""

    def forward(self, x, axes=None):
        self.axes = tuple(range(x.ndim))[::-1] if axes is None else tuple(a % x.ndim for a in axes)
        return xp.transpose(x, self.axes)

    def backward(self, g):
        inverse = [0] * len(self.axes)
        for position, axis in enumerate(self.axes):
            inverse[axis] = position
        return (xp.transpose(g, inverse),)


class BroadcastTo(Op):
    """``y = broadcast_to(x, shape)`` (copies along new and size-1 axes);
    ``dL/dx = g summed over the copies``, which the engine's unbroadcast does."""

    def forward(self, x, shape):
        return xp.broadcast_to(x, shape)

    def backward(self, g):
        return (g,)


def _is_basic_index(index):
    """Basic indices (ints, slices, None, ...) select each entry at most once."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(isinstance(p, int | slice) or p is None or p is Ellipsis for p in parts)


class GetItem(Op):
    """``y = x[index]``;  ``dL/dx = zeros like x, with g added at index``.

    Advanced (array) indices may select an entry several times; their gradients are summed
    (``add.at``), so ``x[[0, 0]]`` gives entry 0 twice the gradient.
    """

    def forward(self, x, index):
        self.shape, self.dtype, self.index = x.shape, x.dtype, index
        return x[index]

    def backward(self, g):
        dx = xp.zeros(self.shape, dtype=self.dtype)
        if _is_basic_index(self.index):
            dx[self.index] = g
        else:
            xp.add.at(dx, self.index, g)
        return (dx,)


class Pad(Op):
    """``y = x with pad_width[i] = (before, after) constant entries added on axis i``;
    ``dL/dx = g[before_0 : -after_0, before_1 : -after_1, ...]``."""

    def forward(self, x, pad_width, constant_values=0):
        self.slices = tuple(slice(before, before + n) for (before, _), n in zip(pad_width, x.shape))
        return xp.pad(x, pad_width, mode="constant", constant_values=constant_values)

    def backward(self, g):
        return (g[self.slices],)


class Concatenate(Op):
    """``y = [x_1, x_2, ...]`` joined along ``axis``;  ``dL/dx_k = the k-th block of g``."""

    def forward(self, *xs, axis=0):
        self.axis = axis
        self.bounds = list(itertools.accumulate(x.shape[axis] for x in xs))[:-1]
        return xp.concatenate(xs, axis=axis)

    def backward(self, g):
        return tuple(xp.split(g, self.bounds, axis=self.axis))
