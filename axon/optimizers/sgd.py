"""Stochastic gradient descent, with momentum and Nesterov momentum."""
from __future__ import annotations

from axon.backend import xp
from axon.optimizers.base import Optimizer


class SGD(Optimizer):
    """Gradient descent: step against the gradient.

    Plain (momentum = 0):     ``w <- w - eta * g``
    Momentum (Keras's form):  ``v <- mu * v - eta * g;   w <- w + v``
    Nesterov:                 ``v <- mu * v - eta * g;   w <- w + mu * v - eta * g``

    Args:
        learning_rate: ``eta`` (default 0.01, as in Keras).
        momentum: ``mu`` in ``[0, 1)``.
        nesterov: use Nesterov's look-ahead form.

    Example:
        >>> import axon
        >>> opt = axon.optimizers.SGD(learning_rate=0.1)
        >>> w = axon.Variable([1.0])
        >>> opt.apply([axon.backend.xp.asarray([2.0], dtype="float32")], [w])
        >>> round(w.numpy()[0].item(), 6)
        0.8
    """

    def __init__(self, learning_rate=0.01, momentum: float = 0.0, nesterov: bool = False,
                 name: str = "SGD", **kwargs) -> None:
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        if not 0 <= momentum < 1:
            raise ValueError(f"SGD expects momentum in [0, 1). Received: momentum={momentum!r}")
        self.momentum, self.nesterov = float(momentum), bool(nesterov)

    def build(self, variable):
        return {"momentum": xp.zeros_like(variable.data)} if self.momentum else {}

    def update_step(self, grad, variable, lr):
        w = variable.data
        if not self.momentum:
            w -= lr * grad
            return
        v = self.slots(variable)["momentum"]
        v *= self.momentum
        v -= lr * grad
        if self.nesterov:
            w += self.momentum * v - lr * grad
        else:
            w += v

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}
