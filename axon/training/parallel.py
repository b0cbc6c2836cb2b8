"""Data-parallel ``fit`` over MPI: what the trainer does differently on ``K`` ranks.

* at the start of ``fit``, rank 0's weights, optimizer slots and step count, and random
  generator state go to every rank, so every rank starts from the same model and draws the same
  shuffling order each epoch;
* each rank takes positions ``r, r + K, r + 2K, ...`` of every global batch of ``K * b`` samples
  (``ArrayBatches.shard``), so the global batches are one process's with batch ``K * b``;
* after ``backward``, one fused allreduce leaves every rank the gradient
  ``g = (sum_r n_r g_r) / (sum_r n_r)``, the mean over the global batch: the optimizers, applying
  the same update to the same weights, stay identical without further communication;
* at the end of each epoch the metrics' states (sums and counts) are summed over the ranks, so the
  logs every rank reports are those of the whole epoch. Validation runs whole on every rank (the
  weights are the same, so are the results), which needs no communication.
"""
from __future__ import annotations

from typing import Any

import numpy

from axon import backend, distributed


class DataParallel:
    """The distributed side of one ``fit``: rank, size, and where the training stands."""

    def __init__(self) -> None:
        self.rank, self.size = distributed.rank(), distributed.size()
        self.epoch, self.step = 0, 0

    def where(self) -> str:
        return f"epoch {self.epoch + 1}, step {self.step + 1}"

    def start(self, model: Any, batches: Any) -> None:
        """Give every rank rank 0's model, optimizer state and random generator state."""
        if not model.built or not model.trainable_weights:
            _build(model, batches)
        what = "the broadcast of the initial weights at the start of fit"
        optimizer = model.optimizer
        slots = [slot for v in model.trainable_weights
                 for slot in optimizer._slots.get(id(v), {}).values()]
        shared = distributed.broadcast_json({"random": backend.generator_state(),
                                             "iterations": optimizer.iterations,
                                             "slots": len(slots)}, what)
        if shared["slots"] != len(slots):
            distributed.abort(f"the optimizer has {len(slots)} state arrays here but "
                              f"{shared['slots']} on rank 0 (fit them the same way on every rank)")
        distributed.broadcast_arrays([w.data for w in model.weights] + slots, what)
        backend.set_generator_state(shared["random"])
        optimizer.iterations = shared["iterations"]

    def sync_random(self) -> None:
        """Rank 0's generator state on every rank, before a pass draws its shuffling order:
        random layers (dropout) draw as many numbers as a rank has samples, which differs
        between ranks when the shards are uneven."""
        state = distributed.broadcast_json(backend.generator_state(),
                                           f"the shuffling of {self.where()}")
        backend.set_generator_state(state)

    def average_gradients(self, variables: list, count: int) -> None:
        distributed.average_gradients(variables, count, self.where())
        self.step += 1

    def idle_step(self, model: Any, variables: list) -> dict:
        """A step in which this rank has no samples (the last global batch is smaller than
        ``K``): it takes part in the allreduce with ``n_r = 0`` and applies the same update."""
        for variable in variables:
            variable.grad = None
        self.average_gradients(variables, 0)
        grads = [v.grad for v in variables]
        finite = all(bool(numpy.isfinite(backend.to_numpy(g)).all()) for g in grads
                     if g is not None)
        if finite or not model._nan_guard:
            model.optimizer.apply(grads, variables)
        else:   # the ranks with samples reject the step and stop (TerminateOnNaN): do so too
            model.stop_training = True
        return model.get_metrics_result()

    def sync_metrics(self, model: Any) -> None:
        """Sum every metric's state over the ranks: the states are sums (totals, counts,
        confusion counts), so the sums are the states of one process that saw every sample."""
        metrics = model._metric_objects()
        # the states that are numbers now (one still None has seen no sample on any rank)
        names = [[name for name in metric.state_names() if getattr(metric, name) is not None]
                 for metric in metrics]
        values = [numpy.asarray(getattr(m, name), dtype=numpy.float64)
                  for m, states in zip(metrics, names) for name in states]
        sums = iter(distributed.allreduce_sum(values, f"the metrics of epoch {self.epoch + 1}"))
        for metric, states in zip(metrics, names):
            for name in states:
                current, total = getattr(metric, name), next(sums)
                setattr(metric, name, total.astype(current.dtype) if isinstance(
                    current, numpy.ndarray) else type(current)(total))


def start(distributed_flag: bool | None) -> DataParallel | None:
    """The DataParallel of a ``fit(distributed=...)``: ``True`` starts MPI, ``None`` follows
    :func:`axon.distributed.init`, ``False`` trains alone; None when there is one rank."""
    if distributed_flag:
        distributed.init()
    if distributed_flag is False or not distributed.is_initialized() or distributed.size() == 1:
        return None
    return DataParallel()


def _build(model: Any, batches: Any) -> None:
    """Build an unbuilt model on one sample, before its weights are broadcast."""
    if batches.peek() is None:
        raise RuntimeError("Distributed training on a generator needs a built model: give it an "
                           "axon.Input, or call it on one batch before fit().")
    model._prepare_to_restore()   # evaluates one sample, then resets the metrics
