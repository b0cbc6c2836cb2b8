"""Accuracy metrics: how often predictions match targets, as a weighted mean over samples.

Each function returns one 0/1 value per element or sample; the class averages them with
``Mean``'s weighting rules.
"""
from __future__ import annotations

from typing import Any

from axon.backend import host as numpy  # metric states live on the host, by design
from axon.metrics.base import MeanMetricWrapper, match_rank


def accuracy(y_true: Any, y_pred: Any) -> numpy.ndarray:
    """``[y == p]`` elementwise (exact equality), after matching ranks."""
    y_pred = numpy.asarray(y_pred)
    y_true, y_pred = match_rank(numpy.asarray(y_true, dtype=y_pred.dtype), y_pred)
    return (y_true == y_pred).astype(numpy.float64)


def binary_accuracy(y_true: Any, y_pred: Any, threshold: float = 0.5) -> numpy.ndarray:
    """``[y == (p > threshold)]`` elementwise.

    As in Keras, the thresholded prediction (0 or 1) is compared for equality with ``y``, so a
    soft label such as 0.9 never counts as a match.
    """
    y_true, y_pred = match_rank(numpy.asarray(y_true), numpy.asarray(y_pred))
    return (y_true == (y_pred > threshold)).astype(numpy.float64)


def categorical_accuracy(y_true: Any, y_pred: Any) -> numpy.ndarray:
    """``[argmax(y) == argmax(p)]`` per sample, for one-hot (or score) targets.

    Ties in ``argmax`` go to the first index.
    """
    labels = numpy.argmax(numpy.asarray(y_true), axis=-1)
    y_pred = numpy.asarray(y_pred)
    shape = labels.shape
    if labels.ndim == y_pred.ndim:  # targets carried an extra trailing axis of size 1
        labels = numpy.squeeze(labels, -1)
    return (labels == numpy.argmax(y_pred, axis=-1)).astype(numpy.float64).reshape(shape)


def sparse_categorical_accuracy(y_true: Any, y_pred: Any) -> numpy.ndarray:
    """``[k == argmax(p)]`` per sample, for integer labels ``k`` of shape ``(n,)`` or ``(n, 1)``.

    Labels are compared as numbers, so float labels such as ``2.0`` work.
    """
    y_pred = numpy.asarray(y_pred)
    labels = numpy.asarray(y_true)
    if labels.ndim == y_pred.ndim and labels.shape[-1] == 1:
        labels = labels[..., 0]
    matches = (labels == numpy.argmax(y_pred, axis=-1)).astype(numpy.float64)
    return matches[..., 0] if matches.ndim > 1 and matches.shape[-1] == 1 else matches


def in_top_k(targets: numpy.ndarray, predictions: numpy.ndarray, k: int) -> numpy.ndarray:
    """Whether each target class is among the ``k`` highest scores of its row.

    A class is in the top k when fewer than ``k`` classes score strictly higher, so ties at the
    boundary all count (TensorFlow's ``in_top_k``); a NaN score at the target never counts.
    """
    at_target = numpy.take_along_axis(predictions, targets[:, None].astype(numpy.int64), axis=-1)
    at_target = numpy.where(numpy.isnan(at_target), -numpy.inf, at_target)
    return numpy.sum(predictions > at_target, axis=-1) < k


def top_k_categorical_accuracy(y_true: Any, y_pred: Any, k: int = 5) -> numpy.ndarray:
    """``[argmax(y) in top_k(p)]`` per sample, for one-hot targets (see :func:`in_top_k`)."""
    labels = numpy.argmax(numpy.asarray(y_true), axis=-1)
    return _top_k_matches(labels, numpy.asarray(y_pred), k)


def sparse_top_k_categorical_accuracy(y_true: Any, y_pred: Any, k: int = 5,
                                      from_sorted_ids: bool = False) -> numpy.ndarray:
    """``[k_true in top_k(p)]`` per sample, for integer labels (see :func:`in_top_k`).

    With ``from_sorted_ids=True``, ``y_pred`` holds class ids sorted by decreasing score
    (shape ``(n, N)``, ``N >= k``) and a match is the label among the first ``k`` of them.
    """
    labels = numpy.asarray(y_true)
    y_pred = numpy.asarray(y_pred)
    if not from_sorted_ids:
        return _top_k_matches(labels.astype(numpy.int64), y_pred, k)
    flat = labels.reshape(-1)
    matches = numpy.any(flat[:, None] == y_pred.reshape(-1, y_pred.shape[-1])[:, :k], axis=1)
    return matches.astype(numpy.float64).reshape(labels.shape)


