"""Probabilistic losses: binary, categorical and sparse categorical cross-entropy, KL divergence,
Poisson.

Cross-entropies are computed from logits whenever they can be: from the logits given with
``from_logits=True``, or taken from the softmax/sigmoid that produced ``p`` (as Keras does), so a
saturated prediction gives a finite loss and gradient. Otherwise ``p`` is clipped to
``[eps, 1 - eps]`` (``eps = axon.config.epsilon()``), as in Keras.

Label smoothing (Keras's conventions): categorical ``y <- y (1 - s) + s / K`` for ``K`` classes;
binary ``y <- y (1 - s) + s / 2`` (labels squeezed towards 0.5).
"""
from __future__ import annotations

import numbers
import warnings
from typing import Any

from axon import backend
from axon.backend import xp
from axon.engine import Tensor
from axon.engine import functional as F
from axon.engine.ops import Sigmoid, Softmax
from axon.losses.base import (
    LossFunctionWrapper,
    align,
    as_pred,
    check_axis,
    check_label_smoothing,
    move_axis_last,
    producer_input,
)


def binary_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False,
                        label_smoothing: float = 0.0, axis: int = -1) -> Tensor:
    """Per sample ``mean_j -(y_j ln p_j + (1 - y_j) ln(1 - p_j))`` over ``axis``.

    ``dL/dp_j = (p_j - y_j) / (n p_j (1 - p_j))`` (``p`` clipped to ``[eps, 1 - eps]``, gradient
    0 outside). With logits ``z`` (``p = sigmoid(z)``) it is computed as
    ``max(z, 0) - z y + ln(1 + e**-|z|)``, whose gradient is ``(sigmoid(z) - y) / n``. Label
    smoothing ``s`` first replaces ``y`` by ``y (1 - s) + s / 2``.

    Example:
        >>> import axon
        >>> round(axon.losses.binary_crossentropy([[1.0, 0.0]], [[0.8, 0.4]]).item(), 5)
        0.36698
    """
    label_smoothing = check_label_smoothing(label_smoothing, "binary_crossentropy")
    y_true, y_pred = align(y_true, y_pred, "binary_crossentropy")
    axis = check_axis(axis, y_pred.ndim, "binary_crossentropy")
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    logits = y_pred if from_logits else producer_input(y_pred, Sigmoid, y_pred.ndim - 1)
    if logits is not None:
        return F.mean(F.sigmoid_cross_entropy(logits, y_true), axis=axis)
    eps = backend.epsilon()
    p = F.clip(y_pred, eps, 1 - eps)
    return F.mean(-(y_true * F.log(p) + (1 - y_true) * F.log(1 - p)), axis=axis)


def categorical_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False,
                             label_smoothing: float = 0.0, axis: int = -1) -> Tensor:
    """Per sample ``-sum_j y_j ln p_j`` over the class ``axis``, for one-hot (or probability)
    targets ``y``.

    Probabilities are renormalised, ``p <- p / sum_j p_j``, then clipped to ``[eps, 1 - eps]``, as
    in Keras. With logits ``z`` (``p = softmax(z)``): ``-sum_j y_j log_softmax(z)_j``, gradient
    ``softmax(z) sum_j y_j - y`` (``softmax(z) - y`` for targets summing to 1). Label smoothing
    ``s`` first replaces ``y`` by ``y (1 - s) + s / K`` for ``K`` classes.

    Example:
        >>> import axon
        >>> round(axon.losses.categorical_crossentropy([[0.0, 1.0]], [[0.5, 0.5]]).item(), 6)
        0.693147
    """
    label_smoothing = check_label_smoothing(label_smoothing, "categorical_crossentropy")
    y_true, y_pred = align(y_true, y_pred, "categorical_crossentropy")
    axis = check_axis(axis, y_pred.ndim, "categorical_crossentropy")
    warn_single_class(y_pred, axis, "categorical_crossentropy")
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / y_pred.shape[axis]
    logits = y_pred if from_logits else producer_input(y_pred, Softmax, axis)
    y_true = move_axis_last(y_true, axis)
    if logits is not None:
        return F.softmax_cross_entropy(move_axis_last(logits, axis), y_true)
    p = _normalised_clipped(move_axis_last(y_pred, axis))
    return -F.sum(y_true * F.log(p), axis=-1)


def warn_single_class(y_pred: Tensor, axis: int, where: str) -> None:
    """Keras's warning for a one-class softmax loss (always 0): use a binary loss instead."""
    if y_pred.shape[axis] == 1:
        warnings.warn(f"{where} expects y_pred with more than one class along axis {axis}. "
                      f"Received: y_pred.shape={y_pred.shape}. Consider binary_crossentropy for "
                      "two classes.", SyntaxWarning, stacklevel=3)


