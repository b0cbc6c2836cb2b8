"""Merging layers: combine a list of tensors into one (Add, Subtract, Multiply, Average, Maximum,
Minimum, Concatenate, Dot). Called as ``layer([a, b, ...])``.

The elementwise ones broadcast: an input of lower rank first gets size-1 axes inserted after its
batch axis (as Keras does), then size-1 axes are copied as in NumPy; the engine sums each input's
gradient back to its own shape.
"""
from __future__ import annotations

import functools
import math
from typing import Any

from axon import backend
from axon.engine import Tensor
from axon.engine import functional as F
from axon.layers.base import Layer

__all__ = ["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot"]


def _fmt(shapes: list) -> str:
    return ", ".join("(" + ", ".join("None" if n is None else str(n) for n in s)
                     + (",)" if len(s) == 1 else ")") for s in shapes)


def _expand_shape(shape: tuple, rank: int) -> tuple:
    """``shape`` with size-1 axes inserted after the batch axis up to ``rank`` (as Keras)."""
    return shape[:1] + (1,) * (rank - len(shape)) + shape[1:]


def _same_rank(inputs: list) -> list:
    """Lower-rank inputs expanded at axis 1 so that all share the highest rank."""
    rank = max(x.ndim for x in inputs)
    return [x if x.ndim == rank else F.reshape(x, _expand_shape(x.shape, rank)) for x in inputs]


class _Merge(Layer):
    """Base of the merging layers: checks the list of inputs, then folds ``_merge`` over it."""

    min_inputs, max_inputs = 1, None

    def _check_rank(self, shapes):
        kind = type(self).__name__
        if not isinstance(shapes, list) or shapes and not isinstance(shapes[0], tuple | list):
            raise ValueError(f"Layer '{self.name}' ({kind}) should be called on a list of inputs. "
                             f"Received: input_shape={shapes}")
        count = len(shapes)
        if count < self.min_inputs or self.max_inputs is not None and count > self.max_inputs:
            wanted = (f"exactly {self.min_inputs}" if self.min_inputs == self.max_inputs
                      else f"at least {self.min_inputs}")
            raise ValueError(f"Layer '{self.name}' ({kind}) should be called on {wanted} "
                             f"input(s). Received: {count} input(s) with shapes [{_fmt(shapes)}]")

    def build(self, input_shape):
        self.compute_output_shape(input_shape)  # raises for incompatible shapes
        super().build(input_shape)

    def compute_output_shape(self, input_shape):
        self._check_rank(input_shape)
        rank = max(len(s) for s in input_shape)
        padded = [_expand_shape(tuple(s), rank) for s in input_shape]
        out = []
        for axis in range(rank):
            dims = [s[axis] for s in padded]
            sizes = {d for d in dims if d is not None and d != 1}
            if len(sizes) > 1:
                raise ValueError(
                    f"Layer '{self.name}' ({type(self).__name__}) got inputs with incompatible "
                    f"shapes (they must be equal or broadcastable). Received shapes: "
                    f"{_fmt(input_shape)}")
            out.append(None if None in dims else (sizes.pop() if sizes else 1))
        return tuple(out)

    def call(self, inputs: list, training: bool = False) -> Tensor:
        return functools.reduce(self._merge, _same_rank(inputs))

    def _merge(self, a: Tensor, b: Tensor) -> Tensor:  # pragma: no cover - abstract
        raise NotImplementedError


class Add(_Merge):
    """Elementwise sum ``y = x_1 + x_2 + ... + x_n``; ``dL/dx_k = g`` (summed over broadcast axes).

    Input shape: a list of broadcastable shapes. Output shape: their broadcast.

    Example:
        >>> import axon, numpy as np
        >>> axon.layers.Add()([np.ones((1, 2)), np.full((1, 2), 2.0)]).numpy().tolist()
        [[3.0, 3.0]]
    """

    def _merge(self, a, b):
        return a + b


class Subtract(_Merge):
    """``y = x_1 - x_2`` (exactly two inputs); ``dL/dx_1 = g``, ``dL/dx_2 = -g``.

    Input shape: a list of broadcastable shapes. Output shape: their broadcast.

    Example:
        >>> import axon, numpy as np
        >>> axon.layers.Subtract()([np.ones((1, 2)), np.full((1, 2), 2.0)]).numpy().tolist()
        [[-1.0, -1.0]]
    """

    min_inputs = max_inputs = 2

    def _merge(self, a, b):
        return a - b


