"""Adagrad: per-weight step sizes shrinking with the sum of past squared gradients."""
from __future__ import annotations

from axon.backend import xp
from axon.optimizers.base import Optimizer, check_number


class Adagrad(Optimizer):
    """Adagrad (Duchi, Hazan & Singer, 2011), in Keras 3's formulation.

        a <- a + g**2                                 (a starts at initial_accumulator_value)
        w <- w - eta * g / sqrt(a + epsilon)

    The paper starts the accumulator at 0 and adds a small delta outside the square root; Keras
    starts it at ``initial_accumulator_value`` (0.1) and puts ``epsilon`` inside, as here.

    Args:
        learning_rate: ``eta`` (default 0.001).
        initial_accumulator_value: the accumulator's starting value, ``>= 0`` (default 0.1).
        epsilon: ``>= 0``, keeps the division finite (default 1e-7).
        **kwargs: the base options, see :class:`Optimizer`.
    """

    def __init__(self, learning_rate=0.001, initial_accumulator_value: float = 0.1,
                 epsilon: float = 1e-7, **kwargs) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.initial_accumulator_value = check_number(
            self, "initial_accumulator_value", initial_accumulator_value, 0.0)
        self.epsilon = check_number(self, "epsilon", epsilon, 0.0)

    def build(self, variable):
        return {"accumulator": xp.full_like(variable.data, self.initial_accumulator_value)}

    def update_step(self, grad, variable, lr):
        a = self.slots(variable)["accumulator"]
        tmp = self.scratch(variable.data)
        xp.multiply(grad, grad, out=tmp)
        a += tmp
        xp.add(a, self.epsilon, out=tmp)
        xp.sqrt(tmp, out=tmp)
        xp.divide(grad, tmp, out=tmp)
        tmp *= lr
        variable.data -= tmp

    def get_config(self):
        return {**super().get_config(), "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}
