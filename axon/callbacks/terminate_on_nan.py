"""TerminateOnNaN: stop training as soon as the loss is NaN or infinite."""
from __future__ import annotations

import numpy

from axon.callbacks.callback import Callback


class TerminateOnNaN(Callback):
    """Stop training when a training batch's loss is NaN or +-inf.

    After each training batch, ``logs['loss']`` (the running mean of the epoch's batch losses,
    which is non-finite from the first non-finite batch on) is checked; if it is not finite,
    a line naming the batch is printed and ``model.stop_training`` is set, so ``fit`` ends after
    this batch.

    Args:
        raise_error: raise a ``RuntimeError`` naming the batch instead of stopping quietly
            (Keras 3's newer option).

    Example:
        >>> import numpy as np, axon
        >>> model = axon.Sequential([axon.layers.Dense(1, input_shape=(1,))])
        >>> model.compile(optimizer=axon.optimizers.SGD(learning_rate=1e30), loss="mse")
        >>> with np.errstate(over="ignore", invalid="ignore"):  # the weights overflow on purpose
        ...     history = model.fit(np.full((8, 1), 1e10), np.zeros((8, 1)), batch_size=1,
        ...                         epochs=5, verbose=0, shuffle=False,
        ...                         callbacks=[axon.callbacks.TerminateOnNaN()])
        ... # doctest: +ELLIPSIS
        Batch ...: Invalid loss, terminating training
        >>> len(history.history["loss"])
        1
    """

    def __init__(self, raise_error: bool = False) -> None:
        super().__init__()
        self.raise_error = raise_error

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is None or numpy.all(numpy.isfinite(loss)):
            return
        if self.raise_error:
            raise RuntimeError(f"NaN or Inf loss encountered at batch {batch}. Loss value: {loss}. "
                               "Terminating training immediately.")
        print(f"Batch {batch}: Invalid loss, terminating training", flush=True)
        self.model.stop_training = True
