"""MatMul: 2-D, batched with broadcast batch axes, and 1-D operands as in NumPy."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import axon
from axon import Tensor
from axon.engine import functional as F

from ..strategies import FAST, seeds, uniform
from . import assert_same_results

SHAPE_PAIRS = [
    ((3, 4), (4, 5)),           # 2-D
    ((1, 1), (1, 1)),
    ((2, 3, 4), (2, 4, 5)),     # batched
    ((2, 3, 4), (4, 5)),        # batch axis broadcast from a 2-D operand
    ((3, 4), (2, 4, 5)),
    ((1, 3, 4), (2, 4, 5)),     # size-1 batch axis
    ((2, 1, 3, 4), (3, 4, 2)),  # leading extra batch axis and a size-1 one
    ((4,), (4, 5)),             # 1-D on the left: a row vector
    ((3, 4), (4,)),             # 1-D on the right: a column vector
    ((4,), (2, 4, 5)),          # 1-D against a batch
    ((2, 3, 4), (4,)),
]

ONE_D_BOTH = [((4,), (4,)), ((1,), (1,))]


@pytest.mark.parametrize("shape_a, shape_b", SHAPE_PAIRS)
def test_matmul_gradcheck(shape_a, shape_b):
    a, b = uniform(0, shape_a), uniform(1, shape_b)
    y = F.matmul(Tensor(a), Tensor(b))
    assert y.shape == (a @ b).shape
    np.testing.assert_allclose(y.numpy(), a @ b, rtol=1e-12)
    assert axon.gradcheck(F.matmul, a, b)


@pytest.mark.parametrize("shape_a, shape_b", ONE_D_BOTH)
def test_matmul_gradcheck_vector_dot_vector(shape_a, shape_b):
    # 1-D @ 1-D is a dot product with a 0-d result.
    a, b = uniform(0, shape_a), uniform(1, shape_b)
    assert F.matmul(Tensor(a), Tensor(b)).shape == ()
    assert axon.gradcheck(F.matmul, a, b)


def test_matmul_vector_dot_vector_gradient_values():
    a = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    b = Tensor(np.array([4.0, 5.0, 6.0]), requires_grad=True)
    (a @ b).backward()
    np.testing.assert_array_equal(a.grad, [4.0, 5.0, 6.0])
    np.testing.assert_array_equal(b.grad, [1.0, 2.0, 3.0])


@FAST
@given(batches=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=2, min_side=1,
                                                 max_side=3),
       n=st.integers(1, 3), k=st.integers(1, 3), m=st.integers(1, 3), seed=seeds)
def test_matmul_gradcheck_on_drawn_batch_shapes(batches, n, k, m, seed):
    batch_a, batch_b = batches.input_shapes
    a, b = uniform(seed, (*batch_a, n, k)), uniform(seed + 1, (*batch_b, k, m))
    np.testing.assert_allclose(F.matmul(Tensor(a), Tensor(b)).numpy(), a @ b, rtol=1e-12)
    assert axon.gradcheck(F.matmul, a, b)


def test_matmul_gradient_formulas_2d():
    a = Tensor(uniform(0, (3, 4)), requires_grad=True)
    b = Tensor(uniform(1, (4, 2)), requires_grad=True)
    g = uniform(2, (3, 2))
    (a @ b).backward(g)
    np.testing.assert_allclose(a.grad, g @ b.numpy().T, rtol=1e-6)
    np.testing.assert_allclose(b.grad, a.numpy().T @ g, rtol=1e-6)


def test_matmul_broadcast_batch_gradient_is_summed_to_operand_shape():
    a = Tensor(uniform(0, (1, 3, 4)), requires_grad=True)
    b = Tensor(uniform(1, (2, 4, 5)), requires_grad=True)
    (a @ b).sum().backward()
    assert a.grad.shape == (1, 3, 4)
    assert b.grad.shape == (2, 4, 5)
    # the batch axis of a was broadcast to 2: its gradient is the sum over both batches
    expected = sum(np.ones((3, 5)) @ b.numpy()[i].T for i in range(2))
    np.testing.assert_allclose(a.grad[0], expected, rtol=1e-6)


def test_matmul_with_constant_operand_and_rmatmul():
    a = np.asarray(uniform(0, (3, 4)))
    b = Tensor(uniform(1, (4, 2)), requires_grad=True)
    y = a @ b
    assert isinstance(y, Tensor)
    y.sum().backward()
    np.testing.assert_allclose(b.grad, a.T @ np.ones((3, 2)), rtol=1e-6)


def test_matmul_keeps_float32():
    a = Tensor(np.ones((2, 3), dtype=np.float32), requires_grad=True)
    b = Tensor(np.ones((3,), dtype=np.float32), requires_grad=True)
    y = a @ b
    assert y.dtype == np.float32
    y.sum().backward()
    assert a.grad.dtype == np.float32 and b.grad.dtype == np.float32


@FAST
@given(lead=st.lists(st.integers(1, 4), min_size=1, max_size=3), n=st.integers(1, 5),
       m=st.integers(1, 5), relu=st.booleans(), bias=st.booleans(), seed=seeds)
def test_fused_dense_equals_matmul_add_relu_in_values_and_gradients(lead, n, m, relu, bias, seed):
    rng = np.random.default_rng(seed)
    x0, w0, b0 = rng.normal(size=(*lead, n)), rng.normal(size=(n, m)), rng.normal(size=m)
    upstream = rng.normal(size=(*lead, m))
    results = []
    for fused in (True, False):
        x, w, b = (Tensor(a, requires_grad=True) for a in (x0, w0, b0))
        if fused:
            y = F.dense(x, w, b if bias else None, relu=relu)
        else:
            y = F.matmul(x, w) + b if bias else F.matmul(x, w)
            y = F.relu(y) if relu else y
        y.backward(upstream)
        results.append((y.numpy(), x.grad, w.grad, b.grad))
    assert_same_results(*results, rtol=1e-12)


def test_fused_dense_rejects_mismatched_shapes_with_the_shapes():
    with pytest.raises(ValueError, match=r"x.shape=\(2, 3\), kernel.shape=\(4, 5\)"):
        F.dense(np.ones((2, 3)), np.ones((4, 5)))
    with pytest.raises(ValueError, match=r"bias of shape \(5,\)"):
        F.dense(np.ones((2, 4)), np.ones((4, 5)), np.ones(4))
