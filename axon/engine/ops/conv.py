"""Convolution primitives as matrix products (im2col / col2im), for 1, 2 or 3 spatial dimensions.

Layout is channels-last throughout: an input ``x`` of shape ``(N, *S, C)`` (``S`` the spatial
sizes), a kernel ``W`` of shape ``(*K, C/G, O)`` (``G`` groups; output channel ``o`` belongs to
group ``o // (O/G)``, input channel ``c`` to group ``c // (C/G)``).

How it is computed, for strides ``s``, dilation ``d`` and zero padding ``(p0, p1)`` per dimension:

- the input is padded into a *frame* ``xf`` (zeros around ``x``);
- **im2col**: a strided view of the frame, ``patches[n, i, j, a, b, c] = xf[n, i*s + a*d, j*s + b*d, c]``
  (no copy), is copied once into a ``(G, N*Ho*Wo, kh*kw*C/G)`` matrix ``P``;
- the forward is one batched matmul ``Y = P @ W`` (one per group);
- backward: ``dL/dW = P^T @ g`` (one matmul) and ``dL/dP = g @ W^T``; **col2im** adds each
  kernel offset's slice of ``dL/dP`` back into the frame: ``kh*kw`` strided additions (the loop runs
  over kernel offsets only, never over samples or pixels); the frame is then cropped.

The transposed convolution is the same machinery run backwards: its forward is ``col2im(x @ W^T)``
and its backward is ``im2col`` of the incoming gradient.
"""
from __future__ import annotations

import itertools
import math
import numbers
from typing import Any

from axon import kernels
from axon.backend import strided_view, sum_leading_axes, xp
from axon.engine.op import Op


def _im2col(xf, out, kernel, strides, dilation, groups, ones_column=False):
    """``P[g, (n, *i), (*a, c)] = xf[n, *(i*s + a*d), g*Cg + c]``: shape ``(G, N*prod(out), prod(K)*Cg)``,
    with one more column of ones when ``ones_column`` (the bias's column, see :class:`Conv`)."""
    n, nd, cg = xf.shape[0], len(kernel), xf.shape[-1] // groups
    st = xf.strides
    view = strided_view(
        xf, (n, *out, *kernel, groups, cg),
        (st[0], *(st[1 + i] * strides[i] for i in range(nd)),
         *(st[1 + i] * dilation[i] for i in range(nd)), st[-1] * cg, st[-1]))
    width = math.prod(kernel) * cg
    cols = xp.empty((groups, n * math.prod(out), width + ones_column), dtype=xf.dtype)
    # splitting the axes of a strided slice is always a view, so this writes into ``cols``
    blocks = cols[..., :width].reshape(groups, n, *out, *kernel, cg)
    blocks[...] = view.transpose(2 * nd + 1, *range(2 * nd + 1), 2 * nd + 2)
    if ones_column:
        cols[..., width] = 1
    return cols


def _col2im(cols, frame, n, out, kernel, strides, dilation):
    """The adjoint of :func:`_im2col`, from offset-major columns ``cols[g, a, (n, *i), c]``:
    ``xf[n, *(i*s + a*d), g*Cg + c] += cols[g, a, (n, *i), c]``, one strided addition per kernel
    offset ``a``. Returns the frame ``(N, *frame, C)``."""
    groups, cg = cols.shape[0], cols.shape[-1]
    xf = xp.zeros((n, *frame, groups, cg) if groups > 1 else (n, *frame, cg), dtype=cols.dtype)
    for index, offset in enumerate(itertools.product(*map(range, kernel))):
        window = tuple(slice(a * d, a * d + s * (o - 1) + 1, s)
                       for a, d, s, o in zip(offset, dilation, strides, out))
        block = cols[:, index].reshape(groups, n, *out, cg)
        xf[(slice(None), *window)] += xp.moveaxis(block, 0, -2) if groups > 1 else block[0]
    return xf.reshape(n, *frame, groups * cg)


def _compiled_col2im(cols, kernel, strides, dilation):
    """The compiled kernels when they fit this col2im: 2-D, one group, stride 1, dilation 1,
    float columns; otherwise None."""
    if len(kernel) != 2 or cols.shape[0] != 1 or tuple(strides) != (1, 1) \
            or tuple(dilation) != (1, 1) or cols.dtype not in (xp.float32, xp.float64):
        return None
    return kernels.get()


