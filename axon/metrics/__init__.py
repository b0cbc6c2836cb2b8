"""Metrics: numbers reported during training, accumulated over an epoch.

A metric keeps plain NumPy state on the host (``update_state`` adds a batch, ``result`` reads it,
``reset_state`` clears it at each epoch) and never records a graph. Names, defaults and
semantics are Keras 3's; where Keras differs from the textbook, the class docstring says so.

Example:
    >>> import axon
    >>> m = axon.metrics.SparseCategoricalAccuracy()
    >>> m.update_state([1, 0], [[0.1, 0.9], [0.2, 0.8]])
    >>> float(m.result())
    0.5
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from axon.metrics.accuracy import (
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
    TopKCategoricalAccuracy,
    accuracy,
    binary_accuracy,
    categorical_accuracy,
    sparse_categorical_accuracy,
    sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy,
)
from axon.metrics.auc import AUC
from axon.metrics.base import Mean, MeanMetricWrapper, Metric, Sum
from axon.metrics.confusion import (
    FalseNegatives,
    FalsePositives,
    Precision,
    Recall,
    TrueNegatives,
    TruePositives,
)
from axon.metrics.f_score import F1Score, FBetaScore
from axon.metrics.regression import (
    CosineSimilarity,
    LogCoshError,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    R2Score,
    RootMeanSquaredError,
    cosine_similarity,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
)
from axon.utils.naming import to_snake_case
from axon.utils.registry import custom_class, custom_object, resolve

CLASSES: tuple[type, ...] = (
    Mean, Sum,
    Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
    TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy,
    MeanSquaredError, MeanAbsoluteError, RootMeanSquaredError, MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError, LogCoshError, CosineSimilarity, R2Score,
    TruePositives, FalsePositives, TrueNegatives, FalseNegatives, Precision, Recall, AUC,
    FBetaScore, F1Score,
)
"""Every built-in metric class (``MeanMetricWrapper`` needs a function and is not listed)."""

ALL: dict[str, type] = {
    **{to_snake_case(cls.__name__): cls for cls in CLASSES},
    "mse": MeanSquaredError, "mae": MeanAbsoluteError,
    "mape": MeanAbsolutePercentageError, "msle": MeanSquaredLogarithmicError,
}
"""String names, as Keras 3 accepts them (snake-case class names and the short aliases).
Class names (``'MeanSquaredError'``) work too; look-up ignores case. ``'rmse'`` is not a Keras
name: use ``'root_mean_squared_error'``."""

FUNCTIONS: dict[str, Callable] = {fn.__name__: fn for fn in (
    accuracy, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
    top_k_categorical_accuracy, sparse_top_k_categorical_accuracy, mean_squared_error,
    mean_absolute_error, mean_absolute_percentage_error, mean_squared_logarithmic_error, log_cosh,
    cosine_similarity)}
"""The per-sample metric functions, by name (used by ``MeanMetricWrapper.from_config``)."""

_ACCURACY_NAMES = ("accuracy", "acc")


def get_function(name: str) -> Callable:
    """A per-sample metric function by name: a custom one (``custom_objects``, registered) or a
    built-in one (see ``FUNCTIONS``)."""
    custom = custom_object(name)
    return custom if callable(custom) else resolve(name, FUNCTIONS, "metric function")


def serialize(metric: Metric) -> dict:
    """``{'class_name': ..., 'config': metric.get_config()}``, as Keras writes it."""
    class_name = getattr(type(metric), "_registered_name", None) or type(metric).__name__
    return {"class_name": class_name, "config": metric.get_config()}


def deserialize(config: dict, custom_objects: dict | None = None) -> Metric:
    """The metric that ``serialize`` described; ``custom_objects`` maps extra class names."""
    classes = {cls.__name__: cls for cls in (*CLASSES, MeanMetricWrapper)}
    classes.update(custom_objects or {})
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"deserialize expects {{'class_name': ..., 'config': ...}}. Received: {config!r}")
    cls = custom_class(config["class_name"]) or resolve(
        config["class_name"], {name.lower(): c for name, c in classes.items()}, "metric class")
    return cls.from_config(dict(config.get("config", {})))


def get(identifier: Any, loss: Any = None, output_shape: tuple | None = None) -> Metric:
    """A metric from a name, class, instance, config dict, or function
    ``(y_true, y_pred) -> per-sample values`` (wrapped in ``MeanMetricWrapper``).

    ``'accuracy'`` (or ``'acc'``) resolves as Keras's ``compile`` does: binary accuracy for a
    binary cross-entropy loss (or a one-unit output), sparse categorical accuracy for a sparse
    categorical cross-entropy loss, categorical accuracy otherwise. A metric made from a string
    keeps the name the user wrote (``'mse'`` logs as ``mse``), as in Keras.

    Raises:
        ValueError: for an unknown name (listing the known ones) or an uninterpretable identifier.
    """
    if isinstance(identifier, Metric):
        return identifier
    custom = custom_object(identifier)   # a name the program supplied: custom_objects, registered
    if custom is not None:
        return get(custom)
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        key = identifier.lower()
        if key in _ACCURACY_NAMES:
            return _accuracy_for(loss, output_shape)(name=identifier)
        known = {**ALL, **{cls.__name__.lower(): cls for cls in CLASSES},
                 **{name: None for name in _ACCURACY_NAMES}}
        cls = resolve(key, known, "metric")
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
    if kinds & {"binarycrossentropy", "binary_crossentropy", "binaryfocalcrossentropy",
                "binary_focal_crossentropy"} or (
            output_shape is not None and output_shape[-1] == 1):
        return BinaryAccuracy
    return CategoricalAccuracy


__all__ = [
    "Metric", "Mean", "Sum", "MeanMetricWrapper",
    "Accuracy", "BinaryAccuracy", "CategoricalAccuracy", "SparseCategoricalAccuracy",
    "TopKCategoricalAccuracy", "SparseTopKCategoricalAccuracy",
    "MeanSquaredError", "MeanAbsoluteError", "RootMeanSquaredError", "MeanAbsolutePercentageError",
    "MeanSquaredLogarithmicError", "LogCoshError", "CosineSimilarity", "R2Score",
    "TruePositives", "FalsePositives", "TrueNegatives", "FalseNegatives", "Precision", "Recall", "AUC",
    "FBetaScore", "F1Score",
    "accuracy", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
    "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy", "mean_squared_error",
    "mean_absolute_error", "mean_absolute_percentage_error", "mean_squared_logarithmic_error",
    "log_cosh", "cosine_similarity",
    "get", "get_function", "serialize", "deserialize", "ALL", "CLASSES", "FUNCTIONS",
]
