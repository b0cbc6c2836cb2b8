"""Regression metrics: per-sample errors averaged over the epoch, and the R² score.

The functions compute on host NumPy arrays in float64, one value per sample (the mean over
the last axis), after matching the ranks of ``y_true`` and ``y_pred`` (a ``(n,)`` target goes
with a ``(n, 1)`` prediction). ``eps`` below is ``axon.backend.epsilon()`` (1e-7).
"""
from __future__ import annotations

import warnings
from typing import Any

from axon import backend
from axon.backend import host as numpy  # metric states live on the host, by design
from axon.metrics.base import Mean, MeanMetricWrapper, Metric, broadcast, host, match_rank


def _pair(y_true: Any, y_pred: Any) -> tuple[numpy.ndarray, numpy.ndarray]:
    return match_rank(host(y_true, numpy.float64), host(y_pred, numpy.float64))


def mean_squared_error(y_true: Any, y_pred: Any) -> numpy.ndarray:
    """``mean((y - p)²)`` over the last axis."""
    y_true, y_pred = _pair(y_true, y_pred)
    return numpy.mean((y_true - y_pred) ** 2, axis=-1)


def mean_absolute_error(y_true: Any, y_pred: Any) -> numpy.ndarray:
    """``mean(|y - p|)`` over the last axis."""
    y_true, y_pred = _pair(y_true, y_pred)
    return numpy.mean(numpy.abs(y_true - y_pred), axis=-1)


def mean_absolute_percentage_error(y_true: Any, y_pred: Any) -> numpy.ndarray:
    """``100 · mean(|y - p| / max(|y|, eps))`` over the last axis."""
    y_true, y_pred = _pair(y_true, y_pred)
    return 100.0 * numpy.mean(numpy.abs(y_true - y_pred) / numpy.maximum(numpy.abs(y_true),
                                                                         backend.epsilon()), axis=-1)


def mean_squared_logarithmic_error(y_true: Any, y_pred: Any) -> numpy.ndarray:
    """``mean((log(max(p, eps) + 1) - log(max(y, eps) + 1))²)`` over the last axis."""
    y_true, y_pred = _pair(y_true, y_pred)
    eps = backend.epsilon()
    return numpy.mean((numpy.log1p(numpy.maximum(y_pred, eps))
                       - numpy.log1p(numpy.maximum(y_true, eps))) ** 2, axis=-1)


def log_cosh(y_true: Any, y_pred: Any) -> numpy.ndarray:
    """``mean(log(cosh(p - y)))`` over the last axis, computed as ``x + softplus(-2x) - log 2``
    (no overflow for large ``|x|``)."""
    y_true, y_pred = _pair(y_true, y_pred)
    x = y_pred - y_true
    return numpy.mean(x + numpy.logaddexp(0.0, -2.0 * x) - numpy.log(2.0), axis=-1)


def cosine_similarity(y_true: Any, y_pred: Any, axis: int = -1) -> numpy.ndarray:
    """``sum(y·p) / (‖y‖ ‖p‖)`` along ``axis``; a zero vector counts as norm 1 (result 0)."""
    y_true, y_pred = _pair(y_true, y_pred)

    def unit(v: numpy.ndarray) -> numpy.ndarray:
        norm = numpy.linalg.norm(v, axis=axis, keepdims=True)
        return v / numpy.where(norm == 0, 1.0, norm)

    return numpy.sum(unit(y_true) * unit(y_pred), axis=axis)


class MeanSquaredError(MeanMetricWrapper):
    """Mean squared error ``mean((y - p)²)``, averaged over the epoch.

    Example:
        >>> m = MeanSquaredError()
        >>> m.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]])
        >>> m.result()
        0.25
    """

    def __init__(self, name: str = "mean_squared_error", dtype: Any = None) -> None:
        super().__init__(mean_squared_error, name, dtype)

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}


class MeanAbsoluteError(MeanMetricWrapper):
    """Mean absolute error ``mean(|y - p|)``, averaged over the epoch.

    Example:
        >>> m = MeanAbsoluteError()
        >>> m.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]])
        >>> m.result()
        0.25
    """

    def __init__(self, name: str = "mean_absolute_error", dtype: Any = None) -> None:
        super().__init__(mean_absolute_error, name, dtype)

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}


class MeanAbsolutePercentageError(MeanMetricWrapper):
    """``100 · mean(|y - p| / max(|y|, eps))``, averaged over the epoch.

    Example:
        >>> m = MeanAbsolutePercentageError()
        >>> m.update_state([[2.0, 4.0]], [[1.0, 5.0]])
        >>> m.result()
        37.5
    """

    def __init__(self, name: str = "mean_absolute_percentage_error", dtype: Any = None) -> None:
        super().__init__(mean_absolute_percentage_error, name, dtype)

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}


class MeanSquaredLogarithmicError(MeanMetricWrapper):
    """``mean((log(max(p, eps) + 1) - log(max(y, eps) + 1))²)``, averaged over the epoch.

    Example:
        >>> m = MeanSquaredLogarithmicError()
        >>> m.update_state([[0.0, 1.0]], [[0.0, 1.0]])
        >>> m.result()
        0.0
    """

    def __init__(self, name: str = "mean_squared_logarithmic_error", dtype: Any = None) -> None:
        super().__init__(mean_squared_logarithmic_error, name, dtype)

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}


class LogCoshError(MeanMetricWrapper):
    """``mean(log(cosh(p - y)))``, averaged over the epoch. Keras's default name is ``'logcosh'``.

    Example:
        >>> m = LogCoshError()
        >>> m.update_state([[0.0, 0.0]], [[0.0, 0.0]])
        >>> m.result()
        0.0
    """

    def __init__(self, name: str = "logcosh", dtype: Any = None) -> None:
        super().__init__(log_cosh, name, dtype)

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}


