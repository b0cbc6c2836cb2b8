"""The base of every primitive, and the adjoint of broadcasting.

A primitive is a class with ``forward(*arrays, **attrs) -> array`` and ``backward(grad) -> tuple``
returning exactly one gradient (or ``None``) per input. It sees raw arrays only: the graph
bookkeeping lives in :meth:`Op.apply` (recording) and :meth:`Tensor.backward` (replaying).
"""
from __future__ import annotations

from typing import Any

from axon.backend import sum_leading_axes
from axon.engine import tensor as _tensor


class Op:
    """A differentiable primitive: one forward formula, one backward formula.

    Subclasses write ``forward`` and ``backward`` and save, on ``self``, only what backward needs.
    ``self.needs_grad`` (one bool per input) says which input gradients will be used, so a forward
    can skip saving arrays and a backward can skip computing gradients nobody wants.
    """

    inputs: tuple | None
    needs_grad: tuple[bool, ...]
    final_backward: bool = False
    """Set by the engine before ``backward``: True when the graph will not be differentiated
    again (no ``retain_graph``), so ``backward`` may overwrite the arrays it saved."""

    @classmethod
    def apply(cls, *inputs: _tensor.Tensor, **attrs: Any) -> _tensor.Tensor:
        """Run ``forward`` on the inputs' arrays and, when gradients are wanted, record the node."""
        op = cls()
        # NOTE: every layer call runs through here several times, so it avoids generators and
        # function calls (a list and ``any`` over a tuple are C loops).
        if _tensor._grad_enabled[0]:
            needs_grad = tuple([t.requires_grad for t in inputs])
            record = any(needs_grad)
        else:
            record = False
        op.needs_grad = needs_grad if record else (False,) * len(inputs)
        data = op.forward(*[t.data for t in inputs], **attrs)
        if record:
            op.inputs = inputs
            return _tensor.Tensor._from_op(data, op)
        return _tensor.Tensor._from_op(data, None)

    def forward(self, *arrays: Any, **attrs: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def backward(self, grad: Any) -> tuple:  # pragma: no cover - abstract
        raise NotImplementedError

    def release(self) -> None:
        """Drop the inputs and every saved array once backward has used them."""
        self.__dict__.clear()
        self.inputs = None


def unbroadcast(grad: Any, shape: tuple[int, ...], dtype: Any, op_name: str) -> Any:
    """Sum ``grad`` back to an input's ``shape``: the adjoint of broadcasting, written once.

    Broadcasting copies an input along new leading axes and along its size-1 axes, so the gradient
    of each copy is added back: sum over the leading axes, then over the size-1 axes (keepdims).
    A gradient that still does not fit after that is a bug in the op, reported by name.
    """
    if grad.shape != shape:
        returned = grad.shape
        extra = grad.ndim - len(shape)
        if extra > 0:
            grad = sum_leading_axes(grad, extra)
        if extra >= 0:
            axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
            if axes and axes == tuple(range(len(axes))):  # leading (a channels-last (1, 1, 1, C))
                grad = sum_leading_axes(grad, len(axes)).reshape(shape[:len(axes)] + grad.shape[len(axes):])
            elif axes:
                grad = grad.sum(axis=axes, keepdims=True)
        if grad.shape != shape:
            raise ValueError(
                f"{op_name}.backward returned a gradient of shape {returned} for an input of "
                f"shape {shape}; the two cannot be reconciled by undoing broadcasting."
            )
    if grad.dtype != dtype:
        grad = grad.astype(dtype)
    return grad
