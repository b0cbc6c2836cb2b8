"""Metrics from confusion-matrix counts at thresholds: TruePositives, FalsePositives,
TrueNegatives, FalseNegatives, Precision, Recall.

A prediction ``p`` is positive at threshold ``t`` when ``p > t`` (strictly); a target is positive
when it is non-zero. Every count is a sum of sample weights (1 each without weights). Targets and
predictions are flattened, so every entry (sample × label) counts once, unless noted.

Scores and thresholds are compared in the metric's dtype (float32 by default), as Keras does:
a float32 prediction 0.3 is not above the threshold 0.3. (For evenly spaced thresholds Keras
counts by bucket index ``ceil(p (T-1)) - 1`` instead; the two agree except for a score within
one float32 step above a threshold.) Ties in ``top_k`` go to the lower class index (Keras with
the JAX or TensorFlow backend; its NumPy backend prefers the higher index).
"""
from __future__ import annotations

from typing import Any

from axon import backend
from axon.backend import host as numpy  # metric states live on the host, by design
from axon.metrics.base import Metric, broadcast, host, match_rank

NEG_INF = -1e10
"""The score given to predictions outside the top k, and the default threshold with ``top_k``."""


def parse_thresholds(thresholds: Any, default: float) -> list[float]:
    """``thresholds`` (a number or a list, each in [0, 1]) as a list; ``[default]`` for None."""
    if thresholds is None:
        return [default]
    values = list(numpy.ravel(thresholds))
    bad = [t for t in values if t is None or isinstance(t, bool) or not 0.0 <= t <= 1.0]
    if not values or bad:
        raise ValueError(f"thresholds must be numbers in [0, 1]. Received: thresholds={thresholds!r}")
    return [float(t) for t in values]


def evenly_spaced(thresholds: Any) -> bool:
    """Whether ``thresholds`` are ``i / (n - 1)`` for ``i = 0 .. n-1`` (n >= 3), up to eps.

    For such thresholds Keras clips predictions to [0, 1] before counting (its fast path);
    axon does the same so both count alike.
    """
    n = len(thresholds)
    return n >= 3 and bool(numpy.allclose(thresholds, numpy.arange(n) / (n - 1),
                                          atol=backend.epsilon()))


def filter_top_k(scores: numpy.ndarray, k: int) -> numpy.ndarray:
    """Keep the ``k`` highest scores of each row (ties: lower index first); the rest become
    ``NEG_INF``."""
    order = numpy.argsort(-scores, axis=-1, kind="stable")[..., :k]
    keep = numpy.zeros(scores.shape, dtype=bool)
    numpy.put_along_axis(keep, order, True, axis=-1)
    return numpy.where(keep, scores, NEG_INF)


def _weight_above_and_below(scores: numpy.ndarray, weights: numpy.ndarray, thresholds: numpy.ndarray):
    """For 1-D ``scores`` and ``weights`` of shape ``(m, k)``: the weight sums of scores ``> t``
    and ``<= t`` for each threshold, each of shape ``(len(thresholds), k)``.

    Sorting once makes this ``O(m log m + T log m)``. A NaN score is never above a threshold.
    """
    scores = numpy.where(numpy.isnan(scores), -numpy.inf, scores)
    order = numpy.argsort(scores, kind="stable")
    weights = weights[order]
    zero = numpy.zeros((1, weights.shape[1]))
    below = numpy.concatenate([zero, numpy.cumsum(weights, axis=0)])
    above = numpy.concatenate([numpy.cumsum(weights[::-1], axis=0)[::-1], zero])
    index = numpy.searchsorted(scores[order], thresholds, side="right")  # number of scores <= t
    return above[index], below[index]


