"""Reductions over axes. ``axis=None`` reduces everything; ``keepdims`` keeps size-1 axes."""
from __future__ import annotations

from axon.backend import xp
from axon.engine.op import Op


def _keep(array, shape, axis, keepdims):
    """Reshape a reduced array so it broadcasts against the unreduced ``shape``."""
    if keepdims:
        return array
    if axis is None:
        return array.reshape((1,) * len(shape))
    axes = (axis,) if isinstance(axis, int) else axis
    return xp.expand_dims(array, tuple(a % len(shape) for a in axes))


class Sum(Op):
    """``y = sum_i x_i`` over ``axis``;  ``dL/dx_i = g`` (g broadcast back over the summed axes)."""

    def forward(self, x, axis=None, keepdims=False):
        self.shape, self.axis, self.keepdims = x.shape, axis, keepdims
        return xp.sum(x, axis=axis, keepdims=keepdims)

    def backward(self, g):
        return (xp.broadcast_to(_keep(g, self.shape, self.axis, self.keepdims), self.shape),)


class Max(Op):
    """``y = max_i x_i`` over ``axis``;  ``dL/dx_i = g * [x_i == y] / (number of maxima)``.

    The gradient goes to the largest entry; ties share it equally. (min is ``-max(-x)``.)
    """

    def forward(self, x, axis=None, keepdims=False):
        y = xp.max(x, axis=axis, keepdims=keepdims)
        self.x, self.y, self.axis, self.keepdims = x, y, axis, keepdims
        return y

    def backward(self, g):
        x = self.x
        y = _keep(self.y, x.shape, self.axis, self.keepdims)
        is_max = x == y
        count = xp.sum(is_max, axis=self.axis, keepdims=True)
        return (is_max * (_keep(g, x.shape, self.axis, self.keepdims) / count),)