class Multiply(_Merge):
    """Elementwise product ``y = x_1 * x_2 * ... * x_n``; ``dL/dx_k = g * prod_{j != k} x_j``.

    Input shape: a list of broadcastable shapes. Output shape: their broadcast.

    Example:
        >>> import axon, numpy as np
        >>> axon.layers.Multiply()([np.full((1, 2), 3.0), np.full((1, 2), 2.0)]).numpy().tolist()
        [[6.0, 6.0]]
    """

    def _merge(self, a, b):
        return a * b


class Average(_Merge):
    """Elementwise mean ``y = (x_1 + ... + x_n) / n``; ``dL/dx_k = g / n``.

    Input shape: a list of broadcastable shapes. Output shape: their broadcast.

    Example:
        >>> import axon, numpy as np
        >>> axon.layers.Average()([np.ones((1, 2)), np.full((1, 2), 2.0)]).numpy().tolist()
        [[1.5, 1.5]]
    """

    def call(self, inputs, training=False):
        return functools.reduce(F.add, _same_rank(inputs)) * (1.0 / len(inputs))


class Maximum(_Merge):
    """Elementwise ``y = max(x_1, ..., x_n)``; the gradient goes to the largest input (split
    equally at ties).

    Input shape: a list of broadcastable shapes. Output shape: their broadcast.

    Example:
        >>> import axon, numpy as np
        >>> axon.layers.Maximum()([np.array([[1.0, 5.0]]), np.array([[3.0, 2.0]])]).numpy().tolist()
        [[3.0, 5.0]]
    """

    def _merge(self, a, b):
        return F.maximum(a, b)


class Minimum(_Merge):
    """Elementwise ``y = min(x_1, ..., x_n)``; the gradient goes to the smallest input (split
    equally at ties).

    Input shape: a list of broadcastable shapes. Output shape: their broadcast.

    Example:
        >>> import axon, numpy as np
        >>> axon.layers.Minimum()([np.array([[1.0, 5.0]]), np.array([[3.0, 2.0]])]).numpy().tolist()
        [[1.0, 2.0]]
    """

    def _merge(self, a, b):
        return F.minimum(a, b)


