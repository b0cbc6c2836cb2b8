"""The compiled kernels (axon/kernels.py) against the NumPy paths they replace: 2x2 max pooling
(the same outputs and gradients, ties to the first maximum, NaN windows, odd sizes, both float
types) and the 2-D col2im of the convolution's backward (bitwise the same input gradient)."""
from __future__ import annotations

import numpy as np
import pytest

import axon
from axon import Tensor, kernels
from axon.engine import functional as F

compiled = kernels.get()
needs_kernels = pytest.mark.skipif(compiled is None, reason="numba is not installed")


def _pool_and_grad(x, upstream, use_kernels, monkeypatch):
    monkeypatch.setitem(kernels._cache, "kernels", compiled if use_kernels else None)
    tensor = Tensor(x, requires_grad=True)
    y = F.max_pool(tensor, 2)
    y.backward(upstream)
    return y.numpy(), tensor.grad


@needs_kernels
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", [(3, 6, 8, 5), (2, 7, 5, 3), (1, 2, 2, 2)])
def test_kernel_equals_numpy_path_with_ties_and_nan(dtype, shape, monkeypatch):
    rng = np.random.default_rng(0)
    x = np.maximum(rng.normal(size=shape), 0).astype(dtype)  # many all-zero windows: ties
    x[0, 0, 0, 0] = np.nan
    x.reshape(-1)[5] = x.reshape(-1)[6] = 2.0  # a tie between two positive entries
    out_shape = (shape[0], shape[1] // 2, shape[2] // 2, shape[3])
    upstream = rng.normal(size=out_shape).astype(dtype)
    fast = _pool_and_grad(x, upstream, True, monkeypatch)
    slow = _pool_and_grad(x, upstream, False, monkeypatch)
    np.testing.assert_array_equal(fast[0], slow[0])  # NaN in the same places too
    np.testing.assert_array_equal(fast[1], slow[1])
    assert fast[1].dtype == np.dtype(dtype)


@needs_kernels
def test_kernel_path_is_gradchecked_in_float64(monkeypatch):
    monkeypatch.setitem(kernels._cache, "kernels", compiled)
    x = (np.random.default_rng(1).permutation(2 * 6 * 4 * 3) * 0.1).reshape(2, 6, 4, 3)
    assert axon.gradcheck(lambda t: F.max_pool(t, 2), x)


def test_kernels_can_be_switched_off(monkeypatch):
    monkeypatch.setenv("AXON_KERNELS", "0")
    assert kernels._compile() is None


@needs_kernels
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("size, channels, kernel, padding", [
    (9, 16, 3, "valid"), (8, 3, 3, "same"), (7, 12, (2, 4), "same"), (6, 9, 5, "valid")])
def test_conv_input_gradient_through_the_kernel_is_bitwise_numpys(dtype, size, channels, kernel,
                                                                   padding, monkeypatch):
    rng = np.random.default_rng(4)
    x0 = rng.normal(size=(3, size, size + 1, channels)).astype(dtype)
    k = (kernel, kernel) if isinstance(kernel, int) else kernel
    w0 = rng.normal(size=(*k, channels, 10)).astype(dtype)
    grads = []
    for use_kernels in (True, False):
        monkeypatch.setitem(kernels._cache, "kernels", compiled if use_kernels else None)
        x, w = Tensor(x0, requires_grad=True), Tensor(w0, requires_grad=True)
        y = F.conv(x, w, padding=padding)
        y.backward(np.ones(y.shape, dtype))
        grads.append((x.grad, w.grad))
    np.testing.assert_array_equal(grads[0][0], grads[1][0])
    np.testing.assert_array_equal(grads[0][1], grads[1][1])

