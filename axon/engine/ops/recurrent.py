"""Whole recurrences as single primitives: the LSTM and GRU loops over time, with their BPTT.

# NOTE: fused for speed. Recorded step by step, an LSTM costs about a dozen nodes per time step
# (matmul, add, activations, slices, products, masks); its backward then adds as many gradient
# arrays per step. One node per sequence runs the same arithmetic in a plain loop, and its
# backward needs one matmul per step (``dz U^T``) plus one for ``dL/dU`` over all steps at once.
# The recurrent layers keep the step-by-step engine path as the reference, and use these
# primitives only with their default activations (tanh and sigmoid).

Shared conventions. ``p`` ``(T, N, k u)`` is the projected input ``x W + b`` in processing order
(already reversed for ``go_backwards``); ``m_t`` ``(N, 1)`` is the step mask (all True when
``mask`` is None); ``d`` ``(N, u)`` the recurrent-dropout multiplier (1 when None);
``s(a) = 1 / (1 + e**-a)`` computed as ``(1 + tanh(a / 2)) / 2``. A masked step keeps the
states, ``h_t = where(m_t, h'_t, h_{t-1})`` (``c`` likewise; ``h'_t`` is the step's new value),
and outputs ``y_t = h_t``, or ``where(m_t, h_t, 0)`` with ``zero_output_for_mask``. The single output stacks
``[y_0 .. y_{T-1}, h_T (, c_T)]`` along axis 0. In the gradients, ``G_h``, ``G_c`` is what
flows into ``h_t``, ``c_t`` (from ``y_t``, the final rows and step ``t+1``); a masked step passes
it on to ``h_{t-1}``, ``c_{t-1}`` and its own new values get ``g_h = m_t G_h``, ``g_c = m_t G_c``.
"""
from __future__ import annotations

from axon.backend import sum_leading_axes, xp
from axon.engine.op import Op


def _sigmoid_(a):
    """``a <- s(a)`` in place, as ``(1 + tanh(a / 2)) / 2`` (never overflows)."""
    a *= 0.5
    xp.tanh(a, out=a)
    a *= 0.5
    a += 0.5


def _blocks(U, k):
    """``U`` ``(u, k u)`` as ``k`` contiguous blocks of columns, ``(k, u, u)``."""
    return xp.ascontiguousarray(U.reshape(U.shape[0], k, -1).transpose(1, 0, 2))


def _times_sigmoid_slope(x, y, scratch):
    """``x <- x * y (1 - y)`` in place: ``x`` times the slope of the sigmoid whose output is ``y``."""
    xp.subtract(1, y, out=scratch)
    scratch *= y
    x *= scratch


def _incoming(g, time, mask, zero_output_for_mask):
    """The gradient rows of the per-step outputs (``y_t``): masked to 0 where ``y_t`` is."""
    gy = g[:time]
    return gy * mask if zero_output_for_mask and mask is not None else gy


def _outputs(out, hidden, mask, zero_output_for_mask):
    """``out[:T] = y``: the hidden states ``hidden[1:]``, zeroed at masked steps if asked."""
    if zero_output_for_mask and mask is not None:
        xp.multiply(hidden[1:], mask, out=out[:len(hidden) - 1])
    else:
        out[:len(hidden) - 1] = hidden[1:]