def _normalised_clipped(p: Tensor) -> Tensor:
    """``p / sum(p)`` over the last axis, clipped to ``[eps, 1 - eps]`` (Keras's probability path)."""
    eps = backend.epsilon()
    return F.clip(p / F.sum(p, axis=-1, keepdims=True), eps, 1 - eps)


def sparse_categorical_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False,
                                    ignore_class: int | None = None, axis: int = -1) -> Tensor:
    """Per sample ``-ln p_k`` for integer labels ``k`` (shape of ``y_pred`` without the class
    ``axis``, optionally with a trailing 1).

    Probabilities are renormalised and clipped as in :func:`categorical_crossentropy`; gradient
    ``-1 / p_k`` at ``k``. With logits: ``ln(sum_j e**z_j) - z_k``, gradient
    ``softmax(z) - onehot(k)``. Positions labelled ``ignore_class`` give 0 (and no gradient); the
    :class:`SparseCategoricalCrossentropy` class also leaves them out of its mean. Keras 3 has no
    label smoothing for this loss; neither do we.

    Example:
        >>> import axon
        >>> round(axon.losses.sparse_categorical_crossentropy([1], [[0.5, 0.5]]).item(), 6)
        0.693147
    """
    y_pred = as_pred(y_pred)
    axis = check_axis(axis, y_pred.ndim, "sparse_categorical_crossentropy")
    labels, valid = sparse_labels(y_true, y_pred, axis, ignore_class)
    logits = y_pred if from_logits else producer_input(y_pred, Softmax, axis)
    if logits is not None:
        values = F.sparse_softmax_cross_entropy(move_axis_last(logits, axis), labels)
    else:
        p = _normalised_clipped(move_axis_last(y_pred, axis))
        values = -F.log(F.getitem(p, (*xp.indices(labels.shape, sparse=True), labels)))
    if valid is not None:
        values = F.where(valid, values, 0.0)
    return values


def sparse_labels(y_true: Any, y_pred: Tensor, axis: int, ignore_class: Any) -> tuple[Any, Any]:
    """Integer labels shaped like ``y_pred`` without ``axis``, and the mask of kept positions
    (``None`` without ``ignore_class``). Ignored positions get label 0."""
    labels = y_true.data if isinstance(y_true, Tensor) else xp.asarray(y_true)
    expected = y_pred.shape[:axis] + y_pred.shape[axis + 1:]
    if labels.ndim == y_pred.ndim and labels.shape[axis] == 1:
        labels = xp.squeeze(labels, axis)
    if labels.shape != expected:
        raise ValueError("sparse_categorical_crossentropy expects one integer label per sample, "
                         f"y_true of shape {expected} for y_pred of shape {y_pred.shape}. Received: "
                         f"y_true.shape={labels.shape}, y_pred.shape={y_pred.shape}")
    if labels.dtype.kind == "f" and labels.size and not xp.all(labels == xp.round(labels)):
        raise ValueError("sparse_categorical_crossentropy expects integer class labels in y_true. "
                         "Received non-integer values.")
    labels = labels.astype(xp.intp, copy=False)
    valid = None
    if ignore_class is not None:
        valid = labels != ignore_class
        labels = xp.where(valid, labels, 0)
    classes = y_pred.shape[axis]
    if labels.size and (labels.min() < 0 or labels.max() >= classes):
        raise ValueError(f"sparse_categorical_crossentropy expects labels in [0, {classes}) for "
                         f"y_pred with {classes} classes. Received labels from {labels.min()} to "
                         f"{labels.max()}.")
    return labels, valid


def kl_divergence(y_true: Any, y_pred: Any) -> Tensor:
    """Per sample ``sum_j y_j ln(y_j / p_j)`` over the last axis, with ``y`` and ``p`` clipped to
    ``[eps, 1]`` first, as in Keras; ``dL/dp_j = -y_j / p_j`` inside the clip range, else 0.

    Example:
        >>> import axon
        >>> round(axon.losses.kl_divergence([[0.5, 0.5]], [[0.25, 0.75]]).item(), 6)
        0.143841
    """
    y_true, y_pred = align(y_true, y_pred, "kl_divergence")
    eps = backend.epsilon()
    y = F.clip(y_true, eps, 1.0)
    p = F.clip(y_pred, eps, 1.0)
    return F.sum(y * F.log(y / p), axis=-1)


def poisson(y_true: Any, y_pred: Any) -> Tensor:
    """Per sample ``mean_j p_j - y_j ln(p_j + eps)`` over the last axis (``p`` a predicted rate);
    ``dL/dp_j = (1 - y_j / (p_j + eps)) / n``.

    Example:
        >>> import axon
        >>> round(axon.losses.poisson([[1.0, 2.0]], [[1.0, 1.0]]).item(), 6)
        1.0
    """
    y_true, y_pred = align(y_true, y_pred, "poisson")
    return F.mean(y_pred - y_true * F.log(y_pred + backend.epsilon()), axis=-1)


