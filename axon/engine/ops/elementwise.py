"""Elementwise primitives. Shapes broadcast as in NumPy; the engine sums gradients back.

Notation: ``g = dL/dy`` is the gradient arriving from above; ``*`` is elementwise.
"""
from __future__ import annotations

import math

from axon.backend import erf, xp
from axon.engine.op import Op


class Add(Op):
    """``y = a + b``;  ``dL/da = g``,  ``dL/db = g``."""

    def forward(self, a, b):
        return a + b

    def backward(self, g):
        return g, g


class Sub(Op):
    """``y = a - b``;  ``dL/da = g``,  ``dL/db = -g``."""

    def forward(self, a, b):
        return a - b

    def backward(self, g):
        return g, (-g if self.needs_grad[1] else None)


class Mul(Op):
    """``y = a * b``;  ``dL/da = g * b``,  ``dL/db = g * a``."""

    def forward(self, a, b):
        if any(self.needs_grad):
            self.a, self.b = a, b
        return a * b

    def backward(self, g):
        return (g * self.b if self.needs_grad[0] else None,
                g * self.a if self.needs_grad[1] else None)


class Div(Op):
    """``y = a / b``;  ``dL/da = g / b``,  ``dL/db = -g * a / b**2 = -g * y / b``."""

    def forward(self, a, b):
        y = a / b
        if any(self.needs_grad):
            self.b, self.y = b, y
        return y

    def backward(self, g):
        ga = g / self.b
        return (ga if self.needs_grad[0] else None,
                -ga * self.y if self.needs_grad[1] else None)


class Neg(Op):
    """``y = -x``;  ``dL/dx = -g``."""

    def forward(self, x):
        return -x

    def backward(self, g):
        return (-g,)


class Pow(Op):
    """``y = a ** b``;  ``dL/da = g * b * a**(b - 1)``,  ``dL/db = g * y * ln(a)`` (for a > 0).

    The gradient with respect to the exponent is defined only for a positive base; it is 0
    where ``a <= 0``.
    """

    def forward(self, a, b):
        y = a**b
        if any(self.needs_grad):
            self.a, self.b, self.y = a, b, y
        return y

    def backward(self, g):
        a, b = self.a, self.b
        ga = g * b * a ** (b - 1) if self.needs_grad[0] else None
        gb = None
        if self.needs_grad[1]:
            positive = a > 0
            gb = g * self.y * xp.log(xp.where(positive, a, 1)) * positive
        return ga, gb


class Exp(Op):
    """``y = e**x``;  ``dL/dx = g * y``."""

    def forward(self, x):
        self.y = xp.exp(x)
        return self.y

    def backward(self, g):
        return (g * self.y,)


class Log(Op):
    """``y = ln(x)``;  ``dL/dx = g / x``."""

    def forward(self, x):
        self.x = x
        return xp.log(x)

    def backward(self, g):
        return (g / self.x,)


class Sqrt(Op):
    """``y = sqrt(x)``;  ``dL/dx = g / (2 * y)``."""

    def forward(self, x):
        self.y = xp.sqrt(x)
        return self.y

    def backward(self, g):
        return (g / (2 * self.y),)


class Abs(Op):
    """``y = |x|``;  ``dL/dx = g * sign(x)`` (0 at x = 0)."""

    def forward(self, x):
        self.x = x
        return xp.abs(x)

    def backward(self, g):
        return (g * xp.sign(self.x),)


class Maximum(Op):
    """``y = max(a, b)`` elementwise;  ``dL/da = g * [a > b]``,  ``dL/db = g * [b > a]``.

    At ties (``a == b``) the gradient is split in half between the two.
    """

    def forward(self, a, b):
        self.a, self.b = a, b
        return xp.maximum(a, b)

    def backward(self, g):
        a, b = self.a, self.b
        share_a = (a > b) + 0.5 * (a == b)
        return (g * share_a if self.needs_grad[0] else None,
                g * (1 - share_a) if self.needs_grad[1] else None)


