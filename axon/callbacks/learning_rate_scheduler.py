"""LearningRateScheduler: set the learning rate at the start of each epoch from a function."""
from __future__ import annotations

import inspect
from collections.abc import Callable

from axon.callbacks.callback import Callback
from axon.callbacks.learning_rate import get_learning_rate, set_learning_rate


class LearningRateScheduler(Callback):
    """At the start of epoch ``e`` (0-based), set ``eta <- schedule(e, eta)``.

    ``schedule`` receives the epoch index and the current learning rate and returns the new one
    (a float). A function of the epoch alone, ``schedule(e)``, is accepted too (Keras's older
    form). The learning rate is also added to the epoch-end logs as ``'learning_rate'``.

    Args:
        schedule: ``(epoch, lr) -> lr`` (or ``(epoch) -> lr``).
        verbose: 1 prints the new learning rate at each epoch.

    Raises:
        ValueError: at the epoch where ``schedule`` returns something that is not a finite
            non-negative number.

    Example:
        >>> import numpy as np, axon
        >>> model = axon.Sequential([axon.layers.Dense(1, input_shape=(2,))])
        >>> model.compile(optimizer=axon.optimizers.SGD(learning_rate=0.1), loss="mse")
        >>> halve_after_1 = lambda epoch, lr: lr if epoch < 1 else lr / 2
        >>> _ = model.fit(np.zeros((4, 2)), np.zeros((4, 1)), epochs=3, verbose=0,
        ...               callbacks=[axon.callbacks.LearningRateScheduler(halve_after_1)])
        >>> model.optimizer.learning_rate  # 0.1 in epoch 0, 0.05 in epoch 1, 0.025 in epoch 2
        0.025
    """

    def __init__(self, schedule: Callable, verbose: int = 0) -> None:
        super().__init__()
        if not callable(schedule):
            raise TypeError("LearningRateScheduler expects schedule to be a function "
                            f"(epoch, lr) -> lr. Received: schedule={schedule!r}")
        self.schedule = schedule
        self.verbose = verbose
        self._takes_lr = _accepts_two_arguments(schedule)

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = self.model.optimizer
        if self._takes_lr:
            value = self.schedule(epoch, get_learning_rate(optimizer))
        else:
            value = self.schedule(epoch)
        learning_rate = set_learning_rate(optimizer, value, "LearningRateScheduler")
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to "
                  f"{learning_rate}.", flush=True)

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = get_learning_rate(self.model.optimizer)


def _accepts_two_arguments(function: Callable) -> bool:
    """Whether ``function(epoch, lr)`` binds (else it is called as ``function(epoch)``)."""
    try:
        inspect.signature(function).bind(0, 0.0)
    except TypeError:
        return False
    except ValueError:  # no signature available (some builtins): use the documented form
        return True
    return True
