"""Regression losses: MSE, MAE, MAPE, MSLE, Huber, log-cosh and cosine similarity.

Each function returns one value per sample, reducing the last axis (``n`` values there); its
docstring states that value and its gradient with respect to the prediction ``p``. Targets and
predictions must have the same shape (``(n,)`` targets fit ``(n, 1)`` predictions).
"""
from __future__ import annotations

import math
import numbers
from typing import Any

from axon import backend
from axon.engine import Tensor
from axon.engine import functional as F
from axon.losses.base import LossFunctionWrapper, align, check_axis


def mean_squared_error(y_true: Any, y_pred: Any) -> Tensor:
    """Per sample ``mean_j (y_j - p_j)**2`` over the last axis; ``dL/dp_j = 2 (p_j - y_j) / n``.

    Example:
        >>> import axon
        >>> axon.losses.mean_squared_error([[0.0, 1.0]], [[1.0, 1.0]]).numpy().tolist()
        [0.5]
    """
    y_true, y_pred = align(y_true, y_pred, "mean_squared_error")
    error = y_pred - y_true
    return F.mean(error * error, axis=-1)


def mean_absolute_error(y_true: Any, y_pred: Any) -> Tensor:
    """Per sample ``mean_j |y_j - p_j|``; ``dL/dp_j = sign(p_j - y_j) / n`` (0 at ``p_j = y_j``)."""
    y_true, y_pred = align(y_true, y_pred, "mean_absolute_error")
    return F.mean(F.abs(y_pred - y_true), axis=-1)


def mean_absolute_percentage_error(y_true: Any, y_pred: Any) -> Tensor:
    """Per sample ``100 * mean_j |y_j - p_j| / max(|y_j|, eps)``;
    ``dL/dp_j = 100 sign(p_j - y_j) / (n max(|y_j|, eps))``.

    ``eps = axon.config.epsilon()`` guards zero targets, as in Keras.

    Example:
        >>> import axon
        >>> axon.losses.mean_absolute_percentage_error([[2.0, 4.0]], [[1.0, 5.0]]).numpy().tolist()
        [37.5]
    """
    y_true, y_pred = align(y_true, y_pred, "mean_absolute_percentage_error")
    scale = F.maximum(F.abs(y_true), backend.epsilon())
    return F.mean(F.abs(y_pred - y_true) / scale, axis=-1) * 100.0


def mean_squared_logarithmic_error(y_true: Any, y_pred: Any) -> Tensor:
    """Per sample ``mean_j (ln(1 + max(p_j, eps)) - ln(1 + max(y_j, eps)))**2``;
    ``dL/dp_j = 2 d_j / (n (1 + p_j))`` for ``p_j > eps`` (0 below), ``d_j`` the difference.

    Values below ``eps = axon.config.epsilon()`` are raised to ``eps`` first, as in Keras.
    """
    y_true, y_pred = align(y_true, y_pred, "mean_squared_logarithmic_error")
    eps = backend.epsilon()
    diff = F.log(F.maximum(y_pred, eps) + 1.0) - F.log(F.maximum(y_true, eps) + 1.0)
    return F.mean(diff * diff, axis=-1)


def huber(y_true: Any, y_pred: Any, delta: float = 1.0) -> Tensor:
    """Per sample ``mean_j h(p_j - y_j)`` with ``h(e) = e**2 / 2`` for ``|e| <= delta``, else
    ``delta |e| - delta**2 / 2``; ``dL/dp_j = clip(e_j, -delta, delta) / n``.

    Example:
        >>> import axon
        >>> axon.losses.huber([[0.0, 0.0]], [[0.5, 3.0]]).numpy().tolist()
        [1.3125]
    """
    delta = _check_delta(delta, "huber")
    y_true, y_pred = align(y_true, y_pred, "huber")
    error = y_pred - y_true
    absolute = F.abs(error)
    quadratic = error * error * 0.5
    linear = absolute * delta - 0.5 * delta * delta
    return F.mean(F.where(absolute.data <= delta, quadratic, linear), axis=-1)


def log_cosh(y_true: Any, y_pred: Any) -> Tensor:
    """Per sample ``mean_j ln(cosh(p_j - y_j))``; ``dL/dp_j = tanh(p_j - y_j) / n``.

    Computed as ``e + softplus(-2 e) - ln 2`` (as Keras), which never overflows.

    Example:
        >>> import axon
        >>> round(axon.losses.log_cosh([[0.0]], [[1.0]]).item(), 6)
        0.433781
    """
    y_true, y_pred = align(y_true, y_pred, "log_cosh")
    error = y_pred - y_true
    return F.mean(error + F.softplus(error * -2.0) - math.log(2.0), axis=-1)


