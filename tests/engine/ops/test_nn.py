"""Neural-network heads (LogSumExp, Softmax, LogSoftmax and the fused cross-entropies): gradient
checks over drawn shapes and axes, forward values against NumPy, and numerical stability."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import axon
from axon import Tensor
from axon.engine import functional as F

from ..strategies import FAST, axes, nonscalar_shapes, seeds, shapes, uniform


def _np_logsumexp(x, axis=-1, keepdims=False):
    m = np.max(x, axis=axis, keepdims=True)
    y = m + np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True))
    return y if keepdims else np.squeeze(y, axis=axis)


def _np_log_softmax(x, axis=-1):
    return x - _np_logsumexp(x, axis, keepdims=True)


# ---- softmax family: gradient checks over axes ------------------------------------------------
SOFTMAX_FAMILY = {
    "softmax": (F.softmax, lambda x, axis: np.exp(_np_log_softmax(x, axis))),
    "log_softmax": (F.log_softmax, _np_log_softmax),
}


@pytest.mark.parametrize("name", sorted(SOFTMAX_FAMILY))
@FAST
@given(data=st.data(), shape=shapes, seed=seeds)
def test_softmax_family_gradcheck_over_axes(name, data, shape, seed):
    fn, reference = SOFTMAX_FAMILY[name]
    axis = data.draw(axes(len(shape)), label="axis")
    x = uniform(seed, shape, -3.0, 3.0)
    np.testing.assert_allclose(fn(Tensor(x), axis=axis).numpy(), reference(x, axis), rtol=1e-10,
                               atol=1e-12)
    assert axon.gradcheck(lambda x: fn(x, axis=axis), x)


@FAST
@given(data=st.data(), shape=shapes, keepdims=st.booleans(), seed=seeds)
def test_logsumexp_gradcheck_over_int_and_tuple_axes(data, shape, keepdims, seed):
    axis = data.draw(axes(len(shape), allow_none=False), label="axis")
    x = uniform(seed, shape, -3.0, 3.0)
    y = F.logsumexp(Tensor(x), axis=axis, keepdims=keepdims)
    np.testing.assert_allclose(y.numpy(), _np_logsumexp(x, axis, keepdims), rtol=1e-12)
    assert axon.gradcheck(lambda x: F.logsumexp(x, axis=axis, keepdims=keepdims), x)


@pytest.mark.parametrize("keepdims", [False, True])
def test_logsumexp_gradcheck_axis_none(keepdims):
    x = uniform(0, (2, 3))
    y = F.logsumexp(Tensor(x), axis=None, keepdims=keepdims)
    np.testing.assert_allclose(y.numpy(), _np_logsumexp(x, None, keepdims), rtol=1e-12)
    assert axon.gradcheck(lambda x: F.logsumexp(x, axis=None, keepdims=keepdims), x)


def test_logsumexp_gradient_is_softmax():
    x = Tensor(uniform(1, (3, 4)), requires_grad=True)
    F.logsumexp(x, axis=-1).sum().backward()
    np.testing.assert_allclose(x.grad, np.exp(_np_log_softmax(x.numpy())), rtol=1e-6)


def test_softmax_rows_sum_to_one():
    y = F.softmax(Tensor(uniform(2, (4, 5), -10, 10)), axis=1).numpy()
    np.testing.assert_allclose(y.sum(axis=1), np.ones(4), rtol=1e-6)


# ---- cross-entropies --------------------------------------------------------------------------
@FAST
@given(shape=nonscalar_shapes, seed=seeds)
def test_softmax_cross_entropy_gradcheck_wrt_logits_and_targets(shape, seed):
    logits = uniform(seed, shape, -3.0, 3.0)
    targets = uniform(seed + 1, shape, 0.0, 1.0)  # not normalised: the gradient covers sum(t) != 1
    loss = F.softmax_cross_entropy(Tensor(logits), Tensor(targets))
    expected = -np.sum(targets * _np_log_softmax(logits), axis=-1)
    assert loss.shape == shape[:-1]
    np.testing.assert_allclose(loss.numpy(), expected, rtol=1e-12)
    assert axon.gradcheck(F.softmax_cross_entropy, logits, targets)


def test_softmax_cross_entropy_gradient_is_softmax_minus_onehot():
    z = Tensor(uniform(3, (2, 3)), requires_grad=True)
    t = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    F.softmax_cross_entropy(z, t).sum().backward()
    np.testing.assert_allclose(z.grad, np.exp(_np_log_softmax(z.numpy())) - t, rtol=1e-6,
                               atol=1e-7)


def test_softmax_cross_entropy_with_broadcast_targets_gradcheck():
    assert axon.gradcheck(F.softmax_cross_entropy, uniform(0, (3, 4)), uniform(1, (4,), 0, 1))


@FAST
@given(shape=nonscalar_shapes, seed=seeds)
def test_sparse_softmax_cross_entropy_gradcheck_with_integer_labels(shape, seed):
    logits = uniform(seed, shape, -3.0, 3.0)
    labels = np.random.default_rng(seed).integers(0, shape[-1], size=shape[:-1])
    loss = F.sparse_softmax_cross_entropy(Tensor(logits), labels)
    expected = -np.take_along_axis(_np_log_softmax(logits), labels[..., None], axis=-1)[..., 0]
    np.testing.assert_allclose(loss.numpy(), expected, rtol=1e-12)
    assert axon.gradcheck(F.sparse_softmax_cross_entropy, logits, labels)


def test_sparse_matches_dense_cross_entropy_with_one_hot_targets():
    logits = uniform(4, (5, 3))
    labels = np.array([0, 2, 1, 1, 0])
    z1 = Tensor(logits, requires_grad=True)
    z2 = Tensor(logits, requires_grad=True)
    sparse = F.sparse_softmax_cross_entropy(z1, labels)
    dense = F.softmax_cross_entropy(z2, np.eye(3)[labels])
    np.testing.assert_allclose(sparse.numpy(), dense.numpy(), rtol=1e-12)
    sparse.sum().backward()
    dense.sum().backward()
    np.testing.assert_allclose(z1.grad, z2.grad, rtol=1e-12, atol=1e-15)


def test_sparse_softmax_cross_entropy_labels_get_no_gradient():
    labels = Tensor(np.array([1, 0]))
    z = Tensor(uniform(5, (2, 3)), requires_grad=True)
    F.sparse_softmax_cross_entropy(z, labels).sum().backward()
    assert labels.grad is None and not labels.requires_grad


@FAST
@given(shape=shapes, seed=seeds)
def test_sigmoid_cross_entropy_gradcheck_wrt_logits_and_targets(shape, seed):
    logits = uniform(seed, shape, -4.0, 4.0)
    targets = uniform(seed + 1, shape, 0.0, 1.0)
    p = 1 / (1 + np.exp(-logits))
    expected = -targets * np.log(p) - (1 - targets) * np.log(1 - p)
    loss = F.sigmoid_cross_entropy(Tensor(logits), Tensor(targets))
    np.testing.assert_allclose(loss.numpy(), expected, rtol=1e-10)
    assert axon.gradcheck(F.sigmoid_cross_entropy, logits, targets)


# ---- stability in float32 ---------------------------------------------------------------------
HUGE = np.array([[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, 1000.0]], dtype=np.float32)
TARGETS = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]], dtype=np.float32)


def _assert_finite_loss_and_grad(loss_fn):
    z = Tensor(HUGE, requires_grad=True)
    loss = loss_fn(z)
    assert loss.dtype == np.float32
    assert np.all(np.isfinite(loss.numpy())), loss.numpy()
    loss.sum().backward()
    assert z.grad.dtype == np.float32
    assert np.all(np.isfinite(z.grad)), z.grad
    return loss.numpy(), z.grad


def test_softmax_cross_entropy_is_finite_for_huge_logits_float32():
    loss, grad = _assert_finite_loss_and_grad(lambda z: F.softmax_cross_entropy(z, TARGETS))
    np.testing.assert_allclose(loss, [2000.0, 2000.0], rtol=1e-6)
    np.testing.assert_allclose(grad, [[1.0, -1.0, 0.0], [-1.0, 0.0, 1.0]], atol=1e-6)


def test_softmax_cross_entropy_target_gradient_is_finite_for_huge_logits_float32():
    t = Tensor(TARGETS, requires_grad=True)
    F.softmax_cross_entropy(Tensor(HUGE), t).sum().backward()
    assert np.all(np.isfinite(t.grad))
    np.testing.assert_allclose(t.grad, -_np_log_softmax(HUGE.astype(np.float64)), rtol=1e-6)


def test_sparse_softmax_cross_entropy_is_finite_for_huge_logits_float32():
    loss, grad = _assert_finite_loss_and_grad(
        lambda z: F.sparse_softmax_cross_entropy(z, np.array([1, 0])))
    np.testing.assert_allclose(loss, [2000.0, 2000.0], rtol=1e-6)


def test_sigmoid_cross_entropy_is_finite_for_huge_logits_float32():
    loss, grad = _assert_finite_loss_and_grad(lambda z: F.sigmoid_cross_entropy(z, TARGETS))
    np.testing.assert_allclose(grad, 0.5 * (1 + np.tanh(0.5 * HUGE.astype(np.float64))) - TARGETS,
                               atol=1e-6)


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "logsumexp"])
def test_softmax_family_of_huge_values_has_no_nan(name):
    fn = {"softmax": F.softmax, "log_softmax": F.log_softmax, "logsumexp": F.logsumexp}[name]
    loss, grad = _assert_finite_loss_and_grad(lambda z: fn(z) * 1.0)
    if name == "softmax":
        np.testing.assert_allclose(loss, [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]], atol=1e-7)
    if name == "logsumexp":
        np.testing.assert_allclose(loss, [1000.0, 1000.0], rtol=1e-6)


# With logits this large, ``m + ln(sum e**(x - m))`` rounds to ``m`` in float32, so anything
# computed as ``x - logsumexp(x)`` loses the ``ln(n)``; computing from ``x - m`` keeps it.
EQUAL_HUGE = np.full((2, 4), 1e30, dtype=np.float32)
UNIFORM_QUARTER = np.full((2, 4), 0.25)


def _log_softmax_of_equal_huge():
    return F.log_softmax(Tensor(EQUAL_HUGE)).numpy(), np.full((2, 4), -np.log(4.0))


def _logsumexp_grad_of_equal_huge():
    z = Tensor(EQUAL_HUGE, requires_grad=True)
    F.logsumexp(z).sum().backward()
    return z.grad, UNIFORM_QUARTER


def _cross_entropy_grad_of_equal_huge():
    z = Tensor(EQUAL_HUGE, requires_grad=True)
    F.sparse_softmax_cross_entropy(z, np.array([0, 3])).sum().backward()
    return z.grad, UNIFORM_QUARTER - np.eye(4)[[0, 3]]


EQUAL_HUGE_CASES = {
    "softmax": lambda: (F.softmax(Tensor(EQUAL_HUGE)).numpy(), UNIFORM_QUARTER),
    "log_softmax": _log_softmax_of_equal_huge,
    "logsumexp_gradient": _logsumexp_grad_of_equal_huge,
    "sparse_cross_entropy_gradient": _cross_entropy_grad_of_equal_huge,
}


@pytest.mark.parametrize("name", sorted(EQUAL_HUGE_CASES))
def test_softmax_family_is_exact_for_equal_huge_logits_float32(name):
    got, expected = EQUAL_HUGE_CASES[name]()
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-7)


def test_logsumexp_of_all_minus_inf_is_minus_inf_without_nan():
    with np.errstate(divide="ignore"):
        y = F.logsumexp(Tensor(np.full(3, -np.inf, dtype=np.float32)))
    assert y.item() == -np.inf
