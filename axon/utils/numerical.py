"""Array normalisation, as ``keras.utils.normalize``."""
from __future__ import annotations

import math
import numbers
from typing import Any

import numpy


def normalize(x: Any, axis: int | tuple[int, ...] | None = -1, order: float = 2) -> numpy.ndarray:
    """Scale ``x`` to unit L-``order`` norm along ``axis``: ``x / ||x||_order``.

    ``||v||_p = (sum |v_i|**p)**(1/p)`` (``max |v_i|`` for ``order=inf``). Slices whose norm is 0
    are left as they are (all zeros), as in Keras.

    Args:
        x: an array (anything ``numpy.asarray`` takes).
        axis: the axis (or axes) along which to normalise (default -1, each row of a matrix);
            None normalises the whole array as one flat vector.
        order: the norm's order ``p >= 1`` or ``math.inf`` (default 2).

    Returns:
        A NumPy array of ``x``'s shape; float inputs keep their type, integers become float64.

    Example:
        >>> normalize([[3.0, 4.0], [0.0, 0.0]]).tolist()
        [[0.6, 0.8], [0.0, 0.0]]
        >>> normalize([[1.0, 3.0]], order=1).tolist()
        [[0.25, 0.75]]
    """
    if (isinstance(order, bool) or not isinstance(order, numbers.Real) or math.isnan(order)
            or order < 1):
        raise ValueError(f"normalize expects order to be a number >= 1 (or math.inf). "
                         f"Received: order={order!r}")
    array = numpy.asarray(x)
    if array.dtype.kind not in "f":
        if array.dtype.kind not in "iub":
            raise ValueError(f"normalize expects a numeric array. Received: dtype={array.dtype}")
        array = array.astype(numpy.float64)
    if axis is None:
        norm = numpy.asarray(numpy.linalg.norm(array.reshape(-1), ord=order))
    else:
        axes = (axis,) if isinstance(axis, numbers.Integral) else tuple(axis)
        for a in axes:
            if not -array.ndim <= a < array.ndim:
                raise ValueError(f"normalize: axis {a} is out of range for an array of rank "
                                 f"{array.ndim}. Received: axis={axis!r}")
        norm = _norm(array, axes, order)
    norm = numpy.where(norm == 0, 1, norm).astype(array.dtype)
    return array / norm


def _norm(array: numpy.ndarray, axes: tuple[int, ...], order: float) -> numpy.ndarray:
    magnitude = numpy.abs(array)
    if math.isinf(order):
        return magnitude.max(axis=axes, keepdims=True)
    if order == 1:
        return magnitude.sum(axis=axes, keepdims=True)
    if order == 2:
        return numpy.sqrt(numpy.square(array).sum(axis=axes, keepdims=True))
    return (magnitude**order).sum(axis=axes, keepdims=True) ** (1.0 / order)
