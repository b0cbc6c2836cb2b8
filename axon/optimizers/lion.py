"""Lion: the sign of an interpolated momentum, found by program search."""
from __future__ import annotations

from axon.backend import xp
from axon.optimizers.base import Optimizer, check_number


class Lion(Optimizer):
    """Lion (Chen et al., 2023, "Symbolic Discovery of Optimization Algorithms"), as in Keras 3.

        c = beta_1 * m + (1 - beta_1) * g            (the update's direction)
        w <- w - eta * sign(c)
        m <- beta_2 * m + (1 - beta_2) * g           (the momentum, tracked with a slower rate)

    Every entry moves by exactly ``eta`` (or 0), so Lion wants a learning rate 3-10x smaller than
    AdamW's; with decoupled ``weight_decay`` the paper's ``w <- w - eta * lambda * w`` applies first.

    Args:
        learning_rate: ``eta`` (default 0.001).
        beta_1: the interpolation rate, in ``(0, 1]`` (default 0.9; Keras rejects 0, which would be
            sign descent).
        beta_2: the momentum's decay rate, in ``[0, 1]`` (default 0.99).
        **kwargs: the base options, see :class:`Optimizer`.
    """

    def __init__(self, learning_rate=0.001, beta_1: float = 0.9, beta_2: float = 0.99,
                 **kwargs) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1 = check_number(self, "beta_1", beta_1, 0.0, 1.0, low_open=True)
        self.beta_2 = check_number(self, "beta_2", beta_2, 0.0, 1.0)

    def build(self, variable):
        return {"momentum": xp.zeros_like(variable.data)}

    def update_step(self, grad, variable, lr):
        m, b1, b2 = self.slots(variable)["momentum"], self.beta_1, self.beta_2
        c, tmp = self.scratch(variable.data, 0), self.scratch(variable.data, 1)
        xp.multiply(m, b1, out=c)
        xp.multiply(grad, 1 - b1, out=tmp)
        c += tmp
        xp.sign(c, out=c)
        c *= lr
        variable.data -= c
        m *= b2
        xp.multiply(grad, 1 - b2, out=tmp)
        m += tmp

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2}