def cosine_similarity(y_true: Any, y_pred: Any, axis: int = -1) -> Tensor:
    """Per sample ``-sum_j yhat_j phat_j`` over ``axis``, the NEGATIVE cosine similarity (Keras's
    sign, so that minimising it aligns the vectors), with ``xhat = x / max(||x||, eps)``.

    Gradient (``||p|| > eps``): ``dL/dp = -(yhat - c phat) / ||p||``, ``c = yhat . phat``.
    Values lie in ``[-1, 1]``; -1 for parallel vectors, 0 when either is zero.

    Example:
        >>> import axon
        >>> values = axon.losses.cosine_similarity([[1.0, 0.0], [1.0, 1.0]], [[2.0, 0.0], [-1.0, -1.0]])
        >>> values.numpy().round(6)
        array([-1.,  1.], dtype=float32)
    """
    y_true, y_pred = align(y_true, y_pred, "cosine_similarity")
    axis = check_axis(axis, y_pred.ndim, "cosine_similarity")
    return -F.sum(_l2_normalize(y_true, axis) * _l2_normalize(y_pred, axis), axis=axis)


def _l2_normalize(x: Tensor, axis: int) -> Tensor:
    """``x / max(||x||, eps)`` along ``axis`` (Keras's ``normalize``)."""
    eps = backend.epsilon()
    return x / F.sqrt(F.maximum(F.sum(x * x, axis=axis, keepdims=True), eps * eps))


def _check_delta(delta: Any, where: str) -> float:
    if isinstance(delta, bool) or not isinstance(delta, numbers.Real) or not float(delta) > 0 \
            or not math.isfinite(delta):
        raise ValueError(f"{where} expects delta to be a positive float. Received: delta={delta!r}")
    return float(delta)


class MeanSquaredError(LossFunctionWrapper):
    """Mean squared error ``mean((y - p)**2)`` over the last axis; gradient ``2 (p - y) / n``.

    See :func:`mean_squared_error`.

    Example:
        >>> import axon
        >>> axon.losses.MeanSquaredError()([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [1.0, 0.0]]).item()
        0.5
    """

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error"):
        super().__init__(mean_squared_error, reduction, name)


class MeanAbsoluteError(LossFunctionWrapper):
    """Mean absolute error ``mean(|y - p|)``; gradient ``sign(p - y) / n``.

    See :func:`mean_absolute_error`.
    """

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error"):
        super().__init__(mean_absolute_error, reduction, name)


class MeanAbsolutePercentageError(LossFunctionWrapper):
    """``100 * mean(|y - p| / max(|y|, eps))``, gradient ``100 sign(p - y) / (n max(|y|, eps))``;
    see :func:`mean_absolute_percentage_error`."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_percentage_error"):
        super().__init__(mean_absolute_percentage_error, reduction, name)


class MeanSquaredLogarithmicError(LossFunctionWrapper):
    """``mean((ln(1 + p) - ln(1 + y))**2)`` (inputs raised to ``eps``), gradient
    ``2 (ln(1 + p) - ln(1 + y)) / (n (1 + p))``; see :func:`mean_squared_logarithmic_error`."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_logarithmic_error"):
        super().__init__(mean_squared_logarithmic_error, reduction, name)


class Huber(LossFunctionWrapper):
    """Huber loss: quadratic for errors up to ``delta``, linear beyond; gradient
    ``clip(p - y, -delta, delta) / n``; see :func:`huber`.

    Args:
        delta: where the loss turns from quadratic to linear (> 0, default 1.0).

    Keras names this loss ``'huber_loss'`` by default; its ``get_config`` omits ``delta``, ours
    includes it, so that the configuration round-trips.
    """

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss"):
        super().__init__(huber, reduction, name, delta=_check_delta(delta, "Huber"))
        self.delta = float(delta)


class LogCosh(LossFunctionWrapper):
    """``mean(ln(cosh(p - y)))``, gradient ``tanh(p - y) / n``; see :func:`log_cosh`."""

    def __init__(self, reduction="sum_over_batch_size", name="log_cosh"):
        super().__init__(log_cosh, reduction, name)


class CosineSimilarity(LossFunctionWrapper):
    """The negative cosine similarity ``-yhat . phat`` over ``axis`` (Keras's sign), gradient
    ``-(yhat - (yhat . phat) phat) / ||p||``; see :func:`cosine_similarity`.

    Args:
        axis: the axis of the vectors (default -1). Our ``get_config`` includes it (Keras's omits it).

    Example:
        >>> import axon
        >>> loss = axon.losses.CosineSimilarity()
        >>> round(loss([[0.0, 1.0], [1.0, 1.0]], [[1.0, 0.0], [1.0, 1.0]]).item(), 6)
        -0.5
    """

    def __init__(self, axis=-1, reduction="sum_over_batch_size", name="cosine_similarity"):
        super().__init__(cosine_similarity, reduction, name, axis=axis)
        self.axis = axis
