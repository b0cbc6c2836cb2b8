"""Optional compiled kernels, for the few places where NumPy cannot reach the speed goals.

NumPy runs each operation as a separate pass over memory; a few primitives need several passes
where a loop written once needs one. The measured cases (2 cores, float32):

- 2x2 max pooling of a (128, 26, 26, 32) batch: 2.2 ms forward and 6.3 ms backward in NumPy
  (strided window views, and the first-maximum search repeated in backward); 0.7 and 2.2 ms as
  one loop that keeps each window's winner;
- the col2im of a 3x3 convolution's input gradient, (128, 13, 13, 32): 3.1 ms in NumPy (nine
  strided read-modify-write passes over the frame), 0.9 ms writing each frame entry once.

A numba LSTM step was tried and is not here: its scalar ``tanh`` made the forward six times
slower than NumPy's vectorised one.

The kernels are compiled by numba (the optional extra ``pip install axon[fast]``) on first use
and cached on disk. Without numba, or with ``AXON_KERNELS=0``, or on a backend other than NumPy,
:func:`get` returns ``None`` and every caller keeps its NumPy path; both paths give the same
numbers. The kernels run on one thread: numba's parallel loops fought OpenBLAS's threads over
the cores in measurements (an MLP epoch with a parallel Adam update took 5-6 times longer), so
parallelism stays in the BLAS.
"""
from __future__ import annotations

import os
from types import SimpleNamespace
from typing import Any

from axon import backend

_cache: dict[str, Any] = {}


def get() -> Any:
    """The compiled kernels as a namespace, or ``None`` when they are not available."""
    if "kernels" not in _cache:
        _cache["kernels"] = _compile()
    return _cache["kernels"]


def _compile() -> Any:
    if os.environ.get("AXON_KERNELS", "1") == "0" or backend.xp.__name__ != "numpy":
        return None
    try:
        import numba
    except ImportError:
        return None
    jit = numba.njit(cache=True, nogil=True, boundscheck=False)

    @jit
    def max_pool_2x2_forward(x, y, index):
        """``y[n, i, j, c] = max`` of the 2x2 window at ``(2i, 2j)``, channels last; ``index`` the
        window offset of the first maximum in row-major order (0..3). A window holding a NaN
        gives NaN, as ``numpy.maximum`` does, and index 255: no entry gets its gradient (as
        with NumPy, where no entry equals a NaN maximum)."""
        batch, height, width, channels = y.shape
        for n in range(batch):
            for i in range(height):
                for j in range(width):
                    for c in range(channels):
                        best = x[n, 2 * i, 2 * j, c]
                        k = 0 if best == best else 255
                        offset = 1
                        while offset < 4 and k != 255:
                            v = x[n, 2 * i + offset // 2, 2 * j + offset % 2, c]
                            if v != v:
                                best = v
                                k = 255
                            elif v > best:
                                best = v
                                k = offset
                            offset += 1
                        y[n, i, j, c] = best
                        index[n, i, j, c] = k

    @jit
    def max_pool_2x2_backward(g, index, dx):
        """``dx`` over the windows: ``g`` at each window's winner, 0 at its other entries.
        Entries outside every window (an odd last row or column) are left as they are."""
        batch, height, width, channels = g.shape
        zero = 0.0
        for n in range(batch):
            for i in range(height):
                for j in range(width):
                    for c in range(channels):
                        k = index[n, i, j, c]
                        v = g[n, i, j, c]
                        dx[n, 2 * i, 2 * j, c] = v if k == 0 else zero
                        dx[n, 2 * i, 2 * j + 1, c] = v if k == 1 else zero
                        dx[n, 2 * i + 1, 2 * j, c] = v if k == 2 else zero
                        dx[n, 2 * i + 1, 2 * j + 1, c] = v if k == 3 else zero

    @jit
    def col2im_2d(cols, frame, kernel_w, out_h, out_w, zero):
        """The adjoint of 2-D im2col at stride 1, dilation 1, one group: ``frame[n, p, q, c] =
        sum_{a, b} cols[a * kernel_w + b, (n * out_h + p - a) * out_w + q - b, c]`` over the
        offsets whose output position ``(p - a, q - b)`` exists, added in offset order as the
        NumPy path adds them (the same numbers); every frame entry written once. ``zero`` is a
        one-element array of the frame's type (the sums stay in that type)."""
        batch, height, width, channels = frame.shape
        kernel_h = cols.shape[0] // kernel_w
        for n in range(batch):
            for p in range(height):
                for q in range(width):
                    row = frame[n, p, q]
                    for c in range(channels):
                        row[c] = zero[0]
                    for a in range(kernel_h):
                        i = p - a
                        if i < 0 or i >= out_h:
                            continue
                        for b in range(kernel_w):
                            j = q - b
                            if j < 0 or j >= out_w:
                                continue
                            source = cols[a * kernel_w + b, (n * out_h + i) * out_w + j]
                            for c in range(channels):  # contiguous: vectorised
                                row[c] += source[c]

    return SimpleNamespace(max_pool_2x2_forward=max_pool_2x2_forward,
                           max_pool_2x2_backward=max_pool_2x2_backward,
                           col2im_2d=col2im_2d)