class Concatenate(_Merge):
    """Joins the inputs along ``axis``: ``y = [x_1, x_2, ...]``; ``dL/dx_k`` is ``g``'s k-th block.

    Args:
        axis: the axis to join along (not the batch axis); the other axes must match.

    Input shape: a list of same-rank shapes equal except on ``axis``.
    Output shape: theirs, with the sizes on ``axis`` added.

    Example:
        >>> import axon, numpy as np
        >>> axon.layers.Concatenate()([np.zeros((2, 3)), np.ones((2, 1))]).shape
        (2, 4)
    """

    def __init__(self, axis: int = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(axis, bool) or not isinstance(axis, int):
            raise ValueError(f"Concatenate expects axis to be an integer. Received: axis={axis!r}")
        self.axis = axis

    def compute_output_shape(self, input_shape):
        self._check_rank(input_shape)
        rank = len(input_shape[0])

        def error(reason: str) -> ValueError:
            return ValueError(f"Layer '{self.name}' (Concatenate) {reason}. Received: axis="
                              f"{self.axis}, input shapes: {_fmt(input_shape)}")

        if any(len(s) != rank for s in input_shape):
            raise error("expects inputs of the same rank")
        if not -rank < self.axis < rank or self.axis % rank == 0:
            raise error("cannot join along this axis (out of range, or the batch axis)")
        axis = self.axis % rank
        out = []
        for i in range(rank):
            dims = [s[i] for s in input_shape]
            if i == axis:
                out.append(None if None in dims else sum(dims))
                continue
            sizes = {d for d in dims if d is not None}
            if len(sizes) > 1:
                raise error(f"expects inputs with matching shapes except on the concatenation "
                            f"axis; axis {i} differs")
            out.append(sizes.pop() if sizes else None)
        return tuple(out)

    def call(self, inputs, training=False):
        return F.concatenate(inputs, axis=self.axis % inputs[0].ndim)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


class Dot(_Merge):
    """Dot product of two inputs along one axis each, sample by sample (Keras's ``batch_dot``).

    For ``a`` of shape ``(batch, *A, c)`` after moving ``axes[0]`` last and ``b`` of shape
    ``(batch, c, *B)`` after moving ``axes[1]`` first (after the batch axis):
    ``y[n, i, j] = sum_k a[n, i, k] b[n, k, j]``, shape ``(batch, *A, *B)`` (``(batch, 1)`` when
    both ``A`` and ``B`` are empty). Gradients: ``dL/da = g b^T``, ``dL/db = a^T g`` per sample.
    With ``normalize=True`` each input is first L2-normalized along its axis,
    ``x / max(||x||, epsilon)`` (so the result is the cosine similarity).

    Input shape: two shapes ``(batch, ...)`` of rank >= 2 with equal sizes on the dot axes.
    Output shape: ``(batch, *A, *B)`` as above.

    Args:
        axes: an int (the same axis in both) or a pair of ints; never the batch axis 0.
        normalize: whether to L2-normalize both inputs along the dot axes first.

    Example:
        >>> import axon, numpy as np
        >>> axon.layers.Dot(axes=1)([np.array([[1.0, 2.0]]), np.array([[3.0, 4.0]])]).numpy().tolist()
        [[11.0]]
    """

    min_inputs = max_inputs = 2

    def __init__(self, axes: Any, normalize: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        pair = (axes, axes) if isinstance(axes, int) else axes
        if (isinstance(axes, bool) or not isinstance(pair, tuple | list) or len(pair) != 2
                or not all(isinstance(a, int) and not isinstance(a, bool) for a in pair)):
            raise ValueError(f"Dot expects axes to be an int or a pair of ints. Received: axes={axes!r}")
        self.axes = axes if isinstance(axes, int) else tuple(axes)
        self.normalize = bool(normalize)

    def _axes_for(self, shapes) -> tuple[int, int]:
        pair = (self.axes, self.axes) if isinstance(self.axes, int) else self.axes
        result = []
        for axis, shape in zip(pair, shapes):
            rank = len(shape)
            if rank < 2 or not -rank <= axis < rank or axis % rank == 0:
                raise ValueError(f"Layer '{self.name}' (Dot) cannot use axes={self.axes} for "
                                 f"input shapes {_fmt(shapes)} (each axis must exist and not be "
                                 "the batch axis 0).")
            result.append(axis % rank)
        return result[0], result[1]

    def compute_output_shape(self, input_shape):
        self._check_rank(input_shape)
        (a, b), (i, j) = input_shape, self._axes_for(input_shape)
        if a[i] is not None and b[j] is not None and a[i] != b[j]:
            raise ValueError(f"Layer '{self.name}' (Dot) needs equal sizes on the dot axes "
                             f"({a[i]} != {b[j]}). Received: axes={self.axes}, input shapes: "
                             f"{_fmt(input_shape)}")
        rest = a[1:i] + a[i + 1:] + b[1:j] + b[j + 1:]
        return (a[0] if a[0] is not None else b[0],) + (tuple(rest) or (1,))

    def call(self, inputs, training=False):
        a, b = inputs
        i, j = self._axes_for([a.shape, b.shape])
        if self.normalize:
            a, b = _l2_normalize(a, i), _l2_normalize(b, j)
        a = F.transpose(a, [k for k in range(a.ndim) if k != i] + [i])  # (n, *A, c)
        b = F.transpose(b, [0, j] + [k for k in range(1, b.ndim) if k != j])  # (n, c, *B)
        shape_a, shape_b = a.shape[1:-1], b.shape[2:]
        n, c = a.shape[0], a.shape[-1]
        y = F.matmul(F.reshape(a, (n, math.prod(shape_a), c)),
                     F.reshape(b, (n, c, math.prod(shape_b))))
        return F.reshape(y, (n,) + (shape_a + shape_b or (1,)))

    def get_config(self):
        return {**super().get_config(), "axes": self.axes, "normalize": self.normalize}


def _l2_normalize(x: Tensor, axis: int) -> Tensor:
    """``x / sqrt(max(sum(x**2), epsilon**2))`` along ``axis`` (zero vectors stay zero)."""
    squares = F.sum(x * x, axis=axis, keepdims=True)
    return x / F.sqrt(F.maximum(squares, backend.epsilon() ** 2))
