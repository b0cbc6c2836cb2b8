"""Adam: gradient descent with per-weight step sizes from running moment estimates."""
from __future__ import annotations

import math

from axon.backend import xp
from axon.optimizers.base import Optimizer, check_number


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015), in Keras 3's formulation.

    At step ``t`` (from 1), with gradient ``g``:

        m <- beta_1 * m + (1 - beta_1) * g                    (first moment: running mean)
        v <- beta_2 * v + (1 - beta_2) * g**2                 (second moment: running mean square)
        alpha_t = eta * sqrt(1 - beta_2**t) / (1 - beta_1**t)  (bias correction, folded into the rate)
        w <- w - alpha_t * m / (sqrt(v) + epsilon)

    With ``amsgrad=True`` (Reddi et al., 2018), ``v_hat <- max(v_hat, v)`` replaces ``v`` in the
    last line. As in Keras (and the paper's "efficient version"), epsilon is added to ``sqrt(v)``,
    not to ``sqrt(v / (1 - beta_2**t))``, so it weighs ``1 / sqrt(1 - beta_2**t)`` times more than
    in Algorithm 1.

    Args:
        learning_rate: ``eta`` (default 0.001).
        beta_1, beta_2: the moments' decay rates, in ``[0, 1)`` (0.9, 0.999).
        epsilon: ``>= 0``, keeps the division finite (1e-7, Keras's default; PyTorch uses 1e-8).
        amsgrad: use the AMSGrad variant.
        **kwargs: the base options, see :class:`Optimizer`.

    Example:
        >>> import axon, numpy
        >>> w = axon.Variable(numpy.array([1.0, 1.0]))
        >>> axon.optimizers.Adam(learning_rate=0.1).apply([numpy.array([3.0, -0.5])], [w])
        >>> w.numpy().round(4).tolist()   # the first step moves each weight by about eta
        [0.9, 1.1]
    """

    def __init__(self, learning_rate=0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, amsgrad: bool = False, **kwargs) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1 = check_number(self, "beta_1", beta_1, 0.0, 1.0, high_open=True)
        self.beta_2 = check_number(self, "beta_2", beta_2, 0.0, 1.0, high_open=True)
        self.epsilon = check_number(self, "epsilon", epsilon, 0.0)
        self.amsgrad = bool(amsgrad)

    def build(self, variable):
        slots = {"m": xp.zeros_like(variable.data), "v": xp.zeros_like(variable.data)}
        if self.amsgrad:
            slots["v_hat"] = xp.zeros_like(variable.data)
        return slots

    def update_step(self, grad, variable, lr):
        s = self.slots(variable)
        m, v = s["m"], s["v"]
        t, b1, b2 = self.iterations, self.beta_1, self.beta_2
        tmp = self.scratch(variable.data)
        m *= b1
        xp.multiply(grad, 1 - b1, out=tmp)
        m += tmp
        v *= b2
        xp.multiply(grad, grad, out=tmp)
        tmp *= 1 - b2
        v += tmp
        if self.amsgrad:
            v = xp.maximum(s["v_hat"], v, out=s["v_hat"])
        alpha = lr * math.sqrt(1 - b2**t) / (1 - b1**t)
        xp.sqrt(v, out=tmp)
        tmp += self.epsilon
        xp.divide(m, tmp, out=tmp)
        tmp *= alpha
        variable.data -= tmp

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon, "amsgrad": self.amsgrad}


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019), as Keras 3 writes it.

    Before Adam's update (see :class:`Adam`), every weight shrinks by ``weight_decay`` times the
    learning rate:

        w <- w - eta * lambda * w;   then Adam's step on the same gradient g

    The paper scales the decay by a schedule multiplier ``eta_t`` and uses ``lambda`` on its own;
    Keras (and PyTorch) multiply ``lambda`` by the learning rate ``eta``, as here. The decay is the
    base's ``weight_decay`` option, which AdamW merely requires (default 0.004).

    Args:
        learning_rate: ``eta`` (default 0.001).
        weight_decay: ``lambda >= 0`` (default 0.004, Keras's).
        beta_1, beta_2, epsilon, amsgrad: as in :class:`Adam`.
        **kwargs: the base options, see :class:`Optimizer`.
    """

    def __init__(self, learning_rate=0.001, weight_decay: float = 0.004, beta_1: float = 0.9,
                 beta_2: float = 0.999, epsilon: float = 1e-7, amsgrad: bool = False,
                 **kwargs) -> None:
        if weight_decay is None:
            raise ValueError("AdamW expects weight_decay to be a number >= 0. "
                             "Received: weight_decay=None")
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2,
                         epsilon=epsilon, amsgrad=amsgrad, weight_decay=weight_decay, **kwargs)
