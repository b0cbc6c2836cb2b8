"""MonitorCallback: the shared base of callbacks that watch one logged quantity for improvement
(EarlyStopping, ModelCheckpoint, ReduceLROnPlateau)."""
from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

from axon.callbacks.callback import Callback

MODES = ("auto", "min", "max")

# ``mode='auto'``: how the direction is read from the monitored name (its ``val_`` prefix removed).
# Keras 3 asks each metric object for its direction; axon reads the name, which gives the same
# answer for every built-in Keras metric name and its usual abbreviations.
_MAX_MARKERS = ("acc", "auc", "precision", "recall", "f1", "fbeta", "f_beta", "fmeasure", "iou",
                "r2", "true_positives", "true_negatives", "cosine_similarity", "correlation",
                "at_sensitivity", "at_specificity")
_MIN_MARKERS = ("loss", "error", "crossentropy", "hinge", "divergence", "kld", "poisson", "logcosh",
                "log_cosh", "false_positives", "false_negatives", "mse", "mae", "mape", "msle",
                "rmse")


def infer_direction(monitor: str) -> str | None:
    """``'max'`` for accuracy/AUC-like names, ``'min'`` for losses and errors, ``None`` if unknown.

    Example:
        >>> infer_direction("val_accuracy"), infer_direction("loss"), infer_direction("val_mae")
        ('max', 'min', 'min')
        >>> infer_direction("my_score") is None
        True
    """
    name = monitor.removeprefix("val_").lower()
    if name == "loss" or name.endswith("_loss"):
        return "min"
    if any(marker in name for marker in _MAX_MARKERS):
        return "max"
    if any(marker in name for marker in _MIN_MARKERS):
        return "min"
    return None


class MonitorCallback(Callback):
    """Base of callbacks that track the best value of ``logs[monitor]``.

    A value ``current`` improves on ``best`` when, with ``d = |min_delta|``,
    ``current < best - d`` (mode ``'min'``) or ``current > best + d`` (mode ``'max'``); anything
    closer to ``best`` than ``d`` is no improvement. ``mode='auto'`` reads the direction from the
    monitored name: accuracy/AUC/precision/recall-like names are maximized, losses and errors
    minimized (the ``val_`` prefix is ignored).

    Args:
        monitor: the key of ``logs`` to watch, e.g. ``'val_loss'``.
        mode: ``'auto'``, ``'min'`` or ``'max'``.
        min_delta: the smallest change that counts as an improvement (its sign is ignored).
        baseline: the initial best value (``None``: the first value seen).

    Raises:
        ValueError: for an unknown ``mode``, or ``mode='auto'`` on a name whose direction cannot
            be read (pass ``mode='min'`` or ``'max'``). Keras 3 warns and falls back to ``'auto'``
            for an unknown mode; axon raises, so a typo does not go unnoticed.
    """

    def __init__(self, monitor: str = "val_loss", mode: str = "auto", min_delta: float = 0,
                 baseline: float | None = None) -> None:
        super().__init__()
        name = type(self).__name__
        if not isinstance(monitor, str) or not monitor:
            raise ValueError(f"{name} expects monitor to be the name of a logged quantity, e.g. "
                             f"'val_loss'. Received: monitor={monitor!r}")
        if mode not in MODES:
            raise ValueError(f"{name} expects mode in {MODES}. Received: mode={mode!r}")
        if isinstance(min_delta, bool) or not isinstance(min_delta, numbers.Real) \
                or not math.isfinite(min_delta):
            raise ValueError(f"{name} expects min_delta to be a finite number. "
                             f"Received: min_delta={min_delta!r}")
        direction = mode if mode != "auto" else infer_direction(monitor)
        if direction is None:
            raise ValueError(f"{name} received monitor={monitor!r} with mode='auto', but cannot "
                             "tell whether it should be minimized or maximized (losses and errors "
                             "are minimized; accuracy, AUC, precision, recall ... maximized). Pass "
                             "mode='min' or mode='max'.")
        self.monitor = monitor
        self.mode = mode
        self.direction = direction
        self.min_delta = abs(float(min_delta))
        self.best = baseline

    def _is_improvement(self, current: float, reference: float | None) -> bool:
        """Whether ``current`` beats ``reference`` by more than ``min_delta``."""
        if reference is None:
            return True
        if self.direction == "min":
            return current < reference - self.min_delta
        return current > reference + self.min_delta

    def get_monitor_value(self, logs: dict | None, purpose: str) -> Any:
        """``logs[monitor]``; warns (naming the available keys) and returns None when absent."""
        logs = logs or {}
        value = logs.get(self.monitor)
        if value is None:
            available = ", ".join(logs) or "none"
            warnings.warn(f"{type(self).__name__}: {purpose} is conditioned on `{self.monitor}`, "
                          f"which is not in the logs. Available keys: {available}.", stacklevel=3)
        return value