class BinaryCrossentropy(LossFunctionWrapper):
    """Binary cross-entropy for 0/1 targets; gradient ``(p - y) / (n p (1 - p))``, or
    ``(sigmoid(z) - y) / n`` with logits; see :func:`binary_crossentropy`.

    Args:
        from_logits: whether ``y_pred`` holds logits (default: probabilities).
        label_smoothing: ``s`` in [0, 1]; targets become ``y (1 - s) + s / 2``.
        axis: the axis the per-sample mean is taken over (default -1).

    Example:
        >>> import axon
        >>> loss = axon.losses.BinaryCrossentropy(from_logits=True)
        >>> round(loss([[1.0, 0.0]], [[0.0, 0.0]]).item(), 6)
        0.693147
    """

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="binary_crossentropy"):
        label_smoothing = check_label_smoothing(label_smoothing, "BinaryCrossentropy")
        super().__init__(binary_crossentropy, reduction, name, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis


class CategoricalCrossentropy(LossFunctionWrapper):
    """Categorical cross-entropy ``-sum y ln p`` for one-hot targets; gradient ``softmax(z) - y``
    with respect to logits; see :func:`categorical_crossentropy`.

    Args:
        from_logits: whether ``y_pred`` holds logits (default: probabilities).
        label_smoothing: ``s`` in [0, 1]; targets become ``y (1 - s) + s / K``.
        axis: the class axis (default -1).

    Example:
        >>> import axon
        >>> loss = axon.losses.CategoricalCrossentropy(label_smoothing=0.2)
        >>> round(loss([[0.0, 1.0]], [[0.5, 0.5]]).item(), 6)
        0.693147
    """

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_crossentropy"):
        label_smoothing = check_label_smoothing(label_smoothing, "CategoricalCrossentropy")
        super().__init__(categorical_crossentropy, reduction, name, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy ``-ln p_k`` for integer labels ``k``; gradient ``softmax(z) - onehot(k)`` with
    respect to logits; see :func:`sparse_categorical_crossentropy`.

    Args:
        from_logits: whether ``y_pred`` holds logits (default: probabilities).
        ignore_class: a label to leave out (e.g. a "void" class -1 or 255), or None. Ignored
            positions have weight 0 and the means divide by the number of positions kept
            (Keras's mask semantics).
        axis: the class axis (default -1).

    Example:
        >>> import axon
        >>> loss = axon.losses.SparseCategoricalCrossentropy(ignore_class=-1)
        >>> round(loss([1, -1], [[0.5, 0.5], [0.9, 0.1]]).item(), 6)
        0.693147
    """

    def __init__(self, from_logits=False, ignore_class=None, reduction="sum_over_batch_size",
                 axis=-1, name="sparse_categorical_crossentropy"):
        if ignore_class is not None and (isinstance(ignore_class, bool)
                                         or not isinstance(ignore_class, numbers.Integral)):
            raise ValueError("SparseCategoricalCrossentropy expects ignore_class to be an integer "
                             f"or None. Received: ignore_class={ignore_class!r}")
        super().__init__(sparse_categorical_crossentropy, reduction, name, from_logits=from_logits,
                         ignore_class=ignore_class, axis=axis)
        self.from_logits, self.ignore_class, self.axis = from_logits, ignore_class, axis

    def call(self, y_true, y_pred):
        return self.fn(y_true, y_pred, **self.fn_kwargs)  # labels keep their own shape

    def _target_dtype(self, y_pred):
        return None  # integer labels stay integers

    def _valid_mask(self, y_true, y_pred):
        if self.ignore_class is None:
            return None
        axis = check_axis(self.axis, y_pred.ndim, "SparseCategoricalCrossentropy")
        return sparse_labels(y_true, y_pred, axis, self.ignore_class)[1]


class KLDivergence(LossFunctionWrapper):
    """Kullback-Leibler divergence ``sum y ln(y / p)`` (both clipped to ``[eps, 1]``), gradient
    ``-y / p``; see :func:`kl_divergence`."""

    def __init__(self, reduction="sum_over_batch_size", name="kl_divergence"):
        super().__init__(kl_divergence, reduction, name)


class Poisson(LossFunctionWrapper):
    """Poisson loss ``mean(p - y ln(p + eps))``, gradient ``(1 - y / (p + eps)) / n``; see
    :func:`poisson`."""

    def __init__(self, reduction="sum_over_batch_size", name="poisson"):
        super().__init__(poisson, reduction, name)
