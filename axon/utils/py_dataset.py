"""PyDataset: a dataset of whole batches, indexed like a list (Keras 3's ``keras.utils.PyDataset``).

Subclass it when the data does not fit in memory or is made on the fly: ``__len__`` is the
number of batches in an epoch, ``__getitem__(i)`` returns batch ``i`` as ``(x, y)`` or
``(x, y, sample_weight)``, and ``on_epoch_end`` may reshuffle. ``fit``, ``evaluate`` and
``predict`` take it as ``x``.

Example:
    >>> import numpy as np
    >>> class Squares(PyDataset):
    ...     def __len__(self):
    ...         return 4
    ...     def __getitem__(self, index):
    ...         x = np.arange(8, dtype="float32").reshape(8, 1) + 8 * index
    ...         return x, x ** 2
    >>> data = Squares()
    >>> len(data), data[1][0].shape
    (4, (8, 1))
"""
from __future__ import annotations

from typing import Any


class PyDataset:
    """Base class of batch datasets.

    Args:
        workers, use_multiprocessing, max_queue_size: accepted for Keras compatibility; axon
            reads batches in the training thread, one at a time.
    """

    def __init__(self, workers: int = 1, use_multiprocessing: bool = False,
                 max_queue_size: int = 10) -> None:
        self.workers, self.use_multiprocessing = workers, use_multiprocessing
        self.max_queue_size = max_queue_size

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__ (the number of "
                                  "batches in an epoch).")

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__(index) "
                                  "returning batch index as (x, y) or (x, y, sample_weight).")

    @property
    def num_batches(self) -> int:
        return len(self)

    def on_epoch_begin(self) -> None:
        """Called before each epoch."""

    def on_epoch_end(self) -> None:
        """Called after each epoch (e.g. to reshuffle)."""


Sequence = PyDataset  # tf.keras 2's name
