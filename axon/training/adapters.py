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

    Each epoch draws a fresh permutation when ``shuffle``; with ``steps_per_epoch`` the batches
    continue across epochs (a pass over the data may span several epochs), as in Keras.
    """

    def __init__(self, xs: list, ys: list | None, sws: list | None, batch_size: int,
                 shuffle: bool, steps_per_epoch: int | None = None) -> None:
        self.xs, self.ys, self.sws = xs, ys, sws
        self.batch_size, self.shuffle = batch_size, shuffle
        self.num_samples = xs[0].shape[0]
        full = -(-self.num_samples // batch_size)
        self.steps = steps_per_epoch if steps_per_epoch is not None else full
        self._continuing = steps_per_epoch is not None
        self._cycle: Iterator | None = None

    def _one_pass(self) -> Iterator:
        for index in data_module.batch_indices(self.num_samples, self.batch_size, self.shuffle):
            yield Batch((_take(self.xs, index), _take(self.ys, index), _take(self.sws, index)))

    def _endless(self) -> Iterator:
        while True:
            yield from self._one_pass()

    def epoch(self) -> Iterator:
        if not self._continuing:
            return self._one_pass()
        if self._cycle is None:
            self._cycle = self._endless()
        return (next(self._cycle) for _ in range(self.steps))


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

    def epoch(self) -> Iterator:
        hook = getattr(self.data, "on_epoch_begin", None)
        if callable(hook):
            hook()
        if self.indexed:
            return (self.data[i] for i in range(self.steps))
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
