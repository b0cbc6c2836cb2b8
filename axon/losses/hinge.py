"""Hinge losses (maximum-margin classification): hinge, squared hinge, categorical hinge.

Keras's label convention for hinge and squared hinge: targets are expected in {-1, 1}; when
EVERY target of the batch is 0 or 1, they are taken as binary labels and mapped to
``y <- 2 y - 1``; otherwise they are used as given. The categorical hinge takes one-hot targets
and converts nothing.
"""
from __future__ import annotations

from typing import Any

from axon.backend import xp
from axon.engine import Tensor
from axon.engine import functional as F
from axon.losses.base import LossFunctionWrapper, align


def _signed_labels(y_true: Tensor) -> Tensor:
    """``2 y - 1`` when every target is 0 or 1 (Keras's conversion), else ``y`` unchanged."""
    y = y_true.data
    if xp.all((y == 0) | (y == 1)):
        return y_true * 2.0 - 1.0
    return y_true


def hinge(y_true: Any, y_pred: Any) -> Tensor:
    """Per sample ``mean_j max(1 - y_j p_j, 0)`` over the last axis, for labels ``y`` in {-1, 1}
    (0/1 labels are mapped to -1/1 first); ``dL/dp_j = -y_j [y_j p_j < 1] / n``.

    Example:
        >>> import axon
        >>> axon.losses.hinge([[1.0, 0.0]], [[0.5, 0.5]]).numpy().tolist()
        [1.0]
    """
    y_true, y_pred = align(y_true, y_pred, "hinge")
    return F.mean(F.relu(1.0 - _signed_labels(y_true) * y_pred), axis=-1)


def squared_hinge(y_true: Any, y_pred: Any) -> Tensor:
    """Per sample ``mean_j max(1 - y_j p_j, 0)**2`` (labels as in :func:`hinge`);
    ``dL/dp_j = -2 y_j max(1 - y_j p_j, 0) / n``.

    Example:
        >>> import axon
        >>> axon.losses.squared_hinge([[1.0, -1.0]], [[0.5, 0.5]]).numpy().tolist()
        [1.25]
    """
    y_true, y_pred = align(y_true, y_pred, "squared_hinge")
    margin = F.relu(1.0 - _signed_labels(y_true) * y_pred)
    return F.mean(margin * margin, axis=-1)


def categorical_hinge(y_true: Any, y_pred: Any) -> Tensor:
    """Per sample ``max(neg - pos + 1, 0)`` with ``pos = sum_j y_j p_j`` and
    ``neg = max_j (1 - y_j) p_j`` (one-hot ``y``; Crammer-Singer margin).

    Gradient, where the margin is violated: ``dL/dp = (1 - y_m) e_m - y``, ``m`` the arg max of
    ``(1 - y) p``; 0 elsewhere.

    Example:
        >>> import axon
        >>> axon.losses.categorical_hinge([[0.0, 1.0, 0.0]], [[0.5, 0.8, 0.2]]).numpy().round(4)
        array([0.7], dtype=float32)
    """
    y_true, y_pred = align(y_true, y_pred, "categorical_hinge")
    positive = F.sum(y_true * y_pred, axis=-1)
    negative = F.max((1.0 - y_true) * y_pred, axis=-1)
    return F.relu(negative - positive + 1.0)


class Hinge(LossFunctionWrapper):
    """Hinge loss ``mean(max(1 - y p, 0))``, gradient ``-y [y p < 1] / n``; see :func:`hinge`
    (0/1 labels become -1/1)."""

    def __init__(self, reduction="sum_over_batch_size", name="hinge"):
        super().__init__(hinge, reduction, name)


class SquaredHinge(LossFunctionWrapper):
    """Squared hinge loss ``mean(max(1 - y p, 0)**2)``, gradient ``-2 y max(1 - y p, 0) / n``;
    see :func:`squared_hinge` (0/1 labels become -1/1)."""

    def __init__(self, reduction="sum_over_batch_size", name="squared_hinge"):
        super().__init__(squared_hinge, reduction, name)


class CategoricalHinge(LossFunctionWrapper):
    """Categorical hinge ``max(max_j (1 - y_j) p_j - sum_j y_j p_j + 1, 0)``; gradient
    ``(1 - y_m) e_m - y`` where the margin is violated (``m`` the arg max); see
    :func:`categorical_hinge`."""

    def __init__(self, reduction="sum_over_batch_size", name="categorical_hinge"):
        super().__init__(categorical_hinge, reduction, name)
