"""Exact resumption of ``fit``: the state of a fit in progress, taken and put back.

``fit`` keeps ``self._fit_progress`` (its batches and callbacks) while it runs. A checkpoint
(:mod:`axon.models.checkpoint`) takes ``_fit_state_values`` besides the weights and optimizer;
restoring puts it back with ``_restore_fit_state``, and ``fit`` continues at the saved epoch and
step (``self._resume_point``).
"""
from __future__ import annotations

import numpy

from axon import backend
from axon.training.adapters import ArrayBatches, Batch


class Resumable:
    """The resumption methods of the trainer (mixed into ``Trainer``)."""

    _fit_progress: dict | None = None
    _resume_point: dict | None = None

    def _fit_state_values(self, epoch: int, step: int, logs: dict) -> dict:
        """Everything besides weights and optimizer that the rest of this ``fit`` depends on,
        as numbers, strings, lists, dicts and arrays: where it stands (``epoch`` and ``step``
        are where it should continue), the random generators' states, the current pass over the
        data, the running metrics and every callback's state."""
        progress = self._fit_progress
        if progress is None:
            raise RuntimeError("A training checkpoint can only be taken during fit().")
        batches, callbacks = progress["batches"], progress["callbacks"].callbacks
        return {
            "epoch": int(epoch), "step": int(step), "stopped": bool(self.stop_training),
            "logs": dict(logs or {}),
            "random": backend.generator_state(),
            "layer_random": [[index, type(layer).__name__, backend.generator_state(generator)]
                             for index, layer, generator in self._seeded_layers()],
            "batches": batches.get_state() if isinstance(batches, ArrayBatches) else None,
            "metrics": [metric.get_state() for metric in self._metric_objects()],
            "callbacks": [[type(c).__name__, c.get_state()] for c in callbacks
                          if c._state_attributes],
        }

    def _restore_fit_state(self, values: dict, source: str) -> None:
        """Put this ``fit`` where ``values`` (from ``_fit_state_values``) says; training then
        continues at ``values['epoch']``, batch ``values['step']``."""
        progress = self._fit_progress
        if progress is None:
            raise RuntimeError("A training checkpoint can only be restored during fit().")
        batches, callbacks = progress["batches"], progress["callbacks"].callbacks
        epoch, step = values.get("epoch"), values.get("step")
        if not all(type(n) is int and n >= 0 for n in (epoch, step)):
            raise ValueError(f"{source}: epoch and step must be non-negative integers. Received: "
                             f"epoch={epoch!r}, step={step!r}")
        seeded = self._seeded_layers()
        saved = values.get("layer_random", [])
        # by position and class: layer names differ between processes ('dropout', 'dropout_3')
        layout = [[i, type(layer).__name__] for i, layer, _ in seeded]
        if [[i, name] for i, name, _ in saved] != layout:
            raise ValueError(f"{source}: the checkpoint's layers with their own random "
                             f"generators {[s[:2] for s in saved]} differ from this model's "
                             f"{layout} (position, class).")
        metrics = self._metric_objects()
        if len(values.get("metrics", [])) != len(metrics):
            raise ValueError(f"{source}: the checkpoint holds {len(values.get('metrics', []))} "
                             f"metric states; this model reports {len(metrics)} metrics.")
        saved_callbacks = values.get("callbacks", [])
        callbacks = [c for c in callbacks if c._state_attributes]   # those that keep state
        names = [type(c).__name__ for c in callbacks]
        if [name for name, _ in saved_callbacks] != names:
            raise ValueError(f"{source}: the checkpoint was written with the callbacks "
                             f"{[name for name, _ in saved_callbacks]} keeping state; this fit "
                             f"has {names}. Resume with the same callbacks, in the same order.")
        if isinstance(batches, ArrayBatches):
            if values.get("batches") is None:
                raise ValueError(f"{source}: the checkpoint holds no position in the data.")
            batches.set_state(values["batches"])
        for metric, state in zip(metrics, values["metrics"]):
            metric.set_state(state)
        for callback, (_, state) in zip(callbacks, saved_callbacks):
            callback.set_state(state)
        for (_, _, generator), (_, _, state) in zip(seeded, saved):
            backend.set_generator_state(state, generator)
        backend.set_generator_state(values.get("random"))
        self._resume_point = {"epoch": epoch, "step": step, "logs": dict(values.get("logs", {})),
                              "stopped": bool(values.get("stopped", False))}

    def _prepare_to_restore(self) -> None:
        """Build the model and its compiled loss and metrics, by evaluating one sample (which
        draws no random numbers that matter: the generators are restored afterwards)."""
        loss, metrics = self._compiled_loss, self._compiled_metrics
        if self.built and (loss is None or loss.built) and metrics.built:
            return
        progress = self._fit_progress
        batch = progress["batches"].peek() if progress is not None else None
        if batch is None:
            raise RuntimeError("Cannot restore a checkpoint into a model that is not built yet "
                               "when the data is a generator: build it first (call it on one "
                               "batch).")
        self.test_step(self._batch(batch, "fit") if isinstance(batch, Batch) else batch)
        self.reset_metrics()

    def _seeded_layers(self) -> list:
        """``(index, layer, generator)`` for each layer that draws from a generator of its own."""
        found = []
        for index, layer in enumerate(self._flatten_layers()):
            generator = layer.__dict__.get("_rng")
            if isinstance(generator, numpy.random.Generator):
                found.append((index, layer, generator))
        return found

    def _metric_objects(self) -> list:
        if not self.compiled:
            return []
        return [self._loss_tracker, *self._output_loss_trackers, *self.metrics_list]
