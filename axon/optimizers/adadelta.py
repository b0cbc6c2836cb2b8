"""Adadelta: step sizes from the ratio of running RMS of past updates and of gradients."""
from __future__ import annotations

from axon.backend import xp
from axon.optimizers.base import Optimizer, check_number


class Adadelta(Optimizer):
    """Adadelta (Zeiler, 2012), in Keras 3's formulation.

    With ``E[g2]`` and ``E[dx2]`` the running means of squared gradients and squared updates:

        E[g2]  <- rho * E[g2] + (1 - rho) * g**2
        dx      = sqrt(E[dx2] + epsilon) / sqrt(E[g2] + epsilon) * g
        E[dx2] <- rho * E[dx2] + (1 - rho) * dx**2
        w      <- w - eta * dx

    The paper has no learning rate (``eta = 1``); Keras keeps one and defaults it to 0.001, so
    ``Adadelta()`` moves a thousand times slower than the paper's rule. Pass ``learning_rate=1.0``
    for the paper's.

    Args:
        learning_rate: ``eta`` (default 0.001, Keras's).
        rho: the decay rate, in ``[0, 1)`` (default 0.95).
        epsilon: ``>= 0``, keeps the ratio finite (default 1e-7).
        **kwargs: the base options, see :class:`Optimizer`.
    """

    def __init__(self, learning_rate=0.001, rho: float = 0.95, epsilon: float = 1e-7,
                 **kwargs) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.rho = check_number(self, "rho", rho, 0.0, 1.0, high_open=True)
        self.epsilon = check_number(self, "epsilon", epsilon, 0.0)

    def build(self, variable):
        return {"accumulated_grad": xp.zeros_like(variable.data),
                "accumulated_delta_var": xp.zeros_like(variable.data)}

    def update_step(self, grad, variable, lr):
        s = self.slots(variable)
        eg2, edx2, rho, eps = s["accumulated_grad"], s["accumulated_delta_var"], self.rho, self.epsilon
        dx, tmp = self.scratch(variable.data, 0), self.scratch(variable.data, 1)
        eg2 *= rho
        xp.multiply(grad, grad, out=tmp)
        tmp *= 1 - rho
        eg2 += tmp
        xp.add(edx2, eps, out=dx)
        xp.add(eg2, eps, out=tmp)
        xp.divide(dx, tmp, out=dx)
        xp.sqrt(dx, out=dx)
        dx *= grad                                       # dx = sqrt(E[dx2]+eps)/sqrt(E[g2]+eps) g
        edx2 *= rho
        xp.multiply(dx, dx, out=tmp)
        tmp *= 1 - rho
        edx2 += tmp
        dx *= lr
        variable.data -= dx

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}
