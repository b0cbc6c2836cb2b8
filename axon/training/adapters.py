"""Where each epoch's mini-batches come from: arrays in memory, or a stream of batches.

Both give the trainer, epoch after epoch, an iterator of raw batches ``(x, y, sample_weight)``
(each entry an array, a list or dict of arrays, or ``None``) and, when it is known, the number of
steps in an epoch.
"""
from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import numpy

from axon import backend
from axon.training import data as data_module


def unpack_data(data: Any) -> tuple[Any, Any, Any]:
    """``(x, y, sample_weight)`` from a batch given as ``x``, ``(x,)``, ``(x, y)`` or
    ``(x, y, sample_weight)`` (Keras's ``unpack_x_y_sample_weight``)."""
    if isinstance(data, tuple):
        if len(data) == 1:
            return data[0], None, None
        if len(data) == 2:
            return data[0], data[1], None
        if len(data) == 3:
            return data
        raise data_module.DataError(f"A batch should be x, (x, y) or (x, y, sample_weight). "
                                    f"Received a tuple of {len(data)} elements.")
    return data, None, None


def is_batch_stream(x: Any) -> bool:
    """Whether ``x`` yields whole batches (a generator, an iterator, a PyDataset-like object)
    rather than holding samples (arrays, lists of arrays, DataFrames)."""
    if x is None or isinstance(x, list | tuple | dict | str | bytes) or hasattr(x, "shape") \
            or hasattr(x, "iloc") or isinstance(x, numpy.ndarray):
        return False
    return hasattr(x, "__next__") or hasattr(x, "__iter__") or (
        hasattr(x, "__getitem__") and hasattr(x, "__len__"))


class Batch(tuple):
    """A batch already checked and arranged as lists ``(xs, ys, sample_weights)``."""

    __slots__ = ()


