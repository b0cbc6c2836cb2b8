"""ModelCheckpoint: save the model (or its weights) during training."""
from __future__ import annotations

import os
import warnings
from typing import Any

import numpy

from axon import distributed
from axon.callbacks.monitor import MonitorCallback

MODEL_SUFFIX = ".axon"
WEIGHTS_SUFFIX = ".weights.safetensors"


class ModelCheckpoint(MonitorCallback):
    """Save the model or its weights at the end of every epoch, or every ``save_freq`` batches.

    ``filepath`` may hold format fields filled from the epoch (1-based, as in Keras), the batch
    (1-based, when saving every ``save_freq`` batches) and the logs, e.g.
    ``'ckpt/model-{epoch:02d}-{val_loss:.2f}.axon'`` gives ``ckpt/model-03-0.41.axon``. Missing
    folders are created.

    With ``save_best_only=True`` a file is written only when ``logs[monitor]`` improves on the best
    value so far (``< best`` in mode ``'min'``, ``> best`` in mode ``'max'``; the first value, or
    one better than ``initial_value_threshold``, always counts). If ``monitor`` is not logged,
    a warning says so and the file is written anyway (as in Keras).

    Args:
        filepath: where to save; must end in ``.axon`` (the whole model, via ``model.save``) or,
            with ``save_weights_only=True``, in ``.weights.safetensors`` (``model.save_weights``).
        monitor: the logged quantity that decides which checkpoint is best (default
            ``'val_loss'``).
        verbose: 1 prints a line for each save (and each skipped save).
        save_best_only: write only when the monitored quantity improves.
        save_weights_only: write the weights only.
        mode: ``'auto'`` (accuracy/AUC-like names are maximized, losses and errors minimized),
            ``'min'`` or ``'max'``.
        save_freq: ``'epoch'`` (at each epoch end) or a positive integer: save every that many
            training batches (counted across epochs), with the running logs of that batch.
        initial_value_threshold: the initial best value: with ``save_best_only``, nothing is
            written until the monitored quantity beats it.

    Raises:
        ValueError: for a ``filepath`` with the wrong suffix, or a bad ``save_freq``.

    Example:
        >>> import os, tempfile, numpy as np, axon
        >>> folder = tempfile.mkdtemp()
        >>> model = axon.Sequential([axon.layers.Dense(1, input_shape=(2,))])
        >>> model.compile(optimizer="sgd", loss="mse")
        >>> checkpoint = axon.callbacks.ModelCheckpoint(
        ...     os.path.join(folder, "w-{epoch:02d}-{loss:.1f}.weights.safetensors"),
        ...     save_weights_only=True)
        >>> _ = model.fit(np.zeros((4, 2)), np.zeros((4, 1)), epochs=2, verbose=0,
        ...               callbacks=[checkpoint])
        >>> sorted(os.listdir(folder))
        ['w-01-0.0.weights.safetensors', 'w-02-0.0.weights.safetensors']
    """

    _state_attributes = ("best", "_batches_since_save", "_current_epoch")   # saved by BackupAndRestore

    def __init__(self, filepath: str | os.PathLike, monitor: str = "val_loss", verbose: int = 0,
                 save_best_only: bool = False, save_weights_only: bool = False, mode: str = "auto",
                 save_freq: str | int = "epoch", initial_value_threshold: float | None = None
                 ) -> None:
        super().__init__(monitor, mode, baseline=initial_value_threshold)
        if not isinstance(filepath, str | os.PathLike):
            raise TypeError("ModelCheckpoint expects filepath to be a string or a path. "
                            f"Received: filepath={filepath!r}")
        self.filepath = os.fspath(filepath)
        if save_weights_only and not self.filepath.endswith(WEIGHTS_SUFFIX):
            raise ValueError("When using save_weights_only=True in ModelCheckpoint, the filepath "
                             f"must end in `{WEIGHTS_SUFFIX}` (axon weights format). "
                             f"Received: filepath={self.filepath}")
        if not save_weights_only and not self.filepath.endswith(MODEL_SUFFIX):
            raise ValueError(f"ModelCheckpoint expects a filepath ending in `{MODEL_SUFFIX}` (axon "
                             f"model format), or `{WEIGHTS_SUFFIX}` with save_weights_only=True. "
                             f"Received: filepath={self.filepath}")
        if save_freq != "epoch" and (isinstance(save_freq, bool) or not isinstance(save_freq, int)
                                     or save_freq < 1):
            raise ValueError("ModelCheckpoint expects save_freq='epoch' or a positive integer "
                             f"(a number of batches). Received: save_freq={save_freq!r}")
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.save_freq = save_freq
        self._batches_since_save = 0
        self._current_epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        self._batches_since_save += 1
        if self._batches_since_save >= self.save_freq:
            self._batches_since_save = 0
            self._save(self._current_epoch, batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._save(epoch, None, logs)

    def _file_path(self, epoch: int, batch: int | None, logs: dict) -> str:
        fields: dict[str, Any] = {"epoch": epoch + 1}
        if batch is not None:
            fields["batch"] = batch + 1
        fields.update(logs)
        try:
            return self.filepath.format(**fields)
        except (KeyError, IndexError, ValueError) as error:
            raise KeyError(f"ModelCheckpoint failed to format filepath {self.filepath!r}: {error!r}."
                           f" Available fields: {', '.join(fields)}.") from None

    def _should_save(self, epoch: int, logs: dict, path: str) -> bool:
        if not self.save_best_only:
            if self.verbose > 0 and distributed.is_main():
                print(f"\nEpoch {epoch + 1}: saving model to {path}", flush=True)
            return True
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(f"ModelCheckpoint can save the best model only with `{self.monitor}` "
                          f"in the logs; saving anyway. Available keys: {', '.join(logs) or 'none'}.",
                          stacklevel=4)
            return True
        if numpy.ndim(current) > 0:
            warnings.warn("ModelCheckpoint can save the best model only when the monitored value is "
                          f"a scalar. Received: {self.monitor}={current!r}; saving anyway.",
                          stacklevel=4)
            return True
        best = "None" if self.best is None else f"{self.best:.5f}"
        if self._is_improvement(current, self.best):
            if self.verbose > 0 and distributed.is_main():
                print(f"\nEpoch {epoch + 1}: {self.monitor} improved from {best} to "
                      f"{current:.5f}, saving model to {path}", flush=True)
            self.best = current
            return True
        if self.verbose > 0 and distributed.is_main():
            print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {best}", flush=True)
        return False

    def _save(self, epoch: int, batch: int | None, logs: dict | None) -> None:
        logs = dict(logs or {})
        path = self._file_path(epoch, batch, logs)
        if not self._should_save(epoch, logs, path) or not distributed.is_main():
            return   # every rank tracks the best value; only rank 0 writes
        if os.path.isdir(path):
            raise IsADirectoryError("ModelCheckpoint needs a file path, but the filepath is an "
                                    f"existing directory: {path}")
        folder = os.path.dirname(path)
        if folder:
            os.makedirs(folder, exist_ok=True)
        if self.save_weights_only:
            self.model.save_weights(path)
        else:
            self.model.save(path)
