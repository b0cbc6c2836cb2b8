"""The optimizer base: everything around an update rule.

``apply(grads, variables)`` drops missing gradients, clips (``clipvalue``, ``clipnorm``,
``global_clipnorm``), resolves the learning rate, counts steps (``iterations``), builds the
algorithm's slots on first use, and calls ``update_step(g, w, lr)`` for each weight, in place and
without recording a graph. A subclass writes only ``build`` (its slots) and ``update_step``.
"""
from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

from axon import backend
from axon.engine import Variable, no_grad

xp = backend.xp


class Optimizer:
    """Base class of optimizers.

    Args:
        learning_rate: the step size ``eta`` (a positive float or a callable of the step).
        clipvalue: clip each gradient entry to ``[-clipvalue, clipvalue]``.
        clipnorm: rescale each gradient so its L2 norm is at most ``clipnorm``.
        global_clipnorm: rescale all gradients together so their joint norm is at most this.
        name: the optimizer's name.
        lr: deprecated alias of ``learning_rate`` (a DeprecationWarning says so).
    """

    def __init__(self, learning_rate: Any = 0.001, clipnorm: float | None = None,
                 clipvalue: float | None = None, global_clipnorm: float | None = None,
                 name: str | None = None, **kwargs: Any) -> None:
        if "lr" in kwargs:
            warnings.warn(f"{type(self).__name__}: the argument 'lr' is deprecated; use "
                          "'learning_rate'.", DeprecationWarning, stacklevel=3)
            learning_rate = kwargs.pop("lr")
        if kwargs:
            raise TypeError(f"{type(self).__name__} got unexpected keyword argument(s): "
                            f"{', '.join(sorted(kwargs))}.")
        if not callable(learning_rate):
            if isinstance(learning_rate, bool) or not isinstance(learning_rate, numbers.Real) \
                    or not learning_rate > 0:
                raise ValueError(f"{type(self).__name__} expects a positive learning_rate. "
                                 f"Received: learning_rate={learning_rate!r}")
            learning_rate = float(learning_rate)
        if clipnorm is not None and global_clipnorm is not None:
            raise ValueError("Pass at most one of clipnorm and global_clipnorm.")
        self.learning_rate = learning_rate
        self.clipnorm, self.clipvalue, self.global_clipnorm = clipnorm, clipvalue, global_clipnorm
        self.name = name or type(self).__name__.lower()
        self.iterations = 0
        self._slots: dict[int, dict[str, Any]] = {}

    # ---- what a subclass writes ---------------------------------------------------------------
    def build(self, variable: Variable) -> dict[str, Any]:
        """The slots (state arrays) the algorithm keeps for ``variable``. Default: none."""
        return {}

    def update_step(self, grad: Any, variable: Variable, lr: float) -> None:
        """Update ``variable.data`` in place from its gradient. Subclasses implement it."""
        raise NotImplementedError

    # ---- the shared machinery -----------------------------------------------------------------
    def slots(self, variable: Variable) -> dict[str, Any]:
        """The state arrays of ``variable`` (created on first use)."""
        key = id(variable)
        if key not in self._slots:
            self._slots[key] = self.build(variable)
        return self._slots[key]

    def current_learning_rate(self) -> float:
        """The learning rate at the current step (a schedule is called with the step count)."""
        lr = self.learning_rate
        return float(lr(self.iterations) if callable(lr) else lr)

    def apply(self, grads: list, variables: list[Variable]) -> None:
        """Apply one update: ``w <- update(w, g)`` for each (gradient, variable) pair."""
        pairs = [(g, v) for g, v in zip(grads, variables) if g is not None]
        if not pairs:
            return
        grads = self._clip([g for g, _ in pairs])
        lr = self.current_learning_rate()
        self.iterations += 1
        with no_grad():
            for grad, (_, variable) in zip(grads, pairs):
                self.update_step(grad, variable, lr)

    def apply_gradients(self, grads_and_vars: Any) -> None:
        """Keras's form: ``apply_gradients(zip(grads, variables))``."""
        grads, variables = zip(*grads_and_vars) if grads_and_vars else ((), ())
        self.apply(list(grads), list(variables))

    def _clip(self, grads: list) -> list:
        if self.clipvalue is not None:
            grads = [xp.clip(g, -self.clipvalue, self.clipvalue) for g in grads]
        if self.clipnorm is not None:
            grads = [g * min(1.0, self.clipnorm / (float(xp.sqrt(xp.sum(g * g))) + 1e-12))
                     for g in grads]
        if self.global_clipnorm is not None:
            norm = math.sqrt(sum(float(xp.sum(g * g)) for g in grads))
            scale = min(1.0, self.global_clipnorm / (norm + 1e-12))
            grads = [g * scale for g in grads]
        return grads

    def get_config(self) -> dict:
        lr = self.learning_rate
        return {"name": self.name, "learning_rate": lr if not callable(lr) else repr(lr),
                "clipnorm": self.clipnorm, "clipvalue": self.clipvalue,
                "global_clipnorm": self.global_clipnorm}

    @classmethod
    def from_config(cls, config: dict) -> Optimizer:
        return cls(**config)
