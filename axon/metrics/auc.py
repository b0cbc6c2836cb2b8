"""AUC: the area under the ROC or precision-recall curve, from confusion counts at thresholds."""
from __future__ import annotations

from typing import Any

from axon import backend
from axon.backend import host as numpy  # metric states live on the host, by design
from axon.metrics.base import Metric, host
from axon.metrics.confusion import confusion_counts, divide_no_nan, evenly_spaced

_CURVES = {"roc": "ROC", "pr": "PR", "prgain": "PRGAIN"}
_SUMMATIONS = ("interpolation", "majoring", "minoring")


class AUC(Metric):
    """Area under the ROC or PR curve, approximated from confusion counts at ``T`` thresholds.

    Thresholds (Keras's placement): ``-eps, 1/(T-1), 2/(T-1), ..., (T-2)/(T-1), 1 + eps`` with
    ``eps = axon.backend.epsilon()``, so the first catches every prediction (``p > -eps``) and
    the last none; with explicit ``thresholds`` they are ``[-eps] + sorted(thresholds) + [1+eps]``.
    When the thresholds are evenly spaced, predictions are clipped to [0, 1] first (as Keras).
    At threshold ``i`` the counts give ``TPR_i = TP/(TP+FN)`` (recall), ``FPR_i = FP/(FP+TN)``,
    ``precision_i = TP/(TP+FP)`` (each 0 when its denominator is 0).

    - ``curve='ROC'``: ``x = FPR, y = TPR``; ``curve='PR'``: ``x = recall, y = precision``
      (``'PRGAIN'``: precision-recall gain, as Keras).
    - ``summation_method='interpolation'``: ROC uses the trapezoid rule
      ``sum_i (x_i - x_{i+1}) (y_i + y_{i+1}) / 2``; PR uses Davis & Goadrich's interpolation:
      between adjacent thresholds TP grows linearly in ``P = TP + FP`` with slope
      ``s = ΔTP / ΔP`` and intercept ``b = TP_{i+1} - s P_{i+1}``, so
      ``∫ precision d(recall) = s (ΔTP + b log(P_i / P_{i+1})) / (TP_{i+1} + FN_{i+1})``
      (the log term is dropped when either ``P`` is 0; a step with ``ΔP = 0`` adds nothing).
    - ``'minoring'`` / ``'majoring'``: heights ``min(y_i, y_{i+1})`` / ``max(y_i, y_{i+1})``.

    Args:
        num_thresholds: ``T > 1`` (default 200); ignored when ``thresholds`` is given.
        curve: ``'ROC'`` (default), ``'PR'`` or ``'PRGAIN'``.
        summation_method: ``'interpolation'`` (default), ``'minoring'``, ``'majoring'``.
        name, dtype: see ``Metric``.
        thresholds: explicit interior thresholds in [0, 1].
        multi_label: ``y_pred`` of shape ``(n, labels)``: one curve per label; the result is
            their mean (weighted by ``label_weights`` if given). Otherwise all entries are pooled
            into one curve.
        num_labels: number of labels with ``multi_label`` (else taken from the first batch).
        label_weights: per-label weights: with ``multi_label`` they weight the per-label areas;
            otherwise they weight each label's counts.
        from_logits: apply the sigmoid ``1 / (1 + e^-p)`` to predictions first.

    Example:
        >>> m = AUC(num_thresholds=3)
        >>> m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
        >>> round(m.result(), 6)
        0.75
    """

    def __init__(self, num_thresholds: int = 200, curve: str = "ROC",
                 summation_method: str = "interpolation", name: str | None = None, dtype: Any = None,
                 thresholds: Any = None, multi_label: bool = False, num_labels: int | None = None,
                 label_weights: Any = None, from_logits: bool = False) -> None:
        super().__init__(name, dtype)
        if not isinstance(curve, str) or curve.lower() not in _CURVES:
            raise ValueError(f"curve must be one of 'ROC', 'PR', 'PRGAIN'. Received: curve={curve!r}")
        if not isinstance(summation_method, str) or summation_method.lower() not in _SUMMATIONS:
            raise ValueError(f"summation_method must be one of {_SUMMATIONS}. "
                             f"Received: summation_method={summation_method!r}")
        eps = backend.epsilon()
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            inner = sorted(float(t) for t in numpy.ravel(thresholds))
            if any(not 0.0 <= t <= 1.0 for t in inner):
                raise ValueError(f"thresholds must be in [0, 1]. Received: thresholds={thresholds!r}")
            self.num_thresholds = len(inner) + 2
            self._evenly = evenly_spaced([0.0] + inner + [1.0])
        else:
            if isinstance(num_thresholds, bool) or not isinstance(num_thresholds, int) or num_thresholds <= 1:
                raise ValueError("num_thresholds must be an integer > 1. "
                                 f"Received: num_thresholds={num_thresholds!r}")
            self.num_thresholds = num_thresholds
            inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self._evenly = True
        self._thresholds = numpy.array([0.0 - eps] + inner + [1.0 + eps])
        self.curve = _CURVES[curve.lower()]
        self.summation_method = summation_method.lower()
        self.multi_label, self.num_labels, self.from_logits = bool(multi_label), num_labels, from_logits
        if num_labels is not None and not multi_label:
            raise ValueError("num_labels is needed only when multi_label=True. "
                             f"Received: num_labels={num_labels!r}")
        self.label_weights = None if label_weights is None else numpy.asarray(label_weights, numpy.float64)
        self._shape = (self.num_thresholds, num_labels) if multi_label and num_labels else \
            None if multi_label else (self.num_thresholds,)
        self.reset_state()

    @property
    def thresholds(self) -> list[float]:
        """All thresholds, including the two end points ``-eps`` and ``1 + eps``."""
        return [float(t) for t in self._thresholds]

    def reset_state(self) -> None:
        for count in ("true_positives", "false_positives", "true_negatives", "false_negatives"):
            setattr(self, count, None if self._shape is None else numpy.zeros(self._shape))

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        y_pred = host(y_pred, numpy.float64)
        if self.from_logits:
            y_pred = numpy.exp(-numpy.logaddexp(0.0, -y_pred))  # sigmoid, without overflow
        counts = confusion_counts(y_true, y_pred, self._thresholds, sample_weight,
                                  multi_label=self.multi_label,
                                  label_weights=None if self.multi_label else self.label_weights,
                                  clip=self._evenly, dtype=self.dtype)
        if self.true_positives is None:  # multi-label, shape known from the first batch
            self._shape = counts["tp"].shape
            self.reset_state()
        if counts["tp"].shape != self._shape:
            raise ValueError(f"AUC was built for {self._shape[1]} labels. "
                             f"Received: y_pred.shape={y_pred.shape}")
        self.true_positives += counts["tp"]
        self.false_positives += counts["fp"]
        self.true_negatives += counts["tn"]
        self.false_negatives += counts["fn"]

    def _interpolate_pr_auc(self) -> numpy.ndarray:
        tp, fp, fn = self.true_positives, self.false_positives, self.false_negatives
        p = tp + fp
        dtp, dp = tp[:-1] - tp[1:], p[:-1] - p[1:]
        slope = divide_no_nan(dtp, numpy.maximum(dp, 0.0))
        intercept = tp[1:] - slope * p[1:]
        both = (p[:-1] > 0) & (p[1:] > 0)
        ratio = numpy.where(both, divide_no_nan(p[:-1], numpy.maximum(p[1:], 0.0)), 1.0)
        log_ratio = numpy.log(numpy.where(ratio > 0, ratio, 1.0))
        return divide_no_nan(slope * (dtp + intercept * log_ratio), numpy.maximum(tp[1:] + fn[1:], 0.0))

    def _riemann_terms(self) -> numpy.ndarray:
        tp, fp, tn, fn = self.true_positives, self.false_positives, self.true_negatives, self.false_negatives
        recall = divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = divide_no_nan(fp, fp + tn), recall
        elif self.curve == "PR":
            x, y = recall, divide_no_nan(tp, tp + fp)
        else:  # PRGAIN
            scale = divide_no_nan(tp + fn, tn + fp)
            x = numpy.maximum(numpy.where(tp == 0, 0.0, 1.0 - scale * divide_no_nan(fn, tp)), 0.0)
            y = numpy.where(tp == 0, 1.0, 1.0 - scale * divide_no_nan(fp, tp))
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = numpy.minimum(y[:-1], y[1:])
        else:
            heights = numpy.maximum(y[:-1], y[1:])
        return (x[:-1] - x[1:]) * heights

    def result(self) -> float:
        if self.true_positives is None:
            return 0.0
        if self.curve == "PR" and self.summation_method == "interpolation":
            terms = self._interpolate_pr_auc()
        else:
            terms = self._riemann_terms()
        if not self.multi_label:
            return float(numpy.sum(terms))
        by_label = numpy.sum(terms, axis=0)
        if self.label_weights is None:
            return float(numpy.mean(by_label))
        return float(divide_no_nan(numpy.sum(by_label * self.label_weights), numpy.sum(self.label_weights)))

    def get_config(self) -> dict:
        config = {**super().get_config(), "num_thresholds": self.num_thresholds, "curve": self.curve,
                  "summation_method": self.summation_method, "multi_label": self.multi_label,
                  "num_labels": self.num_labels,
                  "label_weights": None if self.label_weights is None else self.label_weights.tolist(),
                  "from_logits": self.from_logits}
        if self._init_from_thresholds:
            config["thresholds"] = self.thresholds[1:-1]
        return config