def _offset_columns(g3, w, groups, buffer=None):
    """``dL/dP`` as offset-major columns ``cols[g, a, m, c] = sum_o g[m, o] W[a, c, o]`` (``o`` over
    group ``g``'s outputs), written into ``buffer`` (a free ``(G, M, K*Cg)`` array) when given.

    With many channels per group, one matmul per (group, offset) gives contiguous blocks that
    col2im adds fast; with few (``Cg < 8``, e.g. a first layer or a depthwise conv), one matmul
    per group, ``g W^T``, is far faster, and its transposed view serves col2im as well.
    """
    kernel_count, cg, o = math.prod(w.shape[:-2]), w.shape[-2], w.shape[-1]
    if cg >= 8:
        wk = w.reshape(kernel_count, cg, groups, o // groups).transpose(2, 0, 3, 1)  # (G, K, Og, Cg)
        out = None if buffer is None else buffer.reshape(groups, kernel_count, -1, cg)
        return xp.matmul(g3[:, None], wk, out=out)
    cols = xp.matmul(g3, _weights(w, groups).transpose(0, 2, 1), out=buffer)  # (G, M, K*Cg)
    return cols.reshape(groups, -1, kernel_count, cg).transpose(0, 2, 1, 3)


def _place(a, before, sizes):
    """``a`` moved by ``before`` along its spatial axes inside zeros of spatial ``sizes``
    (whatever falls outside is dropped). A view when ``a`` is a pure crop of itself."""
    spatial = a.shape[1:-1]
    if all(b <= 0 and n + b >= f for b, n, f in zip(before, spatial, sizes)):
        return a[(slice(None), *(slice(-b, -b + f) for b, f in zip(before, sizes)))]
    out = xp.zeros((a.shape[0], *sizes, a.shape[-1]), dtype=a.dtype)
    dst, src = [], []
    for b, n, f in zip(before, spatial, sizes):
        start, skip = max(b, 0), max(-b, 0)
        length = max(min(n - skip, f - start), 0)
        dst.append(slice(start, start + length))
        src.append(slice(skip, skip + length))
    out[(slice(None), *dst)] = a[(slice(None), *src)]
    return out


def _weights(w, groups):
    """The kernel ``(*K, Cg, O)`` as ``(G, prod(K)*Cg, O/G)`` (a view when ``G == 1``)."""
    o = w.shape[-1]
    return w.reshape(-1, groups, o // groups).transpose(1, 0, 2)


def _channels_last(y3, n, spatial):
    """``(G, M, Og)`` blocks of a matmul as ``(N, *spatial, G*Og)``."""
    groups, _, og = y3.shape
    if groups == 1:
        return y3.reshape(n, *spatial, og)
    return xp.ascontiguousarray(y3.transpose(1, 0, 2)).reshape(n, *spatial, groups * og)


def _grouped(a, groups):
    """``(N, *S, C)`` as ``(G, N*prod(S), C/G)`` (a view when ``G == 1`` and ``a`` is contiguous)."""
    return a.reshape(-1, groups, a.shape[-1] // groups).transpose(1, 0, 2)


class Conv(Op):
    """N-d convolution (cross-correlation, as in Keras), channels-last, as im2col + matmul.

    ``y[n, i, j, o] = sum_{a, b, c} xf[n, i*s + a*d, j*s + b*d, c] W[a, b, c, o] + b[o]`` where ``xf`` is
    ``x`` zero-padded by ``pads`` and, with ``groups`` G, ``c`` runs over the ``C/G`` channels of
    ``o``'s group. With ``P`` the im2col matrix and ``g = dL/dy``:
    ``dL/dW = P^T g``, ``dL/db[o] = sum_{n, i, j} g[n, i, j, o]``,
    ``dL/dx = crop(col2im(g W^T))``, i.e. ``dL/dx[n, p, q, c] = sum g[n, i, j, o] W[a, b, c, o]``
    over the ``(i, j, a, b)`` with ``i*s + a*d = p + p0`` and ``j*s + b*d = q + q0``.

    Inputs: ``x (N, *S, C)``, ``w (*K, C/G, O)``, optionally ``b (O,)``.
    Attributes: ``strides``, ``dilation`` (a tuple per spatial dim), ``pads`` (a pair ``(p0, p1)``
    of non-negative ints per spatial dim), ``groups``.

    NOTE: with a bias and one group, the bias is folded into the product for speed: ``P`` gets a
    column of ones and ``W`` the row ``b``, so ``y = [P 1] [W; b]`` is one matmul (no separate pass
    adding ``b`` over ``y``) and ``[P 1]^T g`` gives ``dL/dW`` and ``dL/db`` together. On a first
    layer (3x3 kernel, one channel, batch 128 of 28x28) the forward product went from 2.4 to
    1.3 ms and the weight gradients from 2.2 to 1.9 ms (BENCHMARKS.md).
    """

    def forward(self, x, w, b=None, *, strides, dilation, pads, groups):
        kernel, nd = w.shape[:-2], x.ndim - 2
        sizes = tuple(x.shape[1 + i] + pads[i][0] + pads[i][1] for i in range(nd))
        out = tuple((f - (k - 1) * d - 1) // s + 1
                    for f, k, d, s in zip(sizes, kernel, dilation, strides))
        folded = b is not None and groups == 1
        cols = _im2col(_place(x, [p[0] for p in pads], sizes), out, kernel, strides, dilation, groups,
                       ones_column=folded)
        wg = _weights(w, groups)
        if folded:
            wg = xp.concatenate([wg, b.reshape(1, 1, -1).astype(wg.dtype, copy=False)], axis=1)
        y = _channels_last(xp.matmul(cols, wg), x.shape[0], out)
        if b is not None and not folded:
            y += b
        self.folded = folded
        self.cols = cols if self.needs_grad[1] else None
        self.w = w if self.needs_grad[0] else None
        self.geometry = (x.shape, sizes, out, kernel, strides, dilation, pads, groups)
        return y

    def backward(self, g):
        xshape, sizes, out, kernel, strides, dilation, pads, groups = self.geometry
        g3 = _grouped(g, groups)
        gx = gw = gb = None
        cols, wants_bias = self.cols, len(self.needs_grad) > 2 and self.needs_grad[2]
        if self.needs_grad[1]:
            products = xp.matmul(cols.transpose(0, 2, 1), g3)   # (G, K*Cg (+ 1), O/G)
            if self.folded:   # the ones column's row is dL/db
                gb = products[0, -1].copy() if wants_bias else None
                products = products[:, :-1]
            gw = products.transpose(1, 0, 2).reshape(*kernel, xshape[-1] // groups, g.shape[-1])
        if wants_bias and gb is None:
            gb = sum_leading_axes(g, g.ndim - 1)
        if self.needs_grad[0]:
            # the im2col buffer is free once dL/dW is computed, unless the graph is kept for
            # another backward: dL/dP is then written over it (its first G*M*K*Cg entries)
            free = None
            if self.final_backward and cols is not None and cols.dtype == xp.result_type(g, self.w):
                rows, width = cols.shape[1], math.prod(kernel) * (xshape[-1] // groups)
                free = cols.reshape(-1)[:groups * rows * width].reshape(groups, rows, width)
            gcols = _offset_columns(g3, self.w, groups, buffer=free)
            compiled = _compiled_col2im(gcols, kernel, strides, dilation)
            if compiled is not None:  # one pass that writes each frame entry once (see kernels)
                frame = xp.empty((xshape[0], *sizes, gcols.shape[-1]), dtype=gcols.dtype)
                compiled.col2im_2d(gcols[0], frame, kernel[1], out[0], out[1],
                                   xp.zeros(1, dtype=gcols.dtype))
            else:
                frame = _col2im(gcols, sizes, xshape[0], out, kernel, strides, dilation)
            gx = _place(frame, [-p[0] for p in pads], xshape[1:-1])
        return (gx, gw) if len(self.needs_grad) == 2 else (gx, gw, gb)


class ConvTranspose(Op):
    """N-d transposed convolution: the adjoint (gradient w.r.t. the input) of :class:`Conv`.

    For an input ``x (N, *L, Cin)`` and a kernel ``W (*K, F, Cin)`` (Keras's layout:
    ``(kh, kw, filters, in_channels)``): ``z_full[n, i*s + a*d, j*s + b*d, f] += sum_c x[n, i, j, c]
    W[a, b, f, c]`` over every ``(i, j, a, b)``, then ``y = crop(z_full) + b[f]`` where the crop keeps
    ``out`` positions from ``p0`` on (zeros past the end of ``z_full``). Equivalently,
    ``y = col2im(x W^T)``. With ``P`` the im2col matrix of ``g = dL/dy`` placed back in the full
    frame: ``dL/dx = P W``, ``dL/dW = P^T x``, ``dL/db[f] = sum_{n, i, j} g[n, i, j, f]``.

    Attributes: ``strides``, ``dilation``, ``starts`` (``p0`` per spatial dim), ``out`` (the
    output's spatial sizes), ``groups``.
    """

    def forward(self, x, w, b=None, *, strides, dilation, starts, out, groups):
        kernel, n = w.shape[:-2], x.shape[0]
        length = x.shape[1:-1]
        frame = tuple((m - 1) * s + (k - 1) * d + 1
                      for m, k, d, s in zip(length, kernel, dilation, strides))
        # x W^T per group and kernel offset: the columns of the output, added up by col2im
        gcols = _offset_columns(_grouped(x, groups), w, groups)
        full = _col2im(gcols, frame, n, length, kernel, strides, dilation)
        y = _place(full, [-p for p in starts], out)  # a fresh array or a crop of one: safe to add to
        if b is not None:
            y += b
        self.x = x if self.needs_grad[1] else None
        self.w = w if self.needs_grad[0] else None
        self.geometry = (frame, length, kernel, strides, dilation, starts, groups)
        return y

    def backward(self, g):
        frame, length, kernel, strides, dilation, starts, groups = self.geometry
        n = g.shape[0]
        cols = _im2col(_place(g, starts, frame), length, kernel, strides, dilation, groups)
        gx = gw = gb = None
        if self.needs_grad[0]:
            gx = _channels_last(xp.matmul(cols, _weights(self.w, groups)), n, length)
        if self.needs_grad[1]:
            x3 = _grouped(self.x, groups)
            gw = xp.matmul(cols.transpose(0, 2, 1), x3)  # (G, K*Fg, Cg)
            gw = gw.transpose(1, 0, 2).reshape(*kernel, g.shape[-1] // groups, self.x.shape[-1])
        if len(self.needs_grad) > 2 and self.needs_grad[2]:
            gb = sum_leading_axes(g, g.ndim - 1)
        return (gx, gw) if len(self.needs_grad) == 2 else (gx, gw, gb)



# ---- geometry: Keras's padding rules and output sizes (plain integers, no arrays) ----------------
def dilated(kernel: int, dilation: int) -> int:
    """The extent ``(k - 1) * d + 1`` of a dilated kernel."""
    return (kernel - 1) * dilation + 1


def conv_pads(size: int, kernel: int, stride: int, dilation: int, padding: str) -> tuple[int, int]:
    """Zero padding ``(before, after)`` of one spatial dim, as Keras (and TensorFlow) pad.

    ``'valid'``: none. ``'same'``: ``ceil(n/s)`` outputs; the total ``max((ceil(n/s) - 1)*s + dk - n, 0)``
    is split with the extra one after (bottom/right). ``'causal'`` (1-D): ``dk - 1`` before.
    """
    dk = dilated(kernel, dilation)
    if padding == "same":
        total = max((-(-size // stride) - 1) * stride + dk - size, 0)
        return total // 2, total - total // 2
    if padding == "causal":
        return dk - 1, 0
    return 0, 0


def conv_output_length(size, kernel: int, stride: int, dilation: int, padding: str):
    """``floor((n + p0 + p1 - dk) / s) + 1`` (``None`` stays ``None``; may be < 1 when too small)."""
    if size is None:
        return None
    before, after = conv_pads(size, kernel, stride, dilation, padding)
    return (size + before + after - dilated(kernel, dilation)) // stride + 1


def conv_transpose_geometry(size, kernel: int, stride: int, dilation: int, padding: str,
                            output_padding: int | None) -> tuple:
    """``(out, p0)`` of a transposed conv along one dim, by Keras's rule.

    The full output of ``L`` inputs spans ``(L - 1)*s + dk`` positions; Keras keeps
    ``valid``: ``L*s + max(dk - s, 0)`` from 0 (or ``(L - 1)*s + dk + output_padding``);
    ``same``: ``L*s`` (or ``(L - 1)*s + dk % 2 + output_padding``) starting at
    ``p0 = dk - 1 - lp`` with ``lp = min(ceil(pad_len / 2), dk - 1)``, ``pad_len = s + dk - 2``
    (or ``dk + dk % 2 - 2 + output_padding``).
    """
    dk = dilated(kernel, dilation)
    if padding == "valid":
        extra = max(dk, stride) - dk if output_padding is None else output_padding
        left, right = dk - 1, dk - 1 + extra
    else:
        pad_len = stride + dk - 2 if output_padding is None else dk + dk % 2 - 2 + output_padding
        left = min(pad_len // 2 + pad_len % 2, dk - 1)
        right = pad_len - left
    out = None if size is None else (size - 1) * stride + 2 + left + right - dk
    return out, dk - 1 - left


def _tuple(value: Any, spatial: int, argument: str, name: str, minimum: int = 1) -> tuple:
    """An int or a sequence of ``spatial`` ints (each ``>= minimum``) as a tuple."""
    values = (value,) * spatial if isinstance(value, numbers.Integral) else tuple(value)
    if len(values) != spatial or not all(isinstance(v, numbers.Integral) and v >= minimum
                                         for v in values):
        raise ValueError(f"{name} expects {argument} to be an integer >= {minimum} or "
                         f"{spatial} of them. Received: {argument}={value!r}")
    return tuple(int(v) for v in values)


def conv_attributes(x_shape: tuple, kernel_shape: tuple, strides: Any, padding: str,
                    dilation_rate: Any, groups: int) -> dict:
    """Check the arguments of a channels-last conv and resolve them into :class:`Conv`'s attributes."""
    spatial = len(x_shape) - 2
    if len(kernel_shape) != spatial + 2 or not isinstance(groups, numbers.Integral) or groups < 1 \
            or x_shape[-1] != kernel_shape[-2] * groups or kernel_shape[-1] % groups:
        raise ValueError(f"conv expects a kernel of shape (*kernel_size, channels/groups, filters) "
                         f"with channels and filters divisible by groups. Received: input shape "
                         f"{x_shape}, kernel shape {kernel_shape}, groups={groups!r}")
    if padding not in ("valid", "same", "causal"):
        raise ValueError(f"conv expects padding 'valid', 'same' or 'causal'. Received: padding={padding!r}")
    strides = _tuple(strides, spatial, "strides", "conv")
    dilation = _tuple(dilation_rate, spatial, "dilation_rate", "conv")
    sizes, kernel = x_shape[1:-1], kernel_shape[:-2]
    pads = tuple(conv_pads(n, k, s, d, padding) for n, k, s, d in zip(sizes, kernel, strides, dilation))
    if any(n + p0 + p1 < dilated(k, d) for n, (p0, p1), k, d in zip(sizes, pads, kernel, dilation)):
        raise ValueError(f"conv: the kernel {kernel} (dilation_rate={dilation}) is larger than the "
                         f"input's spatial size {sizes} with padding={padding!r}.")
    return {"strides": strides, "dilation": dilation, "pads": pads, "groups": int(groups)}


def conv_transpose_attributes(x_shape: tuple, kernel_shape: tuple, strides: Any, padding: str,
                              output_padding: Any, dilation_rate: Any) -> dict:
    """Check the arguments of a channels-last transposed conv; :class:`ConvTranspose`'s attributes."""
    spatial = len(x_shape) - 2
    if len(kernel_shape) != spatial + 2 or x_shape[-1] != kernel_shape[-1]:
        raise ValueError(f"conv_transpose expects a kernel of shape (*kernel_size, filters, "
                         f"{x_shape[-1]}). Received: input shape {x_shape}, kernel shape {kernel_shape}")
    if padding not in ("valid", "same"):
        raise ValueError(f"conv_transpose expects padding 'valid' or 'same'. Received: padding={padding!r}")
    strides = _tuple(strides, spatial, "strides", "conv_transpose")
    dilation = _tuple(dilation_rate, spatial, "dilation_rate", "conv_transpose")
    extra = (None,) * spatial if output_padding is None else _tuple(
        output_padding, spatial, "output_padding", "conv_transpose", minimum=0)
    geometry = [conv_transpose_geometry(n, k, s, d, padding, e) for n, k, s, d, e in
                zip(x_shape[1:-1], kernel_shape[:-2], strides, dilation, extra)]
    if any(out < 1 for out, _ in geometry):
        raise ValueError(f"conv_transpose: output_padding={output_padding!r} gives an empty output "
                         f"for input shape {x_shape}.")
    return {"strides": strides, "dilation": dilation, "groups": 1,
            "starts": tuple(p0 for _, p0 in geometry), "out": tuple(out for out, _ in geometry)}
