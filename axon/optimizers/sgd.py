"""Stochastic gradient descent, with momentum and Nesterov momentum."""
from __future__ import annotations

from axon.backend import xp
from axon.optimizers.base import Optimizer, check_number


class SGD(Optimizer):
    """Gradient descent: step against the gradient (Keras 3's formulation).

    With learning rate ``eta``, momentum ``mu`` and gradient ``g``:

        plain (mu = 0):  w <- w - eta * g
        momentum:        v <- mu * v - eta * g;   w <- w + v
        nesterov:        v <- mu * v - eta * g;   w <- w + mu * v - eta * g

    Keras (like Sutskever et al. 2013) folds ``eta`` into the velocity ``v``; PyTorch keeps
    ``v <- mu * v + g`` and multiplies by ``eta`` afterwards, which differs when ``eta`` changes.

    Args:
        learning_rate: ``eta`` (default 0.01, as in Keras).
        momentum: ``mu`` in ``[0, 1]`` (default 0).
        nesterov: use Nesterov's look-ahead form.
        **kwargs: the base options (``weight_decay``, ``clipnorm``, ``clipvalue``,
            ``global_clipnorm``, ``use_ema``, ``name`` ...), see :class:`Optimizer`.

    Example:
        >>> import axon
        >>> opt = axon.optimizers.SGD(learning_rate=0.1)
        >>> w = axon.Variable([1.0])
        >>> opt.apply([axon.backend.xp.asarray([2.0], dtype="float32")], [w])
        >>> round(w.numpy()[0].item(), 6)
        0.8
    """

    def __init__(self, learning_rate=0.01, momentum: float = 0.0, nesterov: bool = False,
                 **kwargs) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.momentum = check_number(self, "momentum", momentum, 0.0, 1.0)
        self.nesterov = bool(nesterov)

    def build(self, variable):
        return {"momentum": xp.zeros_like(variable.data)} if self.momentum else {}

    def update_step(self, grad, variable, lr):
        w = variable.data
        step = self.scratch(w)
        xp.multiply(grad, lr, out=step)                 # eta * g
        if not self.momentum:
            w -= step
            return
        v = self.slots(variable)["momentum"]
        v *= self.momentum
        v -= step                                       # v = mu v - eta g
        if self.nesterov:
            w -= step
            xp.multiply(v, self.momentum, out=step)
            w += step                                   # w + mu v - eta g
        else:
            w += v

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}
