"""ReduceLROnPlateau: lower the learning rate when a monitored quantity stops improving."""
from __future__ import annotations

import numbers

import numpy

from axon.callbacks.learning_rate import get_learning_rate, set_learning_rate
from axon.callbacks.monitor import MonitorCallback


class ReduceLROnPlateau(MonitorCallback):
    """Multiply the learning rate by ``factor`` after ``patience`` epochs without improvement.

    At each epoch end, with ``d = |min_delta|``, the monitored value improves when it is below
    ``best - d`` (mode ``'min'``) or above ``best + d`` (mode ``'max'``). Each epoch without
    improvement (outside a cooldown) adds one to ``wait``; when ``wait >= patience``:

        eta <- max(eta * factor, min_lr)    (only while eta > min_lr)

    then ``wait`` restarts and ``cooldown`` epochs pass before epochs count again. The current
    learning rate is added to the logs as ``'learning_rate'`` (as Keras 3 does), so ``History``
    and ``CSVLogger`` record it when they run after this callback.

    Args:
        monitor: the logged quantity to watch (default ``'val_loss'``).
        factor: the multiplier ``0 <= factor < 1`` of the learning rate.
        patience: epochs without improvement before the rate is reduced.
        verbose: 1 prints a line at each reduction.
        mode: ``'auto'``, ``'min'`` or ``'max'`` (see ``EarlyStopping``).
        min_delta: the smallest change that counts as an improvement.
        cooldown: epochs to wait after a reduction before counting epochs without improvement.
        min_lr: the learning rate is never reduced below this.

    Example:
        >>> import numpy as np, axon
        >>> model = axon.Sequential([axon.layers.Dense(1, input_shape=(2,))])
        >>> model.compile(optimizer=axon.optimizers.SGD(learning_rate=0.1), loss="mse")
        >>> reduce = axon.callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1)
        >>> history = model.fit(np.zeros((4, 2)), np.zeros((4, 1)), epochs=4, verbose=0,
        ...                     callbacks=[reduce])
        >>> model.optimizer.learning_rate
        0.0125
    """

    _state_attributes = ("best", "wait", "cooldown_counter")   # saved by BackupAndRestore

    def __init__(self, monitor: str = "val_loss", factor: float = 0.1, patience: int = 10,
                 verbose: int = 0, mode: str = "auto", min_delta: float = 1e-4, cooldown: int = 0,
                 min_lr: float = 0.0) -> None:
        super().__init__(monitor, mode, min_delta)
        if isinstance(factor, bool) or not isinstance(factor, numbers.Real) \
                or not 0 <= factor < 1:
            raise ValueError("ReduceLROnPlateau does not support a factor >= 1.0 (or < 0): the "
                             f"learning rate must go down. Received: factor={factor!r}")
        for argument, value in (("patience", patience), ("cooldown", cooldown)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"ReduceLROnPlateau expects {argument} to be a non-negative "
                                 f"integer. Received: {argument}={value!r}")
        if isinstance(min_lr, bool) or not isinstance(min_lr, numbers.Real) or min_lr < 0:
            raise ValueError("ReduceLROnPlateau expects min_lr to be a non-negative number. "
                             f"Received: min_lr={min_lr!r}")
        self.factor = float(factor)
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.min_lr = float(min_lr)
        self._reset()

    def _reset(self) -> None:
        self.best = None
        self.wait = 0
        self.cooldown_counter = 0

    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def on_train_begin(self, logs=None):
        self._reset()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        logs["learning_rate"] = get_learning_rate(self.model.optimizer)
        current = self.get_monitor_value(logs, "learning rate reduction")
        if current is None:
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._is_improvement(current, self.best):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience and self._reduce(epoch):
                self.cooldown_counter = self.cooldown
                self.wait = 0

    def _reduce(self, epoch: int) -> bool:
        old = get_learning_rate(self.model.optimizer)
        # Compared in float32 as Keras does, so a rate stored in float32 that equals min_lr stops.
        if not old > numpy.float32(self.min_lr):
            return False
        new = set_learning_rate(self.model.optimizer, max(old * self.factor, self.min_lr),
                                "ReduceLROnPlateau")
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new}.",
                  flush=True)
        return True
