"""Linear algebra primitives."""
from __future__ import annotations

from axon.backend import xp
from axon.engine.op import Op


def _swap_last(x):
    return xp.swapaxes(x, -1, -2)


class MatMul(Op):
    """``y = a @ b`` (2-D, batched with broadcast batch axes, or 1-D as in NumPy);
    ``dL/da = g @ b^T``,  ``dL/db = a^T @ g`` (transposes over the last two axes).

    Batch axes that were broadcast are summed back by the engine.
    """

    def forward(self, a, b):
        if any(self.needs_grad):
            self.a, self.b = a, b
        return a @ b

    def backward(self, g):
        a, b = self.a, self.b
        # A 1-D operand is a row (for a) or column (for b) vector that matmul dropped again.
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        if b.ndim == 1:  # restore the column axis first, so a 0-d g (1-D @ 1-D) works too
            g = g[..., None]
        if a.ndim == 1:
            g = g[..., None, :]
        ga = gb = None
        if self.needs_grad[0]:
            ga = g @ _swap_last(b2)
            if a.ndim == 1:
                ga = ga[..., 0, :]
        if self.needs_grad[1]:
            gb = _swap_last(a2) @ g
            if b.ndim == 1:
                gb = gb[..., :, 0]
        return ga, gb
