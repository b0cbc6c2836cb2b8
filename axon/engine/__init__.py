"""The autodiff engine: Tensor, the primitives with their math, and the gradient check.

It knows arrays and calculus; it knows nothing of layers, models or training.
"""
from axon.engine.tensor import Tensor, Variable, enable_grad, is_grad_enabled, no_grad  # noqa: I001
from axon.engine import functional
from axon.engine.gradcheck import GradcheckError, gradcheck
from axon.engine.op import Op
from axon.engine.tape import GradientTape
from axon.engine.ops import PRIMITIVES

__all__ = ["Tensor", "Variable", "no_grad", "enable_grad", "is_grad_enabled", "functional",
           "gradcheck", "GradcheckError", "Op", "PRIMITIVES", "GradientTape"]
