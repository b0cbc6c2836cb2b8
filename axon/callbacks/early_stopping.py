"""EarlyStopping: end training when a monitored quantity stops improving."""
from __future__ import annotations

from axon.callbacks.monitor import MonitorCallback


class EarlyStopping(MonitorCallback):
    """Stop training when ``logs[monitor]`` has not improved for ``patience`` epochs.

    At each epoch end (from epoch ``start_from_epoch`` on), with ``d = |min_delta|``: the value
    improves when it is below ``best - d`` (mode ``'min'``) or above ``best + d`` (mode ``'max'``).
    Each epoch without improvement adds one to a counter ``wait``; an improvement sets ``best``
    and resets ``wait`` to 0 (only when it also beats ``baseline``, if one is given). Once
    ``wait >= patience`` (and the epoch is not the first), ``model.stop_training`` is set.

    A numeric tolerance ("stop when the loss changes by less than 1e-4") is ``min_delta``: a
    change smaller than it counts as no improvement, so ``EarlyStopping(monitor='loss',
    min_delta=1e-4, patience=0)`` stops at the first epoch whose loss is not at least 1e-4 below
    the best so far.

    Args:
        monitor: the logged quantity to watch (default ``'val_loss'``).
        min_delta: the smallest change that counts as an improvement (its sign is ignored).
        patience: epochs without improvement after which training stops.
        verbose: 1 prints a line when training is stopped and when weights are restored.
        mode: ``'auto'`` (accuracy/AUC-like names are maximized, losses and errors minimized;
            the ``val_`` prefix is ignored), ``'min'`` or ``'max'``.
        baseline: a value the monitored quantity must beat: until it does, ``wait`` is not reset,
            so training stops after ``patience`` epochs that do not beat it.
        restore_best_weights: at the end of training, set the model's weights back to those of
            the best epoch (as Keras 3 does, also when training ran all its epochs). The best
            epoch is tracked regardless of ``baseline``.
        start_from_epoch: epochs to wait before monitoring starts (a warm-up).

    Attributes:
        stopped_epoch: the (0-based) epoch at which training was stopped, 0 if it was not.
        best, best_epoch, wait: the best value, its (0-based) epoch, epochs since improvement.

    Example:
        Stop once the training loss changes by less than 1e-3 for 2 epochs in a row (here the
        loss is exactly 0 throughout, so it never improves after the first epoch):

        >>> import numpy as np, axon
        >>> model = axon.Sequential([axon.layers.Dense(1, input_shape=(2,))])
        >>> model.compile(optimizer="sgd", loss="mse")
        >>> stop = axon.callbacks.EarlyStopping(monitor="loss", min_delta=1e-3, patience=2)
        >>> history = model.fit(np.zeros((8, 2)), np.zeros((8, 1)), epochs=10, verbose=0,
        ...                     callbacks=[stop])
        >>> len(history.history["loss"]), stop.stopped_epoch
        (3, 2)
    """

    # saved by BackupAndRestore
    _state_attributes = ("wait", "stopped_epoch", "best", "best_epoch", "best_weights")

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0, patience: int = 0,
                 verbose: int = 0, mode: str = "auto", baseline: float | None = None,
                 restore_best_weights: bool = False, start_from_epoch: int = 0) -> None:
        super().__init__(monitor, mode, min_delta)
        for argument, value in (("patience", patience), ("start_from_epoch", start_from_epoch)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"EarlyStopping expects {argument} to be a non-negative integer. "
                                 f"Received: {argument}={value!r}")
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = start_from_epoch
        self._reset()

    def _reset(self) -> None:
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_epoch = 0
        self.best_weights = None

    def on_train_begin(self, logs=None):
        self._reset()  # the same instance may serve several fit() calls

    def on_epoch_end(self, epoch, logs=None):
        current = self.get_monitor_value(logs, "early stopping")
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()  # the first monitored epoch is the best
            self.best_epoch = epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping", flush=True)
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print("Restoring model weights from the end of the best epoch: "
                      f"{self.best_epoch + 1}.", flush=True)
            self.model.set_weights(self.best_weights)
