"""What ``compile`` builds: the model's loss and metrics, one set per output.

A model with outputs ``o_1 .. o_K`` is trained on the weighted sum of per-output losses plus the
layers' regularization terms:

    L = sum_k lambda_k * loss_k(y_k, y_hat_k) + sum_r R_r

``loss`` and ``metrics`` may be given once (used for every output), as a list (one per output,
in order) or as a dict keyed by output name, as in Keras.
"""
from __future__ import annotations

import copy
from typing import Any

from axon import backend
from axon import losses as losses_module
from axon import metrics as metrics_module
from axon.engine import Tensor
from axon.training.data import DataError


def per_output(value: Any, output_names: list[str], argument: str, repeat: bool = True) -> list:
    """``value`` as one entry per output: from a dict by name, from a list by position, or the
    same value repeated (``repeat``) when one is given."""
    count = len(output_names)
    if isinstance(value, dict):
        unknown = [key for key in value if key not in output_names]
        if unknown:
            raise ValueError(f"{argument} has key(s) {unknown} that match no model output. "
                             f"The model's outputs are named {output_names}.")
        return [value.get(name) for name in output_names]
    if isinstance(value, list | tuple) and count > 1:
        if len(value) != count:
            raise ValueError(f"{argument} should have one entry per model output ({count}: "
                             f"{output_names}). Received: {len(value)} entries.")
        return list(value)
    if count > 1 and not repeat:
        raise ValueError(f"The model has {count} outputs ({output_names}); give {argument} as a "
                         f"list or a dict keyed by output name. Received: {value!r}")
    return [value] * count


class CompiledLoss:
    """The loss of ``compile(loss=..., loss_weights=...)``, resolved per output at build time."""

    def __init__(self, loss: Any, loss_weights: Any = None) -> None:
        leaves = list(loss.values()) if isinstance(loss, dict) else (
            list(loss) if isinstance(loss, list | tuple) else [loss])
        for leaf in leaves:  # fail at compile on unknown names, not in fit
            if leaf is not None:
                losses_module.get(leaf)
        if all(leaf is None for leaf in leaves):
            raise ValueError("compile() expects a loss, e.g. loss='mse' or "
                             "loss='sparse_categorical_crossentropy'.")
        self.identifier, self.weights_identifier = loss, loss_weights
        self.losses: list | None = None
        self.weights: list[float] = []
        self.output_names: list[str] = []

    @property
    def built(self) -> bool:
        return self.losses is not None

    def build(self, output_names: list[str]) -> None:
        identifiers = per_output(self.identifier, output_names, "loss")
        self.losses = [None if i is None else losses_module.get(i) for i in identifiers]
        weights = per_output(self.weights_identifier, output_names, "loss_weights")
        self.weights = [1.0 if w is None else float(w) for w in weights]
        self.output_names = list(output_names)

    def is_sparse(self, index: int) -> bool:
        loss = self.losses[index] if self.losses else None
        return loss is not None and "sparse" in getattr(loss, "name", "")

    def __call__(self, y_true: list, y_pred: list, sample_weight: list) -> tuple[Any, list]:
        """``(total, [loss_k or None])`` for per-output lists of targets, predictions, weights."""
        total, parts = None, []
        for loss, weight, target, prediction, sw in zip(self.losses, self.weights, y_true,
                                                        y_pred, sample_weight):
            if loss is None or target is None:
                parts.append(None)
                continue
            value = loss(target, prediction, sw)
            parts.append(value)
            term = value if weight == 1.0 else value * weight
            total = term if total is None else total + term
        return total, parts


