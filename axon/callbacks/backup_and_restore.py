"""BackupAndRestore: survive a crash or a kill, and resume training exactly where it stopped."""
from __future__ import annotations

import contextlib
import glob
import os
from typing import Any

from axon import distributed
from axon.callbacks.callback import Callback

CHECKPOINT_NAME = "checkpoint.axon"
PREVIOUS_NAME = "checkpoint.previous.axon"


class BackupAndRestore(Callback):
    """Checkpoint everything ``fit`` needs to continue, and continue from it after a crash.

    Every ``save_freq`` batches and at the end of every epoch, ``backup_dir/checkpoint.axon``
    is rewritten atomically (temporary file, fsync, rename: a kill at any moment leaves the old
    checkpoint or the new one) with the weights, the optimizer's slots and step count (so the
    learning-rate schedule's position), the state of every callback (EarlyStopping's best and
    wait, ReduceLROnPlateau's wait ...), the random generators behind shuffling and dropout,
    the running metrics, the shuffled order of the current epoch, and the epoch and step.

    When ``fit`` starts and a checkpoint exists, it is loaded and training continues at the
    batch after it. Run the same script again with the same data, callbacks, machine and thread
    count, and the weights and history at the end are bitwise those of a run that was never
    interrupted. Data from arrays and indexed datasets (PyDataset) resume exactly; a plain
    generator cannot be rewound and continues from where it stands.

    Args:
        backup_dir: the folder for the checkpoint (created if needed); one folder per run.
        save_freq: ``'epoch'`` to save at each epoch end only, or a number of batches (the
            checkpoint is then also written at each epoch end), or ``False`` to never save
            (only restore).
        delete_checkpoint: delete the checkpoint when ``fit`` completes.
        double_checkpoint: keep the previous checkpoint too, and fall back to it if the
            latest cannot be read (e.g. a disk that lies about fsync).

    Example:
        >>> import os, tempfile, numpy as np, axon
        >>> folder = tempfile.mkdtemp()
        >>> model = axon.Sequential([axon.layers.Dense(1, input_shape=(2,))])
        >>> model.compile(optimizer="sgd", loss="mse")
        >>> backup = axon.callbacks.BackupAndRestore(folder, save_freq=2, delete_checkpoint=False)
        >>> _ = model.fit(np.ones((8, 2)), np.ones((8, 1)), batch_size=2, epochs=2, verbose=0,
        ...               callbacks=[backup])
        >>> os.listdir(folder)
        ['checkpoint.axon']
    """

    _runs_last = True   # so the checkpoint holds what every other callback did at this hook
    _state_attributes = ("_batches_seen",)

    def __init__(self, backup_dir: str | os.PathLike, save_freq: Any = "epoch",
                 delete_checkpoint: bool = True, double_checkpoint: bool = False) -> None:
        super().__init__()
        if not isinstance(backup_dir, str | os.PathLike) or not os.fspath(backup_dir):
            raise ValueError("BackupAndRestore expects backup_dir to be a folder path. "
                             f"Received: backup_dir={backup_dir!r}")
        if save_freq != "epoch" and save_freq is not False and (
                isinstance(save_freq, bool) or not isinstance(save_freq, int) or save_freq < 1):
            raise ValueError("BackupAndRestore expects save_freq to be 'epoch', False or a "
                             f"positive number of batches. Received: save_freq={save_freq!r}")
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.delete_checkpoint = bool(delete_checkpoint)
        self.double_checkpoint = bool(double_checkpoint)
        self._batches_seen = 0
        self._epoch = 0

    @property
    def checkpoint_path(self) -> str:
        return os.path.join(self.backup_dir, CHECKPOINT_NAME)

    def on_train_begin(self, logs=None):
        self._batches_seen, self._epoch = 0, 0
        os.makedirs(self.backup_dir, exist_ok=True)
        for stale in glob.glob(os.path.join(glob.escape(self.backup_dir), ".checkpoint*.tmp")):
            with contextlib.suppress(OSError):   # the temporary file of a write that was killed
                os.unlink(stale)
        latest, previous = self.checkpoint_path, os.path.join(self.backup_dir, PREVIOUS_NAME)
        candidates = [p for p in (latest, previous if self.double_checkpoint else None)
                      if p is not None and os.path.exists(p)]
        for index, path in enumerate(candidates):
            try:
                self.model._restore_training_checkpoint(path)
                return
            except ValueError:
                if index == len(candidates) - 1:
                    raise

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_epoch_resume(self, epoch, step):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if isinstance(self.save_freq, bool) or self.save_freq == "epoch":
            return
        self._batches_seen += 1
        if self._batches_seen % self.save_freq == 0:
            self._save(self._epoch, batch + 1, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq is not False:
            self._save(epoch + 1, 0, logs)

    def on_train_end(self, logs=None):
        if self.delete_checkpoint and distributed.is_main():
            for name in (CHECKPOINT_NAME, PREVIOUS_NAME):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(os.path.join(self.backup_dir, name))

    def _save(self, epoch: int, step: int, logs: dict | None) -> None:
        if not distributed.is_main():   # data-parallel ranks hold the same state: rank 0 writes
            return
        latest = self.checkpoint_path
        if self.double_checkpoint and os.path.exists(latest):
            os.replace(latest, os.path.join(self.backup_dir, PREVIOUS_NAME))
        self.model._save_training_checkpoint(latest, epoch, step, logs)