class LSTMSequence(Op):
    """The LSTM recurrence over ``T`` steps (Keras's gate order i, f, c, o); see the module.

    Forward, for ``t = 0 .. T-1``::

        z     = p_t + (h_{t-1} * d) U                   (N, 4u), blocks z_i, z_f, z_c, z_o
        i, f, o = s(z_i), s(z_f), s(z_o);   c~ = tanh(z_c)
        c'_t  = f * c_{t-1} + i * c~;       h'_t = o * tanh(c'_t)
        c_t   = where(m_t, c'_t, c_{t-1});  h_t  = where(m_t, h'_t, h_{t-1})

    Output ``(T + 2, N, u)``: ``[y_0 .. y_{T-1}, h_T, c_T]``.

    Gradient (backpropagation through time, ``t = T-1 .. 0``; ``g_h``, ``g_c`` as in the module)::

        dL/dc'_t = g_c + g_h * o * (1 - tanh(c'_t)**2)
        dz_o = g_h * tanh(c'_t) * o (1 - o);   dz_i = dL/dc'_t * c~ * i (1 - i)
        dz_f = dL/dc'_t * c_{t-1} * f (1 - f); dz_c = dL/dc'_t * i * (1 - c~**2)
        dL/dp_t = dz;   dL/dh_{t-1} = (dz U^T) * d + (1 - m_t) G_h
        dL/dc_{t-1} = dL/dc'_t * f + (1 - m_t) G_c
        dL/dU = sum_t (h_{t-1} * d)^T dz_t      (one matmul over the stacked steps)

    ``dL/dh_0``, ``dL/dc_0`` are the last ``dL/dh_{t-1}``, ``dL/dc_{t-1}``. Attributes (no
    gradient): ``mask`` ``(T, N, 1)`` bool or None, ``dropout`` ``(N, u)`` or None,
    ``zero_output_for_mask``.
    """

    def forward(self, p, h0, c0, U, mask=None, dropout=None, zero_output_for_mask=False):
        (time, batch, _), u = p.shape, h0.shape[-1]
        dtype = xp.result_type(p, h0, c0, U)
        gates = xp.empty((time, 4, batch, u), dtype=dtype)  # i, f, c~, o after activation
        hidden = xp.empty((time + 1, batch, u), dtype=dtype)  # h_0 .. h_T
        cell = xp.empty((time + 1, batch, u), dtype=dtype)  # c_0 .. c_T
        tanh_c = xp.empty((time, batch, u), dtype=dtype)  # tanh(c'_t)
        hidden[0], cell[0] = h0, c0
        # NOTE: gate-major blocks (4, N, u) keep every elementwise operand contiguous (about
        # twice as fast as column slices of (N, 4u)); U4[k] is U's k-th block of columns.
        U4, p4 = _blocks(U, 4), p.reshape(time, batch, 4, u)
        half = xp.full((4, 1, 1), 0.5, dtype=dtype)  # s(a) = (1 + tanh(a / 2)) / 2 on i, f, o
        half[2] = 1
        keep = None if mask is None else ~mask
        h_in = h0 if dropout is None else h0 * dropout
        scratch = xp.empty_like(hidden[0])
        for t in range(time):
            a, c, h = gates[t], cell[t + 1], hidden[t + 1]
            xp.matmul(h_in, U4, out=a)
            a += p4[t].transpose(1, 0, 2)
            a *= half
            xp.tanh(a, out=a)
            for block in (a[:2], a[3]):
                block *= 0.5
                block += 0.5
            i, f, c_bar, o = a
            xp.multiply(f, cell[t], out=c)
            c += xp.multiply(i, c_bar, out=scratch)
            xp.multiply(o, xp.tanh(c, out=tanh_c[t]), out=h)
            if mask is not None:  # a masked step keeps h_{t-1}, c_{t-1}
                xp.copyto(c, cell[t], where=keep[t])
                xp.copyto(h, hidden[t], where=keep[t])
            h_in = h if dropout is None else h * dropout
        out = xp.empty((time + 2, batch, u), dtype=dtype)
        _outputs(out, hidden, mask, zero_output_for_mask)
        out[time], out[time + 1] = hidden[time], cell[time]
        if any(self.needs_grad):
            self.saved = gates, hidden, cell, tanh_c, U
            self.mask, self.dropout, self.zero_output = mask, dropout, zero_output_for_mask
        return out

    def backward(self, g):
        gates, hidden, cell, tanh_c, U = self.saved
        mask, dropout = self.mask, self.dropout
        time, batch, u = tanh_c.shape
        gy = _incoming(g, time, mask, self.zero_output)
        g_h, g_c = g[time].copy(), g[time + 1].copy()
        dz, UT = xp.empty((time, batch, 4 * u), dtype=gates.dtype), U.T
        go, dc, tmp = (xp.empty_like(g_h) for _ in range(3))
        d4 = xp.empty((4, batch, u), dtype=gates.dtype)  # dz_t in gate-major blocks
        for t in range(time - 1, -1, -1):
            g_h += gy[t]
            if mask is None:
                gh_new, gc_new = g_h, g_c
            else:
                gh_new, gc_new = g_h * mask[t], g_c * mask[t]
                g_h -= gh_new  # (1 - m_t) G_h: what skips the step
                g_c -= gc_new
            (i, f, c_bar, o), tc = gates[t], tanh_c[t]
            xp.multiply(gh_new, o, out=go)  # dL/d tanh(c'_t)
            xp.multiply(tc, tc, out=tmp)
            xp.subtract(1, tmp, out=tmp)
            xp.multiply(go, tmp, out=dc)
            dc += gc_new  # dL/dc'_t
            _times_sigmoid_slope(xp.multiply(dc, c_bar, out=d4[0]), i, tmp)
            _times_sigmoid_slope(xp.multiply(dc, cell[t], out=d4[1]), f, tmp)
            xp.multiply(c_bar, c_bar, out=tmp)
            xp.subtract(1, tmp, out=tmp)
            tmp *= i
            xp.multiply(dc, tmp, out=d4[2])
            _times_sigmoid_slope(xp.multiply(gh_new, tc, out=d4[3]), o, tmp)
            d = dz[t]
            xp.copyto(d.reshape(batch, 4, u), d4.transpose(1, 0, 2))
            dh = d @ UT
            if dropout is not None:
                dh *= dropout
            g_h = dh if mask is None else dh + g_h
            g_c = dc * f if mask is None else dc * f + g_c
        dU = None
        if self.needs_grad[3]:
            h_in = hidden[:time] if dropout is None else hidden[:time] * dropout
            dU = h_in.reshape(-1, u).T @ dz.reshape(-1, 4 * u)
        return dz, g_h, g_c, dU