class Minimum(Op):
    """``y = min(a, b)`` elementwise;  ``dL/da = g * [a < b]``,  ``dL/db = g * [b < a]``.

    At ties (``a == b``) the gradient is split in half between the two.
    """

    def forward(self, a, b):
        self.a, self.b = a, b
        return xp.minimum(a, b)

    def backward(self, g):
        a, b = self.a, self.b
        share_a = (a < b) + 0.5 * (a == b)
        return (g * share_a if self.needs_grad[0] else None,
                g * (1 - share_a) if self.needs_grad[1] else None)


class Where(Op):
    """``y = a where condition else b``;  ``dL/da = g * c``,  ``dL/db = g * (1 - c)``.

    The condition ``c`` is boolean and gets no gradient.
    """

    def forward(self, condition, a, b):
        self.condition = condition
        return xp.where(condition, a, b)

    def backward(self, g):
        c = self.condition
        return (None,
                xp.where(c, g, 0) if self.needs_grad[1] else None,
                xp.where(c, 0, g) if self.needs_grad[2] else None)


class Clip(Op):
    """``y = min(max(x, low), high)``;  ``dL/dx = g * [low <= x <= high]``."""

    def forward(self, x, low=None, high=None):
        self.x, self.low, self.high = x, low, high
        return xp.clip(x, low, high)

    def backward(self, g):
        inside = xp.ones(self.x.shape, dtype=bool)
        if self.low is not None:
            inside &= self.x >= self.low
        if self.high is not None:
            inside &= self.x <= self.high
        return (g * inside,)


class Step(Op):
    """Heaviside step: ``y = 1 if x > 0 else 0``;  ``dL/dx = 0`` (flat almost everywhere).

    The perceptron's activation. Its zero gradient is why it cannot be trained by gradient
    descent, and why smooth activations replaced it.
    """

    def forward(self, x):
        self.shape, self.dtype = x.shape, x.dtype
        return (x > 0).astype(x.dtype)

    def backward(self, g):
        return (xp.zeros(self.shape, dtype=self.dtype),)


class Sigmoid(Op):
    """``y = 1 / (1 + e**-x)``;  ``dL/dx = g * y * (1 - y)``.

    # NOTE: computed as ``(1 + tanh(x / 2)) / 2``, which equals the logistic function and never
    # overflows for large ``|x|``; backward saves the output, not the input.
    """

    def forward(self, x):
        self.y = 0.5 * (1 + xp.tanh(0.5 * x))
        return self.y

    def backward(self, g):
        y = self.y
        return (g * y * (1 - y),)


class Tanh(Op):
    """``y = tanh(x)``;  ``dL/dx = g * (1 - y**2)`` (saves the output)."""

    def forward(self, x):
        self.y = xp.tanh(x)
        return self.y

    def backward(self, g):
        return (g * (1 - self.y * self.y),)


class Relu(Op):
    """``y = max(x, 0)``;  ``dL/dx = g * [x > 0]`` (0 at the kink x = 0, as in Keras and PyTorch)."""

    def forward(self, x):
        if self.needs_grad[0]:
            self.positive = x > 0
        return xp.maximum(x, 0)

    def backward(self, g):
        return (g * self.positive,)


class Softplus(Op):
    """``y = ln(1 + e**x)``;  ``dL/dx = g * sigmoid(x)``.

    # NOTE: a primitive for stability: ``logaddexp(0, x)`` never overflows, where the composite
    # ``log(1 + exp(x))`` does for x > ~88 in float32.
    """

    def forward(self, x):
        self.x = x
        return xp.logaddexp(0, x)

    def backward(self, g):
        return (g * 0.5 * (1 + xp.tanh(0.5 * self.x)),)


class Erf(Op):
    """``y = erf(x) = 2/sqrt(pi) * integral_0^x e**(-t**2) dt``;
    ``dL/dx = g * 2/sqrt(pi) * e**(-x**2)``. Used by the exact GELU."""

    def forward(self, x):
        self.x = x
        return erf(x)

    def backward(self, g):
        x = self.x
        return (g * (2 / math.sqrt(math.pi)) * xp.exp(-x * x),)
