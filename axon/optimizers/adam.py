"""Adam: gradient descent with per-weight step sizes from running moment estimates."""
from __future__ import annotations

import math

from axon.backend import xp
from axon.optimizers.base import Optimizer


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015), in Keras's formulation.

    At step ``t`` (from 1), with gradient ``g``:

        m <- beta_1 * m + (1 - beta_1) * g                 (first moment: running mean)
        v <- beta_2 * v + (1 - beta_2) * g**2              (second moment: running mean square)
        eta_t = eta * sqrt(1 - beta_2**t) / (1 - beta_1**t)   (bias correction)
        w <- w - eta_t * m / (sqrt(v) + epsilon)

    With ``amsgrad=True``, ``v_hat <- max(v_hat, v)`` replaces ``v`` in the last line.

    Args:
        learning_rate: ``eta`` (default 0.001).
        beta_1, beta_2: the moments' decay rates (0.9, 0.999).
        epsilon: keeps the division finite (1e-7, Keras's default; PyTorch uses 1e-8).
        amsgrad: use the AMSGrad variant.
    """

    def __init__(self, learning_rate=0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, amsgrad: bool = False, name: str = "adam",
                 **kwargs) -> None:
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        for arg, value in (("beta_1", beta_1), ("beta_2", beta_2)):
            if not 0 <= value < 1:
                raise ValueError(f"Adam expects {arg} in [0, 1). Received: {arg}={value!r}")
        self.beta_1, self.beta_2, self.epsilon = float(beta_1), float(beta_2), float(epsilon)
        self.amsgrad = bool(amsgrad)

    def build(self, variable):
        slots = {"m": xp.zeros_like(variable.data), "v": xp.zeros_like(variable.data)}
        if self.amsgrad:
            slots["v_hat"] = xp.zeros_like(variable.data)
        return slots

    def update_step(self, grad, variable, lr):
        s = self.slots(variable)
        m, v = s["m"], s["v"]
        t = self.iterations
        b1, b2 = self.beta_1, self.beta_2
        m *= b1
        m += (1 - b1) * grad
        v *= b2
        v += (1 - b2) * (grad * grad)
        if self.amsgrad:
            xp.maximum(s["v_hat"], v, out=s["v_hat"])
            v = s["v_hat"]
        lr_t = lr * math.sqrt(1 - b2**t) / (1 - b1**t)
        variable.data -= lr_t * m / (xp.sqrt(v) + self.epsilon)

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon, "amsgrad": self.amsgrad}