class GRUSequence(Op):
    """The GRU recurrence over ``T`` steps, Keras's ``reset_after=True`` (gate order z, r, h).

    Forward, for ``t = 0 .. T-1`` (``b_h`` the recurrent bias, ``(3u,)``)::

        q     = (h_{t-1} * d) U + b_h               (N, 3u), blocks q_z, q_r, q_h
        z     = s(p_z + q_z);   r = s(p_r + q_r);   h~ = tanh(p_h + r * q_h)
        h'_t  = z * h_{t-1} + (1 - z) * h~;         h_t = where(m_t, h'_t, h_{t-1})

    Output ``(T + 1, N, u)``: ``[y_0 .. y_{T-1}, h_T]``.

    Gradient (``t = T-1 .. 0``; ``g_h`` as in the module)::

        da_h = g_h * (1 - z) * (1 - h~**2);  da_z = g_h * (h_{t-1} - h~) * z (1 - z)
        da_r = da_h * q_h * r (1 - r)
        dL/dp_t = [da_z, da_r, da_h];   dq = [da_z, da_r, da_h * r]
        dL/dh_{t-1} = g_h * z + (dq U^T) * d + (1 - m_t) G_h
        dL/dU = sum_t (h_{t-1} * d)^T dq_t;    dL/db_h = sum_t sum_n dq_t

    Attributes as :class:`LSTMSequence`.
    """

    def forward(self, p, h0, U, b_h, mask=None, dropout=None, zero_output_for_mask=False):
        (time, batch, _), u = p.shape, h0.shape[-1]
        dtype = xp.result_type(p, h0, U, b_h)
        gates = xp.empty((time, 3, batch, u), dtype=dtype)  # z, r, h~ after activation
        q = xp.empty((time, 3, batch, u), dtype=dtype)  # (h_{t-1} * d) U + b_h, gate-major
        hidden = xp.empty((time + 1, batch, u), dtype=dtype)
        hidden[0] = h0
        U3, b3, p3 = _blocks(U, 3), b_h.reshape(3, 1, u), p.reshape(time, batch, 3, u)
        keep = None if mask is None else ~mask
        h_in = h0 if dropout is None else h0 * dropout
        for t in range(time):
            a, q_t, h = gates[t], q[t], hidden[t + 1]
            xp.matmul(h_in, U3, out=q_t)
            q_t += b3
            xp.add(p3[t, :, :2].transpose(1, 0, 2), q_t[:2], out=a[:2])
            _sigmoid_(a[:2])
            z, r, h_bar = a
            xp.multiply(r, q_t[2], out=h_bar)
            h_bar += p3[t, :, 2]
            xp.tanh(h_bar, out=h_bar)
            xp.subtract(hidden[t], h_bar, out=h)
            h *= z
            h += h_bar  # z * h_{t-1} + (1 - z) * h~
            if mask is not None:
                xp.copyto(h, hidden[t], where=keep[t])
            h_in = h if dropout is None else h * dropout
        out = xp.empty((time + 1, batch, u), dtype=dtype)
        _outputs(out, hidden, mask, zero_output_for_mask)
        out[time] = hidden[time]
        if any(self.needs_grad):
            self.saved = gates, q, hidden, U
            self.mask, self.dropout, self.zero_output = mask, dropout, zero_output_for_mask
        return out

    def backward(self, g):
        gates, q, hidden, U = self.saved
        mask, dropout = self.mask, self.dropout
        time, batch, u = hidden.shape[0] - 1, hidden.shape[1], hidden.shape[2]
        gy = _incoming(g, time, mask, self.zero_output)
        g_h = g[time].copy()
        dq, UT = xp.empty((time, batch, 3 * u), dtype=gates.dtype), U.T
        da_h = xp.empty((time, batch, u), dtype=gates.dtype)
        tmp, tmp2 = xp.empty_like(g_h), xp.empty_like(g_h)
        d3 = xp.empty((3, batch, u), dtype=gates.dtype)  # dq_t in gate-major blocks
        for t in range(time - 1, -1, -1):
            g_h += gy[t]
            if mask is None:
                gh_new = g_h
            else:
                gh_new = g_h * mask[t]
                g_h -= gh_new
            (z, r, h_bar), dah = gates[t], da_h[t]
            xp.subtract(hidden[t], h_bar, out=tmp)
            _times_sigmoid_slope(xp.multiply(gh_new, tmp, out=d3[0]), z, tmp)
            xp.multiply(h_bar, h_bar, out=tmp)
            xp.subtract(1, tmp, out=tmp)
            tmp *= gh_new
            xp.subtract(1, z, out=tmp2)
            xp.multiply(tmp, tmp2, out=dah)
            _times_sigmoid_slope(xp.multiply(dah, q[t, 2], out=d3[1]), r, tmp)
            xp.multiply(dah, r, out=d3[2])
            d = dq[t]
            xp.copyto(d.reshape(batch, 3, u), d3.transpose(1, 0, 2))
            dh = d @ UT
            if dropout is not None:
                dh *= dropout
            dh += xp.multiply(gh_new, z, out=tmp)
            g_h = dh if mask is None else dh + g_h
        dU = db = dp = None
        if self.needs_grad[2]:
            h_in = hidden[:time] if dropout is None else hidden[:time] * dropout
            dU = h_in.reshape(-1, u).T @ dq.reshape(-1, 3 * u)
        if self.needs_grad[3]:
            db = sum_leading_axes(dq.reshape(-1, 3 * u), 1)
        if self.needs_grad[0]:
            dp = dq.copy()
            dp[..., 2 * u:] = da_h
        return dp, g_h, dU, db