class CompiledMetrics:
    """The metrics of ``compile(metrics=..., weighted_metrics=...)``, one list per output.

    As in Keras, ``metrics`` ignore sample weights and ``weighted_metrics`` use them. With several
    outputs, each metric's name is prefixed by its output's name (``out_a_accuracy``).
    """

    name = "compile_metrics"

    def __init__(self, metrics: Any = None, weighted_metrics: Any = None) -> None:
        for argument, value in (("metrics", metrics), ("weighted_metrics", weighted_metrics)):
            if value is not None and not isinstance(value, list | tuple | dict):
                raise TypeError(f"compile() expects {argument} to be a list (or a dict keyed by "
                                f"output name). Received: {value!r}")
            for leaf in _leaves(value):
                metrics_module.get(leaf)  # unknown names fail at compile
        self.identifiers, self.weighted_identifiers = metrics, weighted_metrics
        self.per_output: list[list[tuple[Any, bool]]] | None = None

    @property
    def built(self) -> bool:
        return self.per_output is not None

    def build(self, output_names: list[str], losses: list, output_shapes: list) -> None:
        self.output_names = list(output_names)
        self.per_output = [[] for _ in output_names]
        prefix = len(output_names) > 1
        for identifiers, weighted in ((self.identifiers, False), (self.weighted_identifiers, True)):
            if identifiers is None:
                continue
            entries = _metric_lists(identifiers, output_names)
            for k, (name, entry) in enumerate(zip(output_names, entries)):
                for identifier in entry:
                    metric = metrics_module.get(identifier, losses[k], output_shapes[k])
                    if metric is identifier and any(metric is m for m, _ in sum(
                            self.per_output, [])):
                        metric = copy.deepcopy(metric)
                    if prefix:
                        metric.name = f"{name}_{metric.name}"
                    self.per_output[k].append((metric, weighted))

    @property
    def metrics(self) -> list:
        return [metric for entries in (self.per_output or []) for metric, _ in entries]

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Update every metric from model-shaped ``y_true`` and ``y_pred`` (a tensor/array, or a
        list/dict per output) and optional ``sample_weight``."""
        names = self.output_names
        if isinstance(y_pred, dict):
            y_pred = [y_pred[name] for name in names]
        elif not isinstance(y_pred, list | tuple) or len(names) == 1:
            y_pred = [y_pred]
        y_true = per_output(y_true, names, "y", repeat=False) if len(names) > 1 else [y_true]
        self.update_lists([_host(t) for t in y_true], [_host(p) for p in y_pred],
                          [_host(w) for w in per_output(sample_weight, names, "sample_weight")])

    def update_lists(self, y_true: list, y_pred: list, sample_weight: list) -> None:
        """Update from per-output lists of host arrays (``None`` entries are skipped)."""
        for entries, target, prediction, sw in zip(self.per_output, y_true, y_pred,
                                                   sample_weight):
            if target is None:
                continue
            for metric, weighted in entries:
                metric.update_state(target, prediction, sw if weighted else None)

    def result(self) -> dict[str, Any]:
        return {metric.name: metric.result() for metric in self.metrics}

    def reset_state(self) -> None:
        for metric in self.metrics:
            metric.reset_state()


def _host(value: Any) -> Any:
    if value is None:
        return None
    return backend.to_numpy(value.data if isinstance(value, Tensor) else value)


def _leaves(value: Any) -> list:
    if value is None:
        return []
    if isinstance(value, dict):
        return [leaf for entry in value.values() for leaf in _leaves(entry)]
    if isinstance(value, list | tuple):
        return [leaf for entry in value for leaf in _leaves(entry)]
    return [value]


def _metric_lists(identifiers: Any, output_names: list[str]) -> list[list]:
    """One list of metric identifiers per output."""
    if isinstance(identifiers, dict):
        entries = per_output(identifiers, output_names, "metrics")
        return [[] if e is None else list(e) if isinstance(e, list | tuple) else [e]
                for e in entries]
    identifiers = list(identifiers)
    if len(output_names) > 1 and identifiers and all(
            isinstance(e, list | tuple) or e is None for e in identifiers):
        if len(identifiers) != len(output_names):
            raise ValueError(f"metrics given as a list of lists should have one list per output "
                             f"({output_names}). Received: {len(identifiers)} lists.")
        return [list(e or []) for e in identifiers]
    return [list(identifiers) for _ in output_names]


__all__ = ["CompiledLoss", "CompiledMetrics", "per_output", "DataError"]
