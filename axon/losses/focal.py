"""Focal cross-entropies (Lin et al., 2017): cross-entropy down-weighted on easy examples.

Keras's definitions: the binary focal loss multiplies each element's binary cross-entropy by
``(1 - p_t)**gamma`` (``p_t`` the probability given to the true label) and, with class balancing,
by ``alpha`` for positives and ``1 - alpha`` for negatives; the categorical one multiplies each
class term ``-y_j ln p_j`` by ``alpha (1 - p_j)**gamma``. Label smoothing as for the plain
cross-entropies.
"""
from __future__ import annotations

import numbers
from typing import Any

from axon import backend
from axon.backend import xp
from axon.engine import Tensor
from axon.engine import functional as F
from axon.engine.ops import Sigmoid
from axon.losses.base import (
    LossFunctionWrapper,
    align,
    check_axis,
    check_label_smoothing,
    move_axis_last,
    producer_input,
)
from axon.losses.probabilistic import warn_single_class


def binary_focal_crossentropy(y_true: Any, y_pred: Any, apply_class_balancing: bool = False,
                              alpha: float = 0.25, gamma: float = 2.0, from_logits: bool = False,
                              label_smoothing: float = 0.0, axis: int = -1) -> Tensor:
    """Per sample ``mean_j w_j (1 - p_t,j)**gamma * bce_j`` over ``axis``, where
    ``bce = -(y ln p + (1 - y) ln(1 - p))``, ``p_t = y p + (1 - y)(1 - p)`` and ``w = 1``, or
    ``w = alpha y + (1 - alpha)(1 - y)`` with ``apply_class_balancing``.

    Gradient (elementwise, ``f = (1 - p_t)**gamma``):
    ``dL/dp = w (f (p - y) / (p (1 - p)) - gamma (2 y - 1) (1 - p_t)**(gamma - 1) bce) / n``.
    Probabilities are clipped to ``[eps, 1 - eps]`` inside ``bce`` (Keras). With logits (or a
    sigmoid output) ``bce`` is computed stably from the logits, where Keras clips
    ``sigmoid(z)``: the two agree unless ``|z|`` exceeds about ``ln(1 / eps) ~ 16``.

    Example:
        >>> import axon
        >>> round(axon.losses.binary_focal_crossentropy([[1.0, 0.0]], [[0.5, 0.5]]).item(), 6)
        0.173287
    """
    where = "binary_focal_crossentropy"
    label_smoothing = check_label_smoothing(label_smoothing, where)
    alpha, gamma = _check_alpha(alpha, where), _check_gamma(gamma, where)
    y_true, y_pred = align(y_true, y_pred, where)
    axis = check_axis(axis, y_pred.ndim, where)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    logits = y_pred if from_logits else producer_input(y_pred, Sigmoid, y_pred.ndim - 1)
    if logits is not None:
        p = F.sigmoid(logits)
        bce = F.sigmoid_cross_entropy(logits, y_true)
    else:
        p = y_pred
        eps = backend.epsilon()
        clipped = F.clip(p, eps, 1 - eps)
        bce = -(y_true * F.log(clipped) + (1.0 - y_true) * F.log(1.0 - clipped))
    p_t = y_true * p + (1.0 - y_true) * (1.0 - p)
    focal = bce if gamma == 0 else F.pow(1.0 - p_t, gamma) * bce  # 0**0 has no usable gradient
    if apply_class_balancing:
        focal = (y_true * alpha + (1.0 - y_true) * (1.0 - alpha)) * focal
    return F.mean(focal, axis=axis)


