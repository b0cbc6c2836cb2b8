"""RMSprop: divide the step by a running root mean square of the gradient."""
from __future__ import annotations

from axon.backend import xp
from axon.optimizers.base import Optimizer


class RMSprop(Optimizer):
    """RMSprop (Hinton, 2012), in Keras's formulation (Keras's default optimizer in ``compile``).

        a <- rho * a + (1 - rho) * g**2
        w <- w - eta * g / sqrt(a + epsilon)            (plain)

    With momentum ``mu``: ``u <- mu * u + eta * g / sqrt(a + epsilon);  w <- w - u``.
    With ``centered=True`` the running mean ``c`` of ``g`` is kept and ``a - c**2`` replaces ``a``.
    (Keras puts ``epsilon`` inside the square root; PyTorch adds it outside.)
    """

    def __init__(self, learning_rate=0.001, rho: float = 0.9, momentum: float = 0.0,
                 epsilon: float = 1e-7, centered: bool = False, name: str = "rmsprop",
                 **kwargs) -> None:
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        if not 0 <= rho < 1:
            raise ValueError(f"RMSprop expects rho in [0, 1). Received: rho={rho!r}")
        self.rho, self.momentum, self.epsilon = float(rho), float(momentum), float(epsilon)
        self.centered = bool(centered)

    def build(self, variable):
        slots = {"velocity": xp.zeros_like(variable.data)}
        if self.momentum:
            slots["momentum"] = xp.zeros_like(variable.data)
        if self.centered:
            slots["average_gradient"] = xp.zeros_like(variable.data)
        return slots

    def update_step(self, grad, variable, lr):
        s = self.slots(variable)
        a = s["velocity"]
        a *= self.rho
        a += (1 - self.rho) * (grad * grad)
        denominator = a
        if self.centered:
            c = s["average_gradient"]
            c *= self.rho
            c += (1 - self.rho) * grad
            denominator = a - c * c
        increment = lr * grad / xp.sqrt(denominator + self.epsilon)
        if self.momentum:
            u = s["momentum"]
            u *= self.momentum
            u += increment
            increment = u
        variable.data -= increment

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}