def _top_k_matches(labels: numpy.ndarray, y_pred: numpy.ndarray, k: int) -> numpy.ndarray:
    matches = in_top_k(labels.reshape(-1), y_pred.reshape(-1, y_pred.shape[-1]), k)
    return matches.astype(numpy.float64).reshape(labels.shape)


class Accuracy(MeanMetricWrapper):
    """How often predictions equal targets exactly: weighted mean of ``[y == p]``.

    Example:
        >>> m = Accuracy()
        >>> m.update_state([[1], [2], [3], [4]], [[0], [2], [3], [4]])
        >>> m.result()
        0.75
    """

    def __init__(self, name: str = "accuracy", dtype: Any = None) -> None:
        super().__init__(accuracy, name, dtype)

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}


class BinaryAccuracy(MeanMetricWrapper):
    """How often thresholded predictions match binary targets: mean of ``[y == (p > threshold)]``.

    Args:
        threshold: a prediction counts as 1 when strictly greater (default 0.5).

    Example:
        >>> m = BinaryAccuracy()
        >>> m.update_state([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]])
        >>> m.result()
        0.75
    """

    def __init__(self, name: str = "binary_accuracy", dtype: Any = None, threshold: float = 0.5) -> None:
        super().__init__(binary_accuracy, name, dtype, threshold=threshold)
        self.threshold = threshold

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, "threshold": self.threshold}


class CategoricalAccuracy(MeanMetricWrapper):
    """How often ``argmax(p)`` matches ``argmax(y)`` for one-hot targets (logits work too).

    Example:
        >>> m = CategoricalAccuracy()
        >>> m.update_state([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
        >>> m.result()
        0.5
    """

    def __init__(self, name: str = "categorical_accuracy", dtype: Any = None) -> None:
        super().__init__(categorical_accuracy, name, dtype)

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often ``argmax(p)`` matches integer labels ``k``.

    Example:
        >>> m = SparseCategoricalAccuracy()
        >>> m.update_state([[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]])
        >>> m.result()
        0.5
    """

    def __init__(self, name: str = "sparse_categorical_accuracy", dtype: Any = None) -> None:
        super().__init__(sparse_categorical_accuracy, name, dtype)

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}


def _check_k(k: Any) -> int:
    if isinstance(k, bool) or not isinstance(k, int | numpy.integer) or k < 1:
        raise ValueError(f"k must be a positive integer. Received: k={k!r}")
    return int(k)


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot target's class is among the ``k`` highest predictions.

    Ties at the k-th score count as in the top k (TensorFlow's rule, which Keras follows).

    Args:
        k: how many top predictions to look at (default 5).

    Example:
        >>> m = TopKCategoricalAccuracy(k=1)
        >>> m.update_state([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
        >>> m.result()
        0.5
    """

    def __init__(self, k: int = 5, name: str = "top_k_categorical_accuracy", dtype: Any = None) -> None:
        super().__init__(top_k_categorical_accuracy, name, dtype, k=_check_k(k))
        self.k = k

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, "k": self.k}


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer label is among the ``k`` highest predictions.

    Args:
        k: how many top predictions to look at (default 5).
        from_sorted_ids: ``y_pred`` holds class ids sorted by decreasing score instead of scores.

    Example:
        >>> m = SparseTopKCategoricalAccuracy(k=1)
        >>> m.update_state([2, 1], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
        >>> m.result()
        0.5
    """

    def __init__(self, k: int = 5, name: str = "sparse_top_k_categorical_accuracy", dtype: Any = None,
                 from_sorted_ids: bool = False) -> None:
        super().__init__(sparse_top_k_categorical_accuracy, name, dtype, k=_check_k(k),
                         from_sorted_ids=from_sorted_ids)
        self.k, self.from_sorted_ids = k, from_sorted_ids

    def get_config(self) -> dict:
        config = {"name": self.name, "dtype": self.dtype, "k": self.k}
        if self.from_sorted_ids:
            config["from_sorted_ids"] = True
        return config
