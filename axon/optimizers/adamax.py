"""Adamax: Adam with the infinity norm in place of the second moment."""
from __future__ import annotations

from axon.backend import xp
from axon.optimizers.base import Optimizer, check_number


class Adamax(Optimizer):
    """Adamax (Kingma & Ba, 2015, section 7.1), in Keras 3's formulation.

    At step ``t`` (from 1):

        m <- beta_1 * m + (1 - beta_1) * g
        u <- max(beta_2 * u, |g|)                      (exponentially weighted infinity norm)
        w <- w - eta / (1 - beta_1**t) * m / (u + epsilon)

    The paper has no ``epsilon``; Keras adds it to ``u`` (a weight whose gradient has always been 0
    would otherwise divide 0 by 0).

    Args:
        learning_rate: ``eta`` (default 0.001).
        beta_1, beta_2: the decay rates, in ``[0, 1)`` (0.9, 0.999).
        epsilon: ``>= 0`` (default 1e-7).
        **kwargs: the base options, see :class:`Optimizer`.
    """

    def __init__(self, learning_rate=0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, **kwargs) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1 = check_number(self, "beta_1", beta_1, 0.0, 1.0, high_open=True)
        self.beta_2 = check_number(self, "beta_2", beta_2, 0.0, 1.0, high_open=True)
        self.epsilon = check_number(self, "epsilon", epsilon, 0.0)

    def build(self, variable):
        return {"momentum": xp.zeros_like(variable.data), "norm": xp.zeros_like(variable.data)}

    def update_step(self, grad, variable, lr):
        s = self.slots(variable)
        m, u, b1 = s["momentum"], s["norm"], self.beta_1
        tmp = self.scratch(variable.data)
        m *= b1
        xp.multiply(grad, 1 - b1, out=tmp)
        m += tmp
        u *= self.beta_2
        xp.abs(grad, out=tmp)
        xp.maximum(u, tmp, out=u)
        xp.add(u, self.epsilon, out=tmp)
        xp.divide(m, tmp, out=tmp)
        tmp *= lr / (1 - b1**self.iterations)
        variable.data -= tmp

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}
