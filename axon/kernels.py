"""Optional compiled kernels, for the few places where NumPy cannot reach the speed goals.

NumPy runs each operation as a separate pass over memory; a few primitives need several passes
where a loop written once needs one. Max pooling is the measured case: on a (128, 26, 26, 32)
float32 batch (2 cores), 2x2 pooling takes 2.2 ms forward and 6.3 ms backward in NumPy (strided
window views, and the first-maximum search repeated in backward), 0.7 and 2.2 ms as one loop
that keeps the winner's index.

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

    return SimpleNamespace(max_pool_2x2_forward=max_pool_2x2_forward,
                           max_pool_2x2_backward=max_pool_2x2_backward)
