"""LambdaCallback: a callback made of plain functions, for quick one-off hooks."""
from __future__ import annotations

from collections.abc import Callable

from axon.callbacks.callback import _HOOKS, Callback


class LambdaCallback(Callback):
    """A callback whose hooks are the functions given (any hook not given does nothing).

    Each function takes the hook's arguments: ``on_epoch_begin``/``on_epoch_end`` get
    ``(epoch, logs)``; ``on_train_begin``/``on_train_end`` get ``(logs)``;
    ``on_train_batch_begin``/``on_train_batch_end`` get ``(batch, logs)``. Any other hook of
    :class:`Callback` (``on_test_begin``, ``on_predict_batch_end`` ...) may be passed by name.

    Args:
        on_epoch_begin, on_epoch_end, on_train_begin, on_train_end, on_train_batch_begin,
        on_train_batch_end: functions called at those points.
        **kwargs: other hooks, by their ``Callback`` method name.

    Raises:
        TypeError: for a name that is not a hook, or a value that is not callable. (Keras stores
            any keyword as an attribute; axon rejects unknown names so a typo is not ignored.)

    Example:
        >>> import numpy as np, axon
        >>> model = axon.Sequential([axon.layers.Dense(1, input_shape=(2,))])
        >>> model.compile(optimizer="sgd", loss="mse")
        >>> report = axon.callbacks.LambdaCallback(
        ...     on_epoch_end=lambda epoch, logs: print(f"epoch {epoch}: loss={logs['loss']:.1f}"))
        >>> _ = model.fit(np.zeros((4, 2)), np.zeros((4, 1)), epochs=2, verbose=0,
        ...               callbacks=[report])
        epoch 0: loss=0.0
        epoch 1: loss=0.0
    """

    def __init__(self, on_epoch_begin: Callable | None = None,
                 on_epoch_end: Callable | None = None, on_train_begin: Callable | None = None,
                 on_train_end: Callable | None = None, on_train_batch_begin: Callable | None = None,
                 on_train_batch_end: Callable | None = None, **kwargs: Callable) -> None:
        super().__init__()
        hooks = dict(on_epoch_begin=on_epoch_begin, on_epoch_end=on_epoch_end,
                     on_train_begin=on_train_begin, on_train_end=on_train_end,
                     on_train_batch_begin=on_train_batch_begin,
                     on_train_batch_end=on_train_batch_end)
        for name, function in kwargs.items():
            if name not in _HOOKS:
                raise TypeError(f"LambdaCallback got an unknown hook {name!r}. Known hooks: "
                                f"{', '.join(_HOOKS)}.")
            hooks[name] = function
        for name, function in hooks.items():
            if function is None:
                continue
            if not callable(function):
                raise TypeError(f"LambdaCallback expects {name} to be a function. "
                                f"Received: {name}={function!r}")
            setattr(self, name, function)  # an instance attribute shadows the no-op method