def confusion_counts(y_true: Any, y_pred: Any, thresholds: Any, sample_weight: Any = None,
                     top_k: int | None = None, class_id: int | None = None, multi_label: bool = False,
                     label_weights: Any = None, clip: bool = False,
                     dtype: Any = "float32") -> dict[str, numpy.ndarray]:
    """Weighted confusion counts ``{'tp', 'fp', 'tn', 'fn'}`` at each threshold.

    Args:
        y_true, y_pred: targets (non-zero = positive) and scores, ranks matched as Keras does.
        thresholds: ``T`` numbers; ``p > t`` is a positive prediction.
        sample_weight: broadcast to ``y_pred``'s shape (a ``(n,)`` weight weights whole rows).
        top_k: only the ``k`` highest scores of each row may be positive.
        class_id: count only that column (of the last axis).
        multi_label: ``y_pred`` of shape ``(n, labels)``: counts per label, shape ``(T, labels)``;
            otherwise every entry is pooled and counts have shape ``(T,)``.
        label_weights: per-label weights multiplied in (not with ``multi_label``).
        clip: clip scores to [0, 1] first (Keras does for evenly spaced thresholds).
        dtype: the float type in which scores are compared with thresholds.
    """
    y_pred, y_true = match_rank(host(y_pred, dtype), host(y_true, numpy.float64))
    weight = None
    if sample_weight is not None:
        weight = host(sample_weight, numpy.float64)[..., None]
        _, weight = match_rank(y_true, weight, expand_rank_1=False)
    if top_k is not None:
        y_pred = filter_top_k(y_pred, top_k)
    if class_id is not None:
        if y_pred.ndim < 2:
            raise ValueError("With class_id, y_pred must have shape (num_samples, num_classes). "
                             f"Received: y_pred.shape={y_pred.shape}")
        y_true, y_pred = y_true[..., class_id, None], y_pred[..., class_id, None]
    if clip:
        y_pred = numpy.clip(y_pred, 0.0, 1.0)
    y_true = broadcast(y_true, y_pred.shape, "y_true", "y_pred")
    weight = numpy.ones(y_pred.shape) if weight is None else \
        broadcast(weight, y_pred.shape, "sample_weight", "y_pred")
    if label_weights is not None and not multi_label:
        weight = weight * broadcast(numpy.asarray(label_weights, dtype=numpy.float64), y_pred.shape,
                                    "label_weights", "y_pred")
    positive = y_true != 0
    thresholds = numpy.asarray(thresholds, dtype=dtype)
    if not multi_label:
        split = numpy.stack([numpy.where(positive, weight, 0.0).ravel(),
                             numpy.where(positive, 0.0, weight).ravel()], axis=1)
        above, below = _weight_above_and_below(y_pred.ravel(), split, thresholds)
        return {"tp": above[:, 0], "fp": above[:, 1], "fn": below[:, 0], "tn": below[:, 1]}
    if y_pred.ndim != 2:
        raise ValueError("With multi_label=True, y_pred must have rank 2 (samples, labels). "
                         f"Received: y_pred.shape={y_pred.shape}")
    counts = {key: numpy.zeros((len(thresholds), y_pred.shape[1])) for key in ("tp", "fp", "tn", "fn")}
    for label in range(y_pred.shape[1]):
        split = numpy.stack([numpy.where(positive[:, label], weight[:, label], 0.0),
                             numpy.where(positive[:, label], 0.0, weight[:, label])], axis=1)
        above, below = _weight_above_and_below(y_pred[:, label], split, thresholds)
        counts["tp"][:, label], counts["fp"][:, label] = above[:, 0], above[:, 1]
        counts["fn"][:, label], counts["tn"][:, label] = below[:, 0], below[:, 1]
    return counts


def divide_no_nan(a: Any, b: Any) -> numpy.ndarray:
    """``a / b``, with 0 wherever ``b == 0``."""
    a, b = numpy.asarray(a, dtype=numpy.float64), numpy.asarray(b, dtype=numpy.float64)
    return numpy.divide(a, b, out=numpy.zeros(numpy.broadcast(a, b).shape), where=b != 0)


def _scalar_or_array(values: numpy.ndarray) -> Any:
    """One threshold: a float; several: an array (one value per threshold)."""
    return float(values[0]) if len(values) == 1 else values.copy()


class _ThresholdCount(Metric):
    """One confusion-matrix entry summed over the epoch, at each threshold."""

    entry = ""

    def __init__(self, thresholds: Any = None, name: str | None = None, dtype: Any = None) -> None:
        super().__init__(name, dtype)
        self.init_thresholds = thresholds
        self.thresholds = parse_thresholds(thresholds, 0.5)
        self.reset_state()

    def reset_state(self) -> None:
        self.accumulator = numpy.zeros(len(self.thresholds))

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        self.accumulator += confusion_counts(y_true, y_pred, self.thresholds, sample_weight,
                                             clip=evenly_spaced(self.thresholds),
                                             dtype=self.dtype)[self.entry]

    def result(self) -> Any:
        return _scalar_or_array(self.accumulator)

    def get_config(self) -> dict:
        thresholds = self.init_thresholds
        return {**super().get_config(),
                "thresholds": thresholds if thresholds is None or numpy.ndim(thresholds) == 0
                else [float(t) for t in numpy.ravel(thresholds)]}