class CosineSimilarity(MeanMetricWrapper):
    """Mean cosine similarity ``y·p / (‖y‖ ‖p‖)`` between targets and predictions along ``axis``.

    Example:
        >>> m = CosineSimilarity()
        >>> m.update_state([[0.0, 1.0], [1.0, 1.0]], [[1.0, 0.0], [1.0, 1.0]])
        >>> round(m.result(), 6)
        0.5
    """

    def __init__(self, name: str = "cosine_similarity", dtype: Any = None, axis: int = -1) -> None:
        super().__init__(cosine_similarity, name, dtype, axis=axis)
        self.axis = axis

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, "axis": self.axis}


class RootMeanSquaredError(Mean):
    """``sqrt(sum_i w_i (y_i - p_i)² / sum_i w_i)``: the square root of the epoch's weighted mean
    squared error (each squared error weighted by its sample's weight).

    Example:
        >>> m = RootMeanSquaredError()
        >>> m.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]])
        >>> m.result()
        0.5
    """

    def __init__(self, name: str = "root_mean_squared_error", dtype: Any = None) -> None:
        super().__init__(name, dtype)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        y_true, y_pred = _pair(y_true, y_pred)
        super().update_state((y_pred - y_true) ** 2, sample_weight=sample_weight)

    def result(self) -> float:
        return float(numpy.sqrt(super().result()))


class R2Score(Metric):
    """Coefficient of determination ``R² = 1 - SS_res / SS_tot`` per output column, over the epoch.

    With ``w`` the sample weights, per column: ``SS_res = sum w (y - p)²`` and
    ``SS_tot = sum w y² - (sum w y)² / sum w`` (the weighted spread around the weighted mean).
    An infinite column score (``SS_tot = 0``) becomes 0, as in Keras.

    Args:
        class_aggregation: ``'uniform_average'`` (mean of the column scores, default),
            ``'variance_weighted_average'`` (weighted by ``SS_tot``) or None (one score per column).
        num_regressors: ``p`` > 0 gives the adjusted score ``1 - (1 - R²)(n - 1)/(n - p - 1)``.
            As in Keras, ``n`` counts every entry of ``y_true`` (samples × columns) and the
            plain score is kept (with a warning) when ``n - 1 <= p``.

    Inputs are ``(n, columns)`` (a ``(n,)`` target is matched to a ``(n, 1)`` prediction).

    Example:
        >>> m = R2Score()
        >>> m.update_state([[1.0], [2.0], [3.0]], [[1.0], [2.0], [4.0]])
        >>> m.result()
        0.5
    """

    def __init__(self, class_aggregation: str | None = "uniform_average", num_regressors: int = 0,
                 name: str = "r2_score", dtype: Any = None) -> None:
        super().__init__(name, dtype)
        if class_aggregation not in (None, "uniform_average", "variance_weighted_average"):
            raise ValueError("class_aggregation must be one of None, 'uniform_average', "
                             "'variance_weighted_average'. "
                             f"Received: class_aggregation={class_aggregation!r}")
        if num_regressors < 0:
            raise ValueError(f"num_regressors must be >= 0. Received: num_regressors={num_regressors}")
        self.class_aggregation, self.num_regressors = class_aggregation, num_regressors
        self.reset_state()

    def reset_state(self) -> None:
        self.sum = self.squared_sum = self.residual = self.count = None
        self.num_samples = 0

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        y_true, y_pred = _pair(y_true, y_pred)
        if y_true.ndim != 2 or y_pred.ndim != 2:
            raise ValueError("R2Score expects 2D inputs of shape (batch_size, output_dim). Received: "
                             f"y_true.shape={y_true.shape}, y_pred.shape={y_pred.shape}")
        if self.sum is not None and y_pred.shape[1] != self.sum.shape[0]:
            raise ValueError(f"R2Score was built for {self.sum.shape[0]} columns. "
                             f"Received: y_pred.shape={y_pred.shape}")
        weight = numpy.ones(()) if sample_weight is None else host(sample_weight, numpy.float64)
        if weight.ndim == 1:
            weight = weight[:, None]
        weight = broadcast(weight, y_true.shape, "sample_weight", "y_true")
        batch = [numpy.sum(weight * y_true, axis=0), numpy.sum(weight * y_true ** 2, axis=0),
                 numpy.sum(weight * (y_true - y_pred) ** 2, axis=0), numpy.sum(weight, axis=0)]
        if self.sum is None:
            self.sum, self.squared_sum, self.residual, self.count = batch
        else:
            for name, value in zip(("sum", "squared_sum", "residual", "count"), batch):
                setattr(self, name, getattr(self, name) + value)
        self.num_samples += y_true.size

    def result(self) -> Any:
        if self.sum is None:
            return 0.0
        with numpy.errstate(divide="ignore", invalid="ignore"):
            total = self.squared_sum - self.sum * (self.sum / self.count)
            scores = 1.0 - self.residual / total
        scores = numpy.where(numpy.isinf(scores), 0.0, scores)
        if self.class_aggregation == "uniform_average":
            score = numpy.mean(scores)
        elif self.class_aggregation == "variance_weighted_average":
            score = numpy.sum(total * scores) / numpy.sum(total)
        else:
            score = scores
        n, p = self.num_samples, self.num_regressors
        if p:
            if p >= n - 1:
                warnings.warn("R2Score: num_regressors >= number of data points - 1; "
                              "returning the plain (unadjusted) R² score.", stacklevel=2)
            else:
                score = 1.0 - (1.0 - score) * (n - 1) / (n - p - 1)
        return float(score) if numpy.ndim(score) == 0 else score

    def get_config(self) -> dict:
        return {**super().get_config(), "class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors}
