"""F-beta and F1 scores over the epoch, per class or averaged."""
from __future__ import annotations

from typing import Any

from axon import backend
from axon.backend import host as numpy  # metric states live on the host, by design
from axon.metrics.base import Metric, host

_AVERAGES = (None, "micro", "macro", "weighted")


class FBetaScore(Metric):
    """F-beta score ``(1 + β²) · P · R / (β² · P + R)`` from counts summed over the epoch.

    Inputs have shape ``(n, classes)``. A prediction is positive where ``p > threshold``; with
    ``threshold=None`` it is positive where it equals its row's maximum (and ``|p| > 1e-9``), i.e.
    the arg-max class (every class tied at the maximum). Per class, with sample weights ``w``:
    ``TP = sum w·ŷ·y``, ``FP = sum w·ŷ·(1-y)``, ``FN = sum w·(1-ŷ)·y``,
    ``P = TP / (TP + FP + eps)``, ``R = TP / (TP + FN + eps)``, and
    ``F = (1 + β²) · P·R / (β²·P + R + eps)`` (``eps = axon.backend.epsilon()``; Keras keeps these
    eps terms, so a perfect score reads 0.9999999..., not 1).

    Args:
        average: None (one score per class, an array), ``'micro'`` (counts pooled over classes
            first), ``'macro'`` (mean of the class scores) or ``'weighted'`` (class scores
            weighted by each class's weighted count of true targets ``sum w·y``).
        beta: ``β > 0``: recall counts ``β`` times as much as precision (default 1).
        threshold: in (0, 1], or None (arg-max, see above).
        name, dtype: see ``Metric``.

    Example:
        >>> m = FBetaScore(beta=2.0, average="macro", threshold=0.5)
        >>> m.update_state([[1, 0], [0, 1], [1, 0]], [[0.9, 0.2], [0.6, 0.3], [0.8, 0.7]])
        >>> round(m.result(), 4)
        0.4545
    """

    def __init__(self, average: str | None = None, beta: float = 1.0, threshold: float | None = None,
                 name: str = "fbeta_score", dtype: Any = None) -> None:
        super().__init__(name, dtype)
        if average not in _AVERAGES:
            raise ValueError(f"average must be one of {_AVERAGES}. Received: average={average!r}")
        if isinstance(beta, bool) or not isinstance(beta, int | float) or not beta > 0:
            raise ValueError(f"beta must be a number > 0. Received: beta={beta!r}")
        if threshold is not None and (isinstance(threshold, bool) or not isinstance(threshold, int | float)
                                      or not 0.0 < threshold <= 1.0):
            raise ValueError("threshold must be None or a number in (0, 1]. "
                             f"Received: threshold={threshold!r}")
        self.average, self.beta, self.threshold = average, float(beta), threshold
        self.reset_state()

    def reset_state(self) -> None:
        self.true_positives = self.false_positives = self.false_negatives = None
        self.intermediate_weights = None

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        y_true, y_pred = host(y_true, numpy.float64), host(y_pred, numpy.float64)
        if y_true.ndim != 2 or y_pred.ndim != 2 or y_true.shape != y_pred.shape:
            raise ValueError(f"{type(self).__name__} expects y_true and y_pred of the same 2D shape "
                             f"(batch_size, classes). Received: y_true.shape={y_true.shape}, "
                             f"y_pred.shape={y_pred.shape}")
        if self.threshold is None:
            predicted = (y_pred >= y_pred.max(axis=-1, keepdims=True)) & (numpy.abs(y_pred) > 1e-9)
        else:
            predicted = y_pred > self.threshold
        predicted = predicted.astype(numpy.float64)
        weight = numpy.ones((len(y_true), 1))
        if sample_weight is not None:
            weight = host(sample_weight, numpy.float64).reshape(-1, 1)
            if len(weight) != len(y_true):
                raise ValueError(f"sample_weight must have one value per sample ({len(y_true)}). "
                                 f"Received: sample_weight.shape={numpy.shape(sample_weight)}")
        axis = None if self.average == "micro" else 0
        batch = [numpy.sum(weight * predicted * y_true, axis=axis),
                 numpy.sum(weight * predicted * (1 - y_true), axis=axis),
                 numpy.sum(weight * (1 - predicted) * y_true, axis=axis),
                 numpy.sum(weight * y_true, axis=axis)]
        if self.true_positives is not None and numpy.shape(batch[0]) != numpy.shape(self.true_positives):
            raise ValueError(f"{type(self).__name__} was built for {len(self.true_positives)} classes. "
                             f"Received: y_pred.shape={y_pred.shape}")
        names = ("true_positives", "false_positives", "false_negatives", "intermediate_weights")
        for name, value in zip(names, batch):
            current = getattr(self, name)
            setattr(self, name, value if current is None else current + value)

    def result(self) -> Any:
        if self.true_positives is None:
            return 0.0
        eps = backend.epsilon()
        tp, fp, fn = self.true_positives, self.false_positives, self.false_negatives
        precision, recall = tp / (tp + fp + eps), tp / (tp + fn + eps)
        b2 = self.beta ** 2
        score = (1 + b2) * (precision * recall / (b2 * precision + recall + eps))
        if self.average == "weighted":
            support = self.intermediate_weights
            score = numpy.sum(score * support / (numpy.sum(support) + eps))
        elif self.average is not None:
            score = numpy.mean(score)
        return float(score) if numpy.ndim(score) == 0 else score

    def get_config(self) -> dict:
        return {**super().get_config(), "average": self.average, "beta": self.beta,
                "threshold": self.threshold}


class F1Score(FBetaScore):
    """F1 score ``2 · P · R / (P + R)``: ``FBetaScore`` with ``β = 1`` (same eps terms and options).

    Example:
        >>> m = F1Score(threshold=0.5)
        >>> m.update_state([[1, 1, 0], [0, 0, 1]], [[0.9, 0.2, 0.1], [0.1, 0.3, 0.8]])
        >>> m.result().round(4).tolist()
        [1.0, 0.0, 1.0]
    """

    def __init__(self, average: str | None = None, threshold: float | None = None,
                 name: str = "f1_score", dtype: Any = None) -> None:
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["beta"]
        return config
