"""Metrics: numbers reported during training, accumulated over an epoch.

A metric keeps plain array state (``update_state`` adds a batch, ``result`` reads it,
``reset_state`` clears it at each epoch) and never records a graph.

Example:
    >>> import axon
    >>> m = axon.metrics.SparseCategoricalAccuracy()
    >>> m.update_state([1, 0], [[0.1, 0.9], [0.2, 0.8]])
    >>> float(m.result())
    0.5
"""
from __future__ import annotations

from typing import Any

import numpy

from axon import backend
from axon.engine import Tensor
from axon.utils import resolve
from axon.utils.naming import to_snake_case


def _host(value: Any) -> numpy.ndarray:
    return backend.to_numpy(value.data if isinstance(value, Tensor) else value)


class Metric:
    """Base metric: ``update_state(y_true, y_pred, sample_weight=None)``, ``result()``,
    ``reset_state()``."""

    def __init__(self, name: str | None = None, dtype: Any = None) -> None:
        self.name = name or to_snake_case(type(self).__name__)
        self.dtype = dtype

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        raise NotImplementedError

    def result(self) -> float:
        raise NotImplementedError

    def reset_state(self) -> None:
        raise NotImplementedError

    def get_config(self) -> dict:
        return {"name": self.name}


class Mean(Metric):
    """The weighted mean of the values given: ``sum_i w_i v_i / sum_i w_i``."""

    def __init__(self, name: str = "mean", dtype: Any = None) -> None:
        super().__init__(name, dtype)
        self.reset_state()

    def reset_state(self) -> None:
        self.total, self.count = 0.0, 0.0

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        values = _host(values).astype(numpy.float64)
        if sample_weight is None:
            self.total += float(values.sum())
            self.count += values.size
        else:
            weight = numpy.broadcast_to(_host(sample_weight).reshape(
                _host(sample_weight).shape + (1,) * (values.ndim - _host(sample_weight).ndim)),
                values.shape)
            self.total += float((values * weight).sum())
            self.count += float(weight.sum())

    def result(self) -> float:
        return self.total / self.count if self.count else 0.0


class MeanMetricWrapper(Mean):
    """The mean over samples of a per-sample function ``fn(y_true, y_pred)`` on arrays."""

    def __init__(self, fn, name: str | None = None, dtype: Any = None, **kwargs) -> None:
        super().__init__(name or fn.__name__, dtype)
        self.fn, self.fn_kwargs = fn, kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        super().update_state(self.fn(_host(y_true), _host(y_pred), **self.fn_kwargs),
                             sample_weight)


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """Per sample mean of ``[ (p > threshold) == y ]`` over the last axis."""
    y_true = y_true.reshape(y_pred.shape) if y_true.size == y_pred.size else y_true
    return numpy.mean((y_pred > threshold) == (y_true > 0.5), axis=-1)


def categorical_accuracy(y_true, y_pred):
    """``argmax(y) == argmax(p)`` per sample."""
    return (numpy.argmax(y_true, axis=-1) == numpy.argmax(y_pred, axis=-1)).astype(numpy.float64)


def sparse_categorical_accuracy(y_true, y_pred):
    """``k == argmax(p)`` per sample, for integer labels ``k``."""
    labels = y_true.reshape(y_pred.shape[:-1]) if y_true.size == y_pred[..., 0].size else y_true
    return (labels == numpy.argmax(y_pred, axis=-1)).astype(numpy.float64)


def mean_squared_error(y_true, y_pred):
    """``mean((y - p)**2)`` over the last axis."""
    return numpy.mean((y_pred - y_true.reshape(y_pred.shape)) ** 2, axis=-1)


def mean_absolute_error(y_true, y_pred):
    """``mean(|y - p|)`` over the last axis."""
    return numpy.mean(numpy.abs(y_pred - y_true.reshape(y_pred.shape)), axis=-1)


class BinaryAccuracy(MeanMetricWrapper):
    """How often ``p > threshold`` matches binary targets."""

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(binary_accuracy, name, dtype, threshold=threshold)


class CategoricalAccuracy(MeanMetricWrapper):
    """How often the arg-max of predictions matches the arg-max of one-hot targets."""

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(categorical_accuracy, name, dtype)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often the arg-max of predictions matches integer labels."""

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(sparse_categorical_accuracy, name, dtype)


class MeanSquaredError(MeanMetricWrapper):
    """Mean squared error, averaged over the epoch."""

    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, name, dtype)


class MeanAbsoluteError(MeanMetricWrapper):
    """Mean absolute error, averaged over the epoch."""

    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, name, dtype)


ALL: dict[str, type] = {
    "binary_accuracy": BinaryAccuracy, "categorical_accuracy": CategoricalAccuracy,
    "sparse_categorical_accuracy": SparseCategoricalAccuracy,
    "mean_squared_error": MeanSquaredError, "mse": MeanSquaredError,
    "mean_absolute_error": MeanAbsoluteError, "mae": MeanAbsoluteError,
}
_ACCURACY_NAMES = ("accuracy", "acc")


def get(identifier: Any, loss: Any = None, output_shape: tuple | None = None) -> Metric:
    """A metric from a name, class, instance or function ``(y_true, y_pred) -> per-sample values``.

    ``'accuracy'`` (or ``'acc'``) resolves as Keras does: binary accuracy for a binary
    cross-entropy loss (or a one-unit output), sparse categorical accuracy for a sparse
    categorical cross-entropy loss, categorical accuracy otherwise. The metric keeps the name
    the user wrote.
    """
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    if isinstance(identifier, str):
        key = identifier.lower()
        if key in _ACCURACY_NAMES:
            return _accuracy_for(loss, output_shape)(name=identifier)
        cls = resolve(key, {**ALL, **{c.__name__.lower(): c for c in set(ALL.values())},
                            **{name: None for name in _ACCURACY_NAMES}}, "metric")
        return cls(name=identifier)
    if callable(identifier):
        return MeanMetricWrapper(identifier)
    raise ValueError(f"Could not interpret metric identifier: {identifier!r}")


def _accuracy_for(loss: Any, output_shape: tuple | None) -> type:
    """The accuracy that fits ``loss`` (a name, a Loss, or a wrapped loss function)."""
    if isinstance(loss, str):
        kinds = {loss.lower()}
    else:  # the loss's classes and wrapped function, so subclasses and custom names still match
        kinds = {cls.__name__.lower() for cls in type(loss).__mro__}
        kinds.add(getattr(getattr(loss, "fn", None), "__name__", ""))
    if kinds & {"sparsecategoricalcrossentropy", "sparse_categorical_crossentropy"}:
        return SparseCategoricalAccuracy
    if kinds & {"binarycrossentropy", "binary_crossentropy"} or (
            output_shape is not None and output_shape[-1] == 1):
        return BinaryAccuracy
    return CategoricalAccuracy
