"""Label encodings."""
from __future__ import annotations

from typing import Any

import numpy


def to_categorical(x: Any, num_classes: int | None = None) -> numpy.ndarray:
    """One-hot encode integer class labels, as ``keras.utils.to_categorical``.

    Args:
        x: integer labels in ``[0, num_classes)``, any shape (a trailing axis of size 1 is dropped).
        num_classes: number of classes; None (or 0, as in Keras) means ``max(x) + 1``.

    Returns:
        float32 array of shape ``x.shape + (num_classes,)`` (a trailing axis of 1 dropped first,
        for ``x`` of rank >= 2, as Keras). Keras returns float64 for most inputs; axon gives the
        default float type of its weights. Unlike Keras, negative or too large labels raise
        instead of wrapping around or failing deep inside NumPy.

    Example:
        >>> to_categorical([0, 2], num_classes=3).tolist()
        [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
    """
    labels = numpy.asarray(x)
    if labels.dtype.kind == "f":
        if not numpy.all(numpy.isfinite(labels)) or numpy.any(labels != numpy.round(labels)):
            raise ValueError("to_categorical expects integer class labels. "
                             f"Received non-integer values, e.g. {labels.ravel()[:5].tolist()}")
    elif labels.dtype.kind not in "iub":
        raise ValueError(f"to_categorical expects integer class labels. Received: dtype={labels.dtype}")
    if num_classes is not None and (isinstance(num_classes, bool) or not isinstance(
            num_classes, int | numpy.integer) or num_classes < 0):
        raise ValueError("to_categorical expects num_classes to be a non-negative int or None. "
                         f"Received: num_classes={num_classes!r}")
    labels = labels.astype(numpy.int64)
    if labels.ndim > 1 and labels.shape[-1] == 1:
        labels = labels[..., 0]
    if not num_classes:
        num_classes = int(labels.max()) + 1 if labels.size else 0
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(f"to_categorical expects labels in [0, {num_classes}). "
                         f"Received labels from {labels.min()} to {labels.max()}.")
    return numpy.eye(num_classes, dtype="float32")[labels]
