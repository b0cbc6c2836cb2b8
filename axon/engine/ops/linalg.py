"""Linear algebra primitives."""
from __future__ import annotations

from axon.backend import sum_leading_axes, xp
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


class Dense(Op):
    """A dense layer's whole forward in one node: ``y = f(x W + b)`` with ``f`` the identity or
    ReLU (``f(z) = max(z, 0)``), ``x`` of shape ``(..., I)``, ``W (I, O)``, ``b (O,)`` optional.

    With ``dz = g * f'(z)`` (``f' = 1``, or ``[y > 0]`` for ReLU) and the leading axes of ``x``
    flattened into rows: ``dL/dx = dz W^T``, ``dL/dW = x^T dz``, ``dL/db = sum_rows dz``.

    # NOTE: fused for speed: one node instead of matmul + add + relu, the bias added and the ReLU
    # applied in place on the product's fresh array (no temporaries), and no separate mask kept:
    # ReLU's ``[z > 0]`` is read back from ``y``.
    """

    def forward(self, x, w, b=None, *, relu=False):
        y = x @ w
        if b is not None:
            if xp.result_type(y, b) == y.dtype:
                y += b
            else:  # e.g. integer x and W with a float bias: the sum takes the wider type
                y = y + b
        if relu:
            xp.maximum(y, 0, out=y)
        if any(self.needs_grad):
            self.x = x if self.needs_grad[1] else None
            self.w = w if self.needs_grad[0] else None
            self.y = y if relu else None
        return y

    def backward(self, g):
        dz = g * (self.y > 0) if self.y is not None else g
        gx = gw = gb = None
        if self.needs_grad[0]:
            gx = dz @ self.w.T
        if self.needs_grad[1]:
            x = self.x
            rows = x.reshape(-1, x.shape[-1])
            gw = rows.T @ dz.reshape(-1, dz.shape[-1])
        if len(self.needs_grad) > 2 and self.needs_grad[2]:
            gb = sum_leading_axes(dz, dz.ndim - 1)
        return (gx, gw) if len(self.needs_grad) == 2 else (gx, gw, gb)
