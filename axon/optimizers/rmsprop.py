"""RMSprop: divide the step by a running root mean square of the gradient."""
from __future__ import annotations

from axon.backend import xp
from axon.optimizers.base import Optimizer, check_number


class RMSprop(Optimizer):
    """RMSprop (Hinton, 2012), in Keras 3's formulation (Keras's default optimizer in ``compile``).

    With ``a`` the running mean square of the gradient ``g`` (slot ``velocity``):

        a <- rho * a + (1 - rho) * g**2
        d = a + epsilon                     (centered: c <- rho * c + (1 - rho) * g;  d = a - c**2 + epsilon)
        w <- w - eta * g / sqrt(d)                                      (momentum = 0)
        u <- mu * u + eta * g / sqrt(d);  w <- w - u                    (momentum mu > 0)

    Keras puts ``epsilon`` inside the square root; PyTorch adds it outside.

    Args:
        learning_rate: ``eta`` (default 0.001).
        rho: the mean square's decay rate, in ``[0, 1)`` (default 0.9).
        momentum: ``mu >= 0`` (default 0).
        epsilon: ``>= 0``, keeps the division finite (default 1e-7).
        centered: divide by an estimate of the gradient's variance instead of its mean square.
        **kwargs: the base options, see :class:`Optimizer`.
    """

    def __init__(self, learning_rate=0.001, rho: float = 0.9, momentum: float = 0.0,
                 epsilon: float = 1e-7, centered: bool = False, **kwargs) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.rho = check_number(self, "rho", rho, 0.0, 1.0, high_open=True)
        self.momentum = check_number(self, "momentum", momentum, 0.0)
        self.epsilon = check_number(self, "epsilon", epsilon, 0.0)
        self.centered = bool(centered)

    def build(self, variable):
        slots = {"velocity": xp.zeros_like(variable.data)}
        if self.momentum > 0:
            slots["momentum"] = xp.zeros_like(variable.data)
        if self.centered:
            slots["average_gradient"] = xp.zeros_like(variable.data)
        return slots

    def update_step(self, grad, variable, lr):
        s = self.slots(variable)
        a, rho = s["velocity"], self.rho
        tmp = self.scratch(variable.data)
        a *= rho
        xp.multiply(grad, grad, out=tmp)
        tmp *= 1 - rho
        a += tmp
        if self.centered:
            c = s["average_gradient"]
            c *= rho
            xp.multiply(grad, 1 - rho, out=tmp)
            c += tmp
            xp.multiply(c, c, out=tmp)
            xp.subtract(a, tmp, out=tmp)
            tmp += self.epsilon
        else:
            xp.add(a, self.epsilon, out=tmp)
        xp.sqrt(tmp, out=tmp)
        xp.divide(grad, tmp, out=tmp)
        tmp *= lr                                       # increment = eta g / sqrt(d)
        if self.momentum > 0:
            u = s["momentum"]
            u *= self.momentum
            u += tmp
            variable.data -= u
        else:
            variable.data -= tmp

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}