class TruePositives(_ThresholdCount):
    """Weighted count of true positives, ``sum w · [y != 0 and p > t]``, at each threshold.

    Args:
        thresholds: a number or list in [0, 1] (default 0.5). With several, ``result()`` is an
            array with one count per threshold; with one, a float.

    Example:
        >>> m = TruePositives()
        >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
        >>> m.result()
        2.0
    """

    entry = "tp"


class FalsePositives(_ThresholdCount):
    """Weighted count of false positives, ``sum w · [y == 0 and p > t]``, at each threshold.

    Args:
        thresholds: as in ``TruePositives``.

    Example:
        >>> m = FalsePositives()
        >>> m.update_state([0, 1, 0, 0], [0, 0, 1, 1])
        >>> m.result()
        2.0
    """

    entry = "fp"


class TrueNegatives(_ThresholdCount):
    """Weighted count of true negatives, ``sum w · [y == 0 and p <= t]``, at each threshold.

    Args:
        thresholds: as in ``TruePositives``.

    Example:
        >>> m = TrueNegatives()
        >>> m.update_state([0, 1, 0, 0], [1, 1, 0, 0])
        >>> m.result()
        2.0
    """

    entry = "tn"


class FalseNegatives(_ThresholdCount):
    """Weighted count of false negatives, ``sum w · [y != 0 and p <= t]``, at each threshold.

    Args:
        thresholds: as in ``TruePositives``.

    Example:
        >>> m = FalseNegatives()
        >>> m.update_state([0, 1, 1, 1], [0, 1, 0, 0])
        >>> m.result()
        2.0
    """

    entry = "fn"


class _PrecisionRecall(Metric):
    """Shared state of Precision and Recall: true positives and one other count per threshold."""

    other = ""

    def __init__(self, thresholds: Any = None, top_k: int | None = None, class_id: int | None = None,
                 name: str | None = None, dtype: Any = None) -> None:
        super().__init__(name, dtype)
        if top_k is not None and (isinstance(top_k, bool) or not isinstance(top_k, int) or top_k < 1):
            raise ValueError(f"top_k must be a positive integer or None. Received: top_k={top_k!r}")
        self.init_thresholds, self.top_k, self.class_id = thresholds, top_k, class_id
        self.thresholds = parse_thresholds(thresholds, 0.5 if top_k is None else NEG_INF)
        self.reset_state()

    def reset_state(self) -> None:
        self.true_positives = numpy.zeros(len(self.thresholds))
        setattr(self, self.other, numpy.zeros(len(self.thresholds)))

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        counts = confusion_counts(y_true, y_pred, self.thresholds, sample_weight, top_k=self.top_k,
                                  class_id=self.class_id, clip=evenly_spaced(self.thresholds),
                                  dtype=self.dtype)
        self.true_positives += counts["tp"]
        key = "fp" if self.other == "false_positives" else "fn"
        setattr(self, self.other, getattr(self, self.other) + counts[key])

    def result(self) -> Any:
        tp = self.true_positives
        return _scalar_or_array(divide_no_nan(tp, tp + getattr(self, self.other)))

    def get_config(self) -> dict:
        thresholds = self.init_thresholds
        if thresholds is not None and numpy.ndim(thresholds) > 0:
            thresholds = [float(t) for t in numpy.ravel(thresholds)]
        return {**super().get_config(), "thresholds": thresholds, "top_k": self.top_k,
                "class_id": self.class_id}


class Precision(_PrecisionRecall):
    """Precision ``TP / (TP + FP)`` over the epoch (0 when nothing was predicted positive).

    Args:
        thresholds: a number or list in [0, 1]; ``p > t`` is a positive prediction. Default 0.5,
            or, with ``top_k``, no threshold (any top-k score is positive). Several thresholds
            give an array of precisions.
        top_k: only the ``k`` highest scores of each sample count as positive predictions.
        class_id: only that class (column) is counted.

    Example:
        >>> m = Precision()
        >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
        >>> round(m.result(), 6)
        0.666667
    """

    other = "false_positives"


class Recall(_PrecisionRecall):
    """Recall ``TP / (TP + FN)`` over the epoch (0 when there was no positive target).

    Args:
        thresholds, top_k, class_id: as in ``Precision``.

    Example:
        >>> m = Recall()
        >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
        >>> round(m.result(), 6)
        0.666667
    """

    other = "false_negatives"
