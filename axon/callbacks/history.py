"""History: the per-epoch record of every logged number, returned by ``fit``."""
from __future__ import annotations

from typing import Any

from axon.callbacks.callback import Callback


class History(Callback):
    """Records ``logs`` at each epoch end: ``history.history['loss']`` is a list, one per epoch.

    Attributes:
        history: metric name -> list of per-epoch values.
        epoch: the epoch indices recorded.
    """

    _state_attributes = ("epoch", "history")   # saved by BackupAndRestore

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, logs=None):
        self.epoch = []
        self.history = {}

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for name, value in (logs or {}).items():
            self.history.setdefault(name, []).append(value)
        if self.model is not None:
            self.model.history = self

    def plot(self, metrics: list[str] | str | None = None, ax: Any = None) -> Any:
        """Draw the loss and each metric per epoch, training against validation (needs
        matplotlib); returns the Figure. See :func:`axon.plots.plot_history`."""
        from axon.plots import plot_history  # matplotlib and the plots only when asked for

        return plot_history(self, metrics=metrics, ax=ax)