class ArrayBatches:
    """Mini-batches of arrays already checked and arranged (lists per input/output).

    Each pass over the data draws a fresh permutation when ``shuffle`` (at its first batch, from
    the global generator); an epoch is one pass, or with ``steps_per_epoch`` that many batches,
    passes continuing across epochs, as in Keras. Where the current pass stands (its order and
    position) is state that ``get_state``/``set_state`` save and restore, so an interrupted epoch
    resumes with exactly the batches it had left.
    """

    def __init__(self, xs: list, ys: list | None, sws: list | None, batch_size: int,
                 shuffle: bool, steps_per_epoch: int | None = None) -> None:
        self.xs, self.ys, self.sws = xs, ys, sws
        self.batch_size, self.shuffle = batch_size, shuffle
        self.num_samples = xs[0].shape[0]
        self.pass_steps = -(-self.num_samples // batch_size)
        self.steps = steps_per_epoch if steps_per_epoch is not None else self.pass_steps
        self._continuing = steps_per_epoch is not None
        self._order: numpy.ndarray | None = None   # this pass's permutation (when shuffling)
        self._position = 0                         # batches of this pass already given
        self._in_pass = False
        self._rank, self._ranks = 0, 1             # this process's shard (see ``shard``)
        self._before_pass: Any = None

    def shard(self, rank: int, ranks: int, before_pass: Any = None) -> None:
        """Give this process only its shard of every batch (data-parallel training).

        ``batch_size`` becomes the per-rank batch ``b``: a pass walks global batches of ``K * b``
        positions of its order (``K = ranks``), and rank ``r`` takes positions ``r, r + K,
        r + 2K, ...`` of each (PyTorch's DistributedSampler), so every rank runs the same number
        of steps and the ranks together see one process's batches of ``K * b``. A rank's shard of
        the last, smaller batch may be empty. ``before_pass()`` runs before each pass draws its
        order (to share the random generator's state).
        """
        if self.num_samples < ranks:   # a rank with no sample at all would have no metric state
            raise data_module.DataError(f"Distributed fit() needs at least one sample per rank. "
                                        f"Received: {self.num_samples} samples for {ranks} ranks")
        self._rank, self._ranks, self._before_pass = rank, ranks, before_pass
        self.pass_steps = -(-self.num_samples // (self.batch_size * ranks))
        if not self._continuing:
            self.steps = self.pass_steps

    def _next_batch(self) -> Batch:
        if not self._in_pass:
            if self._before_pass is not None:
                self._before_pass()
            self._order = backend.rng().permutation(self.num_samples) if self.shuffle else None
            self._position, self._in_pass = 0, True
        size = self.batch_size * self._ranks
        start = self._position * size
        stop = min(start + size, self.num_samples)
        start, step = start + self._rank, self._ranks
        index = slice(start, stop, step) if self._order is None \
            else self._order[start:stop:step]
        self._position += 1
        if self._position == self.pass_steps:
            self._in_pass = False
        return Batch((_take(self.xs, index), _take(self.ys, index), _take(self.sws, index)))

    def _rest_of_pass(self) -> Iterator:
        yield self._next_batch()   # starts a pass unless one was interrupted
        while self._in_pass:
            yield self._next_batch()

    def epoch(self) -> Iterator:
        if not self._continuing:
            return self._rest_of_pass()
        return (self._next_batch() for _ in range(self.steps))

    def peek(self) -> Batch:
        """The first sample as a batch, without moving the position or drawing random numbers."""
        index = slice(0, 1)
        return Batch((_take(self.xs, index), _take(self.ys, index), _take(self.sws, index)))

    def get_state(self) -> dict:
        return {"order": self._order if self._in_pass else None, "position": self._position,
                "in_pass": self._in_pass}

    def set_state(self, state: dict) -> None:
        """Continue the pass ``get_state`` described (for the same data and batch size)."""
        order, position, in_pass = state.get("order"), state.get("position"), state.get("in_pass")
        if not isinstance(in_pass, bool) or isinstance(position, bool) or not isinstance(
                position, int) or not 0 <= position <= self.pass_steps:
            raise ValueError(f"A saved batch position must lie in [0, {self.pass_steps}]. "
                             f"Received: position={position!r}, in_pass={in_pass!r}")
        if in_pass and self.shuffle:
            if not isinstance(order, numpy.ndarray) or order.shape != (self.num_samples,) or \
                    order.dtype.kind not in "iu" or not numpy.array_equal(
                        numpy.sort(order), numpy.arange(self.num_samples)):
                raise ValueError(f"A saved shuffling order must be a permutation of the "
                                 f"{self.num_samples} samples; the data or batch size changed?")
            self._order = order.astype(numpy.intp)
        else:
            self._order = None
        self._position, self._in_pass = position, in_pass


class StreamBatches:
    """Batches from a generator, an iterator, an iterable or a PyDataset-like object.

    * an object with ``__len__`` and ``__getitem__`` (Keras's ``PyDataset``/``Sequence``): one
      epoch is ``len(data)`` batches (or ``steps_per_epoch``), in order; its ``on_epoch_end``
      is called after each epoch;
    * an iterator (a generator): each epoch takes ``steps_per_epoch`` batches from it (all of
      them when not given, so it is used up after one epoch);
    * any other iterable: each epoch iterates it again.
    """

    def __init__(self, data: Any, steps_per_epoch: int | None, method: str) -> None:
        self.data, self.method = data, method
        self.indexed = hasattr(data, "__getitem__") and hasattr(data, "__len__") \
            and not hasattr(data, "__next__")
        self.is_iterator = hasattr(data, "__next__")
        if self.indexed:
            self.steps = len(data) if steps_per_epoch is None else min(steps_per_epoch, len(data))
        else:
            self.steps = steps_per_epoch
        self.exhausted = False

    def epoch(self, start: int = 0) -> Iterator:
        """The epoch's batches; ``start`` skips the first ones of an indexed dataset (a resumed
        epoch). An iterator cannot be rewound: it continues where it stands."""
        hook = getattr(self.data, "on_epoch_begin", None)
        if callable(hook) and not start:
            hook()
        if self.indexed:
            return (self.data[i] for i in range(start, self.steps))
        source = self.data if self.is_iterator else iter(self.data)
        if self.steps is None:
            return self._until_end(source)
        return self._take(source, self.steps)

    def _until_end(self, source: Iterator) -> Iterator:
        count = 0
        for batch in source:
            count += 1
            yield batch
        if count == 0:
            self.exhausted = True
            warnings.warn(f"{self.method}(): the input ran out of data; give steps_per_epoch (or "
                          "a re-iterable dataset) to train for several epochs on a generator.",
                          stacklevel=4)

    def _take(self, source: Iterator, steps: int) -> Iterator:
        for _ in range(steps):
            try:
                yield next(source)
            except StopIteration:
                self.exhausted = True
                warnings.warn(f"{self.method}(): the input ran out of data before "
                              f"{steps} steps; make the generator infinite or lower "
                              "steps_per_epoch.", stacklevel=4)
                return

    def peek(self) -> Any:
        """The first batch of an indexed dataset (None for an iterator, which cannot be read
        without consuming it)."""
        return self.data[0] if self.indexed and len(self.data) else None

    def on_epoch_end(self) -> None:
        hook = getattr(self.data, "on_epoch_end", None)
        if callable(hook):
            hook()


def _take(arrays: list | None, index: Any) -> list | None:
    if arrays is None:
        return None
    return [None if a is None else a[index] for a in arrays]


def to_device(arrays: list | None) -> list | None:
    """Host arrays of a batch moved to the backend's device (a no-op for NumPy)."""
    if arrays is None:
        return None
    return [None if a is None else backend.from_host(a) for a in arrays]
