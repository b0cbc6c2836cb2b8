"""Nadam: Adam with Nesterov momentum."""
from __future__ import annotations

import math

from axon.backend import xp
from axon.optimizers.base import Optimizer, check_number


class Nadam(Optimizer):
    """Nadam (Dozat, 2016), in Keras 3's momentum-cache formulation.

    At step ``t`` (from 1), with the momentum schedule ``mu_t = beta_1 * (1 - 0.5 * 0.96**t)`` and
    its running product ``P_t = mu_1 * ... * mu_t`` (the "momentum cache", shared by all weights):

        m <- beta_1 * m + (1 - beta_1) * g
        v <- beta_2 * v + (1 - beta_2) * g**2
        m_hat = mu_{t+1} * m / (1 - P_t * mu_{t+1}) + (1 - mu_t) * g / (1 - P_t)
        v_hat = v / (1 - beta_2**t)
        w <- w - eta * m_hat / (sqrt(v_hat) + epsilon)

    Note that ``m`` itself is averaged with the constant ``beta_1``, while the look-ahead weights
    use the schedule ``mu_t`` (Dozat's paper averages ``m`` with ``mu_t`` too); the 0.96 and the
    0.5 are Keras's (the paper's ``psi = 0.004`` per step).

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
        self._cache = (0, 1.0)   # (t, P_t): the momentum cache, advanced once per step

    def _mu(self, t: int) -> float:
        return self.beta_1 * (1.0 - 0.5 * 0.96**t)

    def _momentum_cache(self, t: int) -> float:
        """``P_t = mu_1 * ... * mu_t`` (advanced by one factor per step; recomputed if t jumps)."""
        step, product = self._cache
        if step == t - 1:
            product *= self._mu(t)
        elif step != t:
            product = math.prod(self._mu(i) for i in range(1, t + 1))
        self._cache = (t, product)
        return product

    def _extra_state(self) -> dict:
        step, product = self._cache
        return {"momentum_cache": [step, product]}

    def _set_extra_state(self, values: dict) -> None:
        cache = values.get("momentum_cache")
        if cache is not None:
            if not (isinstance(cache, list) and len(cache) == 2 and type(cache[0]) is int
                    and isinstance(cache[1], float)):
                raise ValueError(f"Nadam: a saved momentum cache is [step, product]. "
                                 f"Received: {cache!r}")
            self._cache = (cache[0], cache[1])

    def build(self, variable):
        return {"momentum": xp.zeros_like(variable.data), "velocity": xp.zeros_like(variable.data)}

    def update_step(self, grad, variable, lr):
        s = self.slots(variable)
        m, v, b1, b2 = s["momentum"], s["velocity"], self.beta_1, self.beta_2
        t = self.iterations
        product = self._momentum_cache(t)
        mu_t, mu_next = self._mu(t), self._mu(t + 1)
        denominator, tmp = self.scratch(variable.data, 0), self.scratch(variable.data, 1)
        m *= b1
        xp.multiply(grad, 1 - b1, out=tmp)
        m += tmp
        v *= b2
        xp.multiply(grad, grad, out=tmp)
        tmp *= 1 - b2
        v += tmp
        xp.sqrt(v, out=denominator)
        denominator *= 1.0 / math.sqrt(1 - b2**t)
        denominator += self.epsilon                      # sqrt(v_hat) + epsilon
        xp.divide(m, denominator, out=tmp)
        tmp *= lr * mu_next / (1 - product * mu_next)
        variable.data -= tmp
        xp.divide(grad, denominator, out=tmp)
        tmp *= lr * (1 - mu_t) / (1 - product)
        variable.data -= tmp

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}