def categorical_focal_crossentropy(y_true: Any, y_pred: Any, alpha: Any = 0.25, gamma: float = 2.0,
                                   from_logits: bool = False, label_smoothing: float = 0.0,
                                   axis: int = -1) -> Tensor:
    """Per sample ``-sum_j alpha_j (1 - p_j)**gamma y_j ln p_j`` over the class ``axis``.

    ``p`` is ``softmax(z)`` with ``from_logits``, then (as in Keras, always) renormalised to sum
    to 1 and clipped to ``[eps, 1 - eps]``. ``alpha`` is one float or one per class. Gradient
    with respect to the clipped ``p``:
    ``dL/dp_j = alpha_j y_j (gamma (1 - p_j)**(gamma - 1) ln p_j - (1 - p_j)**gamma / p_j)``.
    Label smoothing ``s`` first replaces ``y`` by ``y (1 - s) + s / K``.

    Example:
        >>> import axon
        >>> round(axon.losses.categorical_focal_crossentropy([[0.0, 1.0]], [[0.5, 0.5]]).item(), 6)
        0.043322
    """
    where = "categorical_focal_crossentropy"
    label_smoothing = check_label_smoothing(label_smoothing, where)
    gamma = _check_gamma(gamma, where)
    y_true, y_pred = align(y_true, y_pred, where)
    axis = check_axis(axis, y_pred.ndim, where)
    warn_single_class(y_pred, axis, where)
    classes = y_pred.shape[axis]
    if isinstance(alpha, numbers.Real) and not isinstance(alpha, bool):
        weight: Any = float(alpha)
    else:
        weight = xp.asarray(alpha, dtype=y_pred.dtype)
        if weight.shape != (classes,):
            raise ValueError(f"{where} expects alpha to be a float or one float per class "
                             f"({classes}). Received: alpha={alpha!r}")
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / classes
    y_true, y_pred = move_axis_last(y_true, axis), move_axis_last(y_pred, axis)
    if from_logits:
        y_pred = F.softmax(y_pred, axis=-1)
    eps = backend.epsilon()
    p = F.clip(y_pred / F.sum(y_pred, axis=-1, keepdims=True), eps, 1 - eps)
    terms = y_true * F.log(p) * weight
    if gamma != 0:
        terms = F.pow(1.0 - p, gamma) * terms
    return -F.sum(terms, axis=-1)


def _check_gamma(gamma: Any, where: str) -> float:
    if isinstance(gamma, bool) or not isinstance(gamma, numbers.Real) or gamma < 0:
        raise ValueError(f"{where} expects gamma to be a non-negative float. Received: gamma={gamma!r}")
    return float(gamma)


def _check_alpha(alpha: Any, where: str) -> float:
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real) or not 0 <= alpha <= 1:
        raise ValueError(f"{where} expects alpha to be a float in [0, 1]. Received: alpha={alpha!r}")
    return float(alpha)


class BinaryFocalCrossentropy(LossFunctionWrapper):
    """Binary focal cross-entropy ``mean(w (1 - p_t)**gamma bce)``; the gradient is stated in
    :func:`binary_focal_crossentropy`.

    Args:
        apply_class_balancing: weight positives by ``alpha`` and negatives by ``1 - alpha``.
        alpha: the balancing weight of class 1 (default 0.25).
        gamma: the focusing exponent (default 2.0; 0 gives plain binary cross-entropy).
        from_logits, label_smoothing, axis: as in :class:`BinaryCrossentropy`.
    """

    def __init__(self, apply_class_balancing=False, alpha=0.25, gamma=2.0, from_logits=False,
                 label_smoothing=0.0, axis=-1, reduction="sum_over_batch_size",
                 name="binary_focal_crossentropy"):
        where = "BinaryFocalCrossentropy"
        label_smoothing = check_label_smoothing(label_smoothing, where)
        alpha, gamma = _check_alpha(alpha, where), _check_gamma(gamma, where)
        super().__init__(binary_focal_crossentropy, reduction, name,
                         apply_class_balancing=apply_class_balancing, alpha=alpha, gamma=gamma,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.apply_class_balancing, self.alpha, self.gamma = apply_class_balancing, alpha, gamma
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis


class CategoricalFocalCrossentropy(LossFunctionWrapper):
    """Categorical focal cross-entropy ``-sum alpha (1 - p)**gamma y ln p``; the gradient is
    stated in :func:`categorical_focal_crossentropy`.

    Args:
        alpha: the class weight, one float or a list with one per class (default 0.25).
        gamma: the focusing exponent (default 2.0).
        from_logits, label_smoothing, axis: as in :class:`CategoricalCrossentropy`.
    """

    def __init__(self, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_focal_crossentropy"):
        where = "CategoricalFocalCrossentropy"
        label_smoothing = check_label_smoothing(label_smoothing, where)
        gamma = _check_gamma(gamma, where)
        if not isinstance(alpha, numbers.Real):
            alpha = [float(a) for a in alpha]
        super().__init__(categorical_focal_crossentropy, reduction, name, alpha=alpha, gamma=gamma,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.alpha, self.gamma = alpha, gamma
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis
