"""The Callback base and the list that calls them. The training loop talks to the outside world
only through these hooks and a ``logs`` dict; ``model.stop_training`` is the only control flag."""
from __future__ import annotations

from typing import Any


class Callback:
    """Base class: override any hook. ``self.model`` and ``self.params`` are set by ``fit``.

    ``on_batch_begin``/``on_batch_end`` are Keras's older names for the training-batch hooks:
    the base ``on_train_batch_begin``/``on_train_batch_end`` call them, so overriding either
    name works.
    """

    # Attributes that make up the callback's state between epochs (saved by BackupAndRestore).
    _state_attributes: tuple[str, ...] = ()
    # Called after every other callback at each hook (BackupAndRestore: it saves their states).
    _runs_last: bool = False

    def __init__(self) -> None:
        self.model: Any = None
        self.params: dict = {}

    def get_state(self) -> dict:
        """What the callback has learned so far (e.g. EarlyStopping's best value and wait), as
        numbers, strings, lists, dicts and NumPy arrays; ``set_state`` puts it back."""
        return {name: getattr(self, name) for name in self._state_attributes}

    def set_state(self, state: dict) -> None:
        """Restore what :meth:`get_state` returned (unknown names are refused)."""
        unknown = sorted(set(state) - set(self._state_attributes))
        if unknown:
            raise ValueError(f"{type(self).__name__} has no state named {unknown}; it keeps "
                             f"{list(self._state_attributes)}.")
        for name, value in state.items():
            setattr(self, name, value)

    def set_model(self, model: Any) -> None:
        self.model = model

    def set_params(self, params: dict) -> None:
        self.params = params

    def on_train_begin(self, logs: dict | None = None) -> None: ...
    def on_train_end(self, logs: dict | None = None) -> None: ...
    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None: ...
    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None: ...

    def on_epoch_resume(self, epoch: int, step: int) -> None:
        """Training resumes inside ``epoch`` at batch ``step`` from a checkpoint; the epoch's
        ``on_epoch_begin`` ran before the checkpoint and is not repeated. (axon's addition.)"""

    def on_batch_begin(self, batch: int, logs: dict | None = None) -> None: ...
    def on_batch_end(self, batch: int, logs: dict | None = None) -> None: ...

    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        self.on_batch_begin(batch, logs)

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self.on_batch_end(batch, logs)

    def on_test_begin(self, logs: dict | None = None) -> None: ...
    def on_test_end(self, logs: dict | None = None) -> None: ...
    def on_test_batch_begin(self, batch: int, logs: dict | None = None) -> None: ...
    def on_test_batch_end(self, batch: int, logs: dict | None = None) -> None: ...
    def on_predict_begin(self, logs: dict | None = None) -> None: ...
    def on_predict_end(self, logs: dict | None = None) -> None: ...
    def on_predict_batch_begin(self, batch: int, logs: dict | None = None) -> None: ...
    def on_predict_batch_end(self, batch: int, logs: dict | None = None) -> None: ...


_HOOKS = [name for name in vars(Callback) if name.startswith("on_")]


class CallbackList(Callback):
    """Calls each hook on every callback in order."""

    def __init__(self, callbacks: list[Callback] | None = None, model: Any = None,
                 params: dict | None = None) -> None:
        super().__init__()
        callbacks = list(callbacks or [])
        for callback in callbacks:
            if not isinstance(callback, Callback):
                raise TypeError("callbacks must be a list of axon.callbacks.Callback instances. "
                                f"Received an item of type {type(callback).__name__}")
        self.callbacks = [c for c in callbacks if not c._runs_last] + \
            [c for c in callbacks if c._runs_last]
        if model is not None:
            self.set_model(model)
        if params is not None:
            self.set_params(params)

    def set_model(self, model):
        super().set_model(model)
        for callback in self.callbacks:
            callback.set_model(model)

    def set_params(self, params):
        super().set_params(params)
        for callback in self.callbacks:
            callback.set_params(params)

    def _call(self, hook: str, *args: Any) -> None:
        for callback in self.callbacks:
            getattr(callback, hook)(*args)

    def on_train_begin(self, logs=None): self._call("on_train_begin", logs)
    def on_train_end(self, logs=None): self._call("on_train_end", logs)
    def on_epoch_begin(self, epoch, logs=None): self._call("on_epoch_begin", epoch, logs)
    def on_epoch_end(self, epoch, logs=None): self._call("on_epoch_end", epoch, logs)
    def on_epoch_resume(self, epoch, step): self._call("on_epoch_resume", epoch, step)
    def on_train_batch_begin(self, batch, logs=None): self._call("on_train_batch_begin", batch, logs)
    def on_train_batch_end(self, batch, logs=None): self._call("on_train_batch_end", batch, logs)
    def on_test_begin(self, logs=None): self._call("on_test_begin", logs)
    def on_test_end(self, logs=None): self._call("on_test_end", logs)
    def on_test_batch_begin(self, batch, logs=None): self._call("on_test_batch_begin", batch, logs)
    def on_test_batch_end(self, batch, logs=None): self._call("on_test_batch_end", batch, logs)
    def on_predict_begin(self, logs=None): self._call("on_predict_begin", logs)
    def on_predict_end(self, logs=None): self._call("on_predict_end", logs)

    def on_predict_batch_begin(self, batch, logs=None):
        self._call("on_predict_batch_begin", batch, logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._call("on_predict_batch_end", batch, logs)
