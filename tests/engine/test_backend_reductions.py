"""The backend's matrix-product reductions equal NumPy's sums and means."""
import os

import numpy as np
import pytest

from axon.backend import mean_over_axes, sum_leading_axes


@pytest.mark.parametrize("shape, count", [((512, 3), 1), ((16, 8, 8, 5), 3), ((300,), 1),
                                          ((4, 3), 1), ((2, 300, 7), 2), ((0, 5), 1)])
@pytest.mark.parametrize("dtype", ["float64", "float32", "int64"])
def test_sum_leading_axes_equals_numpys_sum(shape, count, dtype):
    x = (np.random.default_rng(0).normal(size=shape) * 10).astype(dtype)
    got = sum_leading_axes(x, count)
    expected = x.sum(axis=tuple(range(count)))
    assert got.shape == expected.shape and got.dtype == expected.dtype
    np.testing.assert_allclose(got, expected, rtol=1e-5 if dtype == "float32" else 1e-12)


@pytest.mark.parametrize("axes", [(0,), (0, 1, 2), (1, 2), (3,), (-1,), (0, 2)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_mean_over_axes_equals_numpys_mean(axes, keepdims):
    x = np.random.default_rng(1).normal(size=(32, 9, 9, 4))
    got = mean_over_axes(x, axes, keepdims=keepdims)
    np.testing.assert_allclose(got, x.mean(axis=axes, keepdims=keepdims), rtol=1e-12, atol=1e-15)
    assert got.shape == x.mean(axis=axes, keepdims=keepdims).shape


def test_sum_leading_axes_keeps_a_view_of_nothing():
    x = np.ones((400, 3))
    sum_leading_axes(x, 1)[0] = 5.0  # the result is a fresh array: writing to it leaves x alone
    assert np.all(x == 1.0)


def test_malloc_keeps_freed_memory_with_glibc_unless_switched_off():
    import platform
    import subprocess
    import sys

    if not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc":
        pytest.skip("the malloc tuning is for glibc")
    probe = "import axon.backend as b; print(b.KEEPS_FREED_MEMORY)"

    def probe_with(**env):
        base = {k: v for k, v in os.environ.items() if k != "AXON_KEEP_FREED_MEMORY"}
        return subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                              env={**base, **env}, check=True).stdout.strip()

    assert probe_with() == "True"
    assert probe_with(AXON_KEEP_FREED_MEMORY="0") == "False"


@pytest.mark.parametrize("shape, grad_shape", [((1, 1, 1, 5), (16, 4, 4, 5)), ((1, 3), (300, 3)),
                                               ((5,), (2, 300, 5)), ((1, 1, 5), (2, 300, 5))])
def test_unbroadcast_of_leading_size_one_axes_equals_numpys_sum(shape, grad_shape):
    from axon.engine.op import unbroadcast

    grad = np.random.default_rng(0).normal(size=grad_shape)
    expected = grad.sum(axis=tuple(range(len(grad_shape) - len(shape))))
    expected = expected.sum(axis=tuple(i for i, n in enumerate(shape) if n == 1), keepdims=True)
    got = unbroadcast(grad, shape, grad.dtype, "Test")
    assert got.shape == shape
    np.testing.assert_allclose(got, expected.reshape(shape), rtol=1e-12)
