"""The loss and metrics of a batch, for ``Trainer``: ``compute_loss``, ``compute_metrics``,
``model.metrics`` and the Keras 2 names ``compiled_loss`` / ``compiled_metrics``.

The total loss minimised is ``L = sum_k lambda_k loss_k(y_k, y_hat_k) + sum_r R_r`` (weighted
per-output losses plus every regularization term in ``model.losses``).
"""
from __future__ import annotations

from typing import Any

import numpy

from axon import backend
from axon import metrics as metrics_module
from axon.engine import Tensor
from axon.training.compile_utils import per_output


class LossAndMetrics:
    """Mixed into ``Trainer``; expects ``compile`` to have set ``_compiled_loss``,
    ``_compiled_metrics``, ``_loss_tracker`` and ``_output_loss_trackers``."""

    compiled: bool = False

    @property
    def loss(self) -> Any:
        """The compiled loss: the Loss object for a one-output model, else the list per output."""
        compiled = getattr(self, "_compiled_loss", None)
        if compiled is None:
            return None
        if not compiled.built:
            return compiled.identifier
        return compiled.losses[0] if len(compiled.losses) == 1 else compiled.losses

    def _build_compiled(self, output_shapes: list[tuple]) -> None:
        """Resolve losses and metrics per output once the outputs are known."""
        names = self._output_names_for(len(output_shapes))
        if self._compiled_loss is not None and not self._compiled_loss.built:
            self._compiled_loss.build(names)
        if not self._compiled_metrics.built:
            losses = self._compiled_loss.losses if self._compiled_loss else [None] * len(names)
            self._compiled_metrics.build(names, losses, output_shapes)
            if len(names) > 1 and self._compiled_loss is not None:
                self._output_loss_trackers = [metrics_module.Mean(name=f"{name}_loss")
                                              for name in names]

    @property
    def metrics(self) -> list:
        """The metrics reset each epoch: the loss tracker, per-output losses, compiled metrics."""
        if not self.compiled:
            return []
        tracked = [self._loss_tracker] + list(self._output_loss_trackers)
        return tracked + ([self._compiled_metrics] if self._compiled_metrics.built else [])

    @property
    def metrics_names(self) -> list[str]:
        return list(self.get_metrics_result()) if self.compiled else []

    @property
    def metrics_list(self) -> list:
        """The compiled metric objects (one flat list)."""
        return self._compiled_metrics.metrics if self.compiled else []


    # ---- losses and metrics of a batch --------------------------------------------------------
    def compute_loss(self, x: Any = None, y: Any = None, y_pred: Any = None,
                     sample_weight: Any = None, training: bool = True) -> Tensor:
        """The compiled loss of a batch plus every regularization term (``self.losses``)."""
        total = None
        if self._compiled_loss is not None and y is not None:
            y_preds = self._as_outputs(y_pred, "y_pred")
            if not self._compiled_loss.built:
                self._build_compiled([(None,) + tuple(p.shape[1:]) for p in y_preds])
            names = self._compiled_loss.output_names
            ys = per_output(y, names, "y", repeat=False) if len(names) > 1 else [y]
            sws = per_output(sample_weight, names, "sample_weight")
            total, parts = self._compiled_loss(ys, y_preds, sws)
            batch = numpy.array([y_preds[0].shape[0]])
            for tracker, part in zip(self._output_loss_trackers, parts):
                if part is not None:
                    tracker.update_state(backend.to_numpy(part.data).reshape(1), sample_weight=batch)
        for term in self.losses:
            total = term if total is None else total + term
        if total is None:
            raise ValueError(f"Model '{self.name}' has no loss to minimise: pass loss= to "
                             "compile(), or override train_step().")
        return total

    @property
    def compiled_loss(self) -> Any:
        """Keras 2's ``self.compiled_loss(y, y_pred, sample_weight, regularization_losses)``:
        returns the total loss and updates the ``loss`` tracker."""
        def compiled_loss(y_true: Any, y_pred: Any, sample_weight: Any = None,
                          regularization_losses: Any = None) -> Tensor:
            total = None
            if self._compiled_loss is not None:
                y_preds = self._as_outputs(y_pred, "y_pred")
                if not self._compiled_loss.built:
                    self._build_compiled([(None,) + tuple(p.shape[1:]) for p in y_preds])
                names = self._compiled_loss.output_names
                ys = per_output(y_true, names, "y", repeat=False) if len(names) > 1 else [y_true]
                total, _ = self._compiled_loss(ys, y_preds, per_output(sample_weight, names,
                                                                       "sample_weight"))
            for term in regularization_losses or []:
                total = term if total is None else total + term
            self._loss_tracker.update_state(backend.to_numpy(total.data).reshape(1))
            return total
        return compiled_loss

    @property
    def compiled_metrics(self) -> Any:
        """Keras 2's ``self.compiled_metrics.update_state(y, y_pred, sample_weight)``."""
        trainer = self

        class _Compiled:
            def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
                trainer.compute_metrics(None, y_true, y_pred, sample_weight)
        return _Compiled()

    def compute_metrics(self, x: Any, y: Any, y_pred: Any, sample_weight: Any = None) -> dict:
        """Update the compiled metrics with a batch; return every metric's current value."""
        y_preds = self._as_outputs(y_pred, "y_pred")
        if not self._compiled_metrics.built:
            self._build_compiled([(None,) + tuple(p.shape[1:]) for p in y_preds])
        if self._compiled_metrics.metrics and y is not None:
            names = self._output_names_for(len(y_preds))
            ys = per_output(y, names, "y", repeat=False) if len(names) > 1 else [y]
            sws = per_output(sample_weight, names, "sample_weight")
            self._compiled_metrics.update_lists(
                [_host(t) for t in ys], [_host(p) for p in y_preds],
                [None if w is None else _host(w) for w in sws])
        return self.get_metrics_result()

    def get_metrics_result(self) -> dict[str, float]:
        """``{name: value}`` for every metric in ``self.metrics`` (dict results flattened)."""
        logs: dict[str, Any] = {}
        for metric in self.metrics:
            value = metric.result()
            if isinstance(value, dict):
                logs.update({k: log_value(v) for k, v in value.items()})
            else:
                logs[metric.name] = log_value(value)
        return logs

    def reset_metrics(self) -> None:
        for metric in self.metrics:
            metric.reset_state()


def _host(value: Any) -> Any:
    return backend.to_numpy(value.data if isinstance(value, Tensor) else value)


def log_value(value: Any) -> Any:
    """A float for a scalar result; an array for metrics with one value per class/threshold
    (as Keras logs them)."""
    if isinstance(value, Tensor):
        value = value.numpy()
    return float(value) if numpy.ndim(value) == 0 else numpy.asarray(value)
