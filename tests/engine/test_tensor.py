"""Tensor and Variable: backward semantics, graph freeing, no_grad, dtypes and broadcasting."""
from __future__ import annotations

import gc
import re
import tracemalloc

import numpy as np
import pytest

from axon import Tensor, Variable, no_grad
from axon.engine import enable_grad, is_grad_enabled, ops
from axon.engine import functional as F
from axon.engine.op import unbroadcast
from axon.engine.tensor import _topological_order


def leaf(values, dtype=np.float64):
    return Tensor(np.asarray(values, dtype=dtype), requires_grad=True)


# ---- accumulation -----------------------------------------------------------------------------
def test_tensor_used_twice_in_product_gets_summed_gradient():
    x = leaf([1.0, -2.0, 3.0])
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, -4.0, 6.0])


def test_tensor_used_twice_in_sum_gets_summed_gradient():
    x = leaf([1.0, 2.0])
    (x + x).sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 2.0])


def test_tensor_used_in_many_branches():
    x = leaf(2.0)
    y = x * 3.0 + F.exp(x) - x / 4.0 + x * x
    y.backward()
    assert x.grad == pytest.approx(3.0 + np.exp(2.0) - 0.25 + 4.0)


def test_gradient_accumulates_across_two_backward_calls_into_leaf():
    x = leaf([1.0, 2.0])
    (x * 3.0).sum().backward()
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0 + 2.0, 3.0 + 4.0])


def test_backward_with_explicit_gradient():
    x = leaf([[1.0, 2.0], [3.0, 4.0]])
    (x * 2.0).backward(np.array([[1.0, 0.0], [0.5, 2.0]]))
    np.testing.assert_array_equal(x.grad, [[2.0, 0.0], [1.0, 4.0]])


def test_backward_grad_of_wrong_shape_is_an_error():
    x = leaf([1.0, 2.0])
    with pytest.raises(ValueError, match="shape"):
        (x * 2.0).backward(np.ones(3))


def test_leaf_backward_sets_its_own_gradient():
    x = leaf(3.0)
    x.backward()
    assert x.grad == 1.0


def test_leaf_gradients_are_independent_writable_arrays():
    # Optimizers and clipping may update gradients in place: one leaf's gradient must never be
    # a read-only broadcast view, the caller's array, or shared with another leaf.
    a, b = leaf([1.0, 2.0, 3.0]), leaf([4.0, 5.0, 6.0])
    g = np.ones(3)
    (a + b).backward(g)
    assert a.grad is not b.grad and a.grad is not g
    a.grad *= 2.0
    np.testing.assert_array_equal(b.grad, [1.0, 1.0, 1.0])
    np.testing.assert_array_equal(g, [1.0, 1.0, 1.0])
    c = leaf([1.0, 2.0])
    c.sum().backward()
    c.grad += 1.0
    np.testing.assert_array_equal(c.grad, [2.0, 2.0])


# ---- graph freeing and errors -----------------------------------------------------------------
def test_second_backward_raises_runtime_error_with_clear_message():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="freed"):
        y.backward()


def test_backward_through_freed_shared_subgraph_raises():
    x = leaf([1.0, 2.0])
    shared = F.exp(x)
    shared.sum().backward()
    with pytest.raises(RuntimeError, match="recompute the forward"):
        (shared * 2.0).sum().backward()


def test_backward_releases_saved_arrays():
    x = leaf([1.0, 2.0])
    h = x * x
    y = F.exp(h).sum()
    ops_in_graph = [y.creator, h.creator]
    y.backward()
    for op in ops_in_graph:
        assert op.inputs is None
        assert not [k for k in vars(op) if k != "inputs"], vars(op)


def test_backward_of_non_scalar_without_grad_raises_value_error():
    x = leaf([1.0, 2.0])
    with pytest.raises(ValueError, match="one-element"):
        (x * 2.0).backward()


def test_backward_of_tensor_not_requiring_grad_raises():
    with pytest.raises(RuntimeError, match="requires_grad"):
        Tensor([1.0]).backward()


def test_integer_tensor_requiring_grad_is_a_type_error():
    with pytest.raises(TypeError, match="floating-point"):
        Tensor(np.array([1, 2, 3]), requires_grad=True)
    with pytest.raises(TypeError):
        Tensor(np.array([True, False]), requires_grad=True)


# ---- no_grad / enable_grad --------------------------------------------------------------------
def test_no_grad_records_nothing():
    x = leaf([1.0, 2.0])
    with no_grad():
        assert not is_grad_enabled()
        y = F.exp(x * 2.0).sum()
    assert is_grad_enabled()
    assert not y.requires_grad and y.creator is None
    with pytest.raises(RuntimeError):
        y.backward()


def test_enable_grad_inside_no_grad_records_again():
    x = leaf([1.0, 2.0])
    with no_grad():
        with enable_grad():
            y = (x * x).sum()
        z = x * 2.0
        assert not is_grad_enabled()
    assert y.requires_grad and y.creator is not None
    assert not z.requires_grad
    y.backward()
    np.testing.assert_array_equal(x.grad, [2.0, 4.0])


def test_no_grad_restores_state_after_exception():
    with pytest.raises(KeyError):
        with no_grad():
            raise KeyError("boom")
    assert is_grad_enabled()


def test_ops_on_constants_record_nothing():
    y = Tensor([1.0, 2.0]) * 3.0
    assert not y.requires_grad and y.creator is None


def test_detach_cuts_the_graph():
    x = leaf([1.0, 2.0])
    y = (x * 2.0).detach()
    assert not y.requires_grad and y.creator is None
    np.testing.assert_array_equal(y.numpy(), [2.0, 4.0])


def test_constant_inputs_get_no_gradient():
    x = leaf([1.0, 2.0])
    c = Tensor([3.0, 4.0])
    (x * c).sum().backward()
    assert c.grad is None
    np.testing.assert_array_equal(x.grad, [3.0, 4.0])


# ---- graph walk -------------------------------------------------------------------------------
def _diamond():
    x = leaf([1.0, 2.0])
    h = F.exp(x)
    left, right = h * 2.0, F.tanh(h)
    top = (left + right * h).sum()
    return x, h, left, right, top


def test_topological_order_puts_every_node_after_its_consumers():
    x, h, left, right, top = _diamond()
    order = _topological_order(top)
    position = {id(node): i for i, node in enumerate(order)}
    assert order[0] is top and order[-1] is x
    for node in order:
        if node.creator is None:
            continue
        for parent in node.creator.inputs:
            if parent.requires_grad:
                assert position[id(parent)] > position[id(node)]


def test_topological_order_is_deterministic():
    def signature():
        *_, top = _diamond()
        return [type(node.creator).__name__ for node in _topological_order(top)]

    first = signature()
    assert all(signature() == first for _ in range(5))


def test_diamond_backward_calls_each_op_once_with_accumulated_gradient(monkeypatch):
    calls = []
    original = ops.Exp.backward

    def counting_backward(self, g):
        calls.append(g.copy())
        return original(self, g)

    monkeypatch.setattr(ops.Exp, "backward", counting_backward)
    x, h, left, right, top = _diamond()
    top.backward()
    assert len(calls) == 1
    e = np.exp([1.0, 2.0])
    t = np.tanh(e)
    dh = 2.0 + t + e * (1 - t**2)
    np.testing.assert_allclose(calls[0], dh, rtol=1e-12)
    np.testing.assert_allclose(x.grad, dh * e, rtol=1e-12)


def test_deep_chain_of_ten_thousand_ops_backpropagates_without_recursion_error():
    x = leaf([1.0, 2.0])
    y = x
    for _ in range(10_000):
        y = y + 1.0
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, 1.0])
    np.testing.assert_array_equal(y.numpy(), [10_001.0, 10_002.0])


def test_deep_chain_without_backward_can_be_dropped():
    x = leaf([1.0])
    y = x
    for _ in range(10_000):
        y = y * 1.0
    del y
    gc.collect()


def test_memory_does_not_grow_over_training_steps():
    rng = np.random.default_rng(0)
    w = Variable(rng.standard_normal((4, 3)), name="kernel")
    b = Variable(np.zeros(3), name="bias")
    data = rng.standard_normal((8, 4))
    labels = np.array([0, 1, 2, 0, 1, 2, 0, 1])

    def step():
        logits = Tensor(data) @ w + b
        loss = F.mean(F.sparse_softmax_cross_entropy(F.tanh(logits), labels))
        loss.backward()
        with no_grad():
            w.assign(w.data - 0.01 * w.grad)
            b.assign(b.data - 0.01 * b.grad)
        w.grad = b.grad = None

    gc.collect()
    tracemalloc.start()
    try:
        for i in range(1, 3001):
            step()
            if i == 300:
                gc.collect()
                current_300, _ = tracemalloc.get_traced_memory()
                tracemalloc.reset_peak()
        gc.collect()
        current_3000, peak_after_300 = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert current_3000 - current_300 < 64 * 1024, (current_300, current_3000)
    assert peak_after_300 - current_300 < 256 * 1024, (current_300, peak_after_300)


# ---- dtypes -----------------------------------------------------------------------------------
SCALAR_OPS = {
    "add": lambda x: x + 2.0,
    "radd": lambda x: 2.0 + x,
    "sub": lambda x: x - 2.0,
    "rsub": lambda x: 2.0 - x,
    "mul": lambda x: x * 2.0,
    "rmul": lambda x: 2.0 * x,
    "div": lambda x: x / 2.0,
    "rdiv": lambda x: 2.0 / x,
    "pow": lambda x: x**2,
    "pow_float": lambda x: x**2.5,
    "rpow": lambda x: 2.0**x,
    "int_mul": lambda x: x * 3,
    "numpy_scalar": lambda x: np.float64(2.0) * x,
    "maximum": lambda x: F.maximum(x, 0.0),
    "minimum": lambda x: F.minimum(0.0, x),
    "where": lambda x: F.where(x.data > 1, x, 0.0),
    "clip": lambda x: F.clip(x, 0.0, 1.5),
    "mean": lambda x: F.mean(x),
    "leaky_relu": lambda x: F.leaky_relu(x),
    "elu": lambda x: F.elu(x),
    "selu": lambda x: F.selu(x),
    "gelu": lambda x: F.gelu(x),
    "gelu_approximate": lambda x: F.gelu(x, approximate=True),
    "hard_sigmoid": lambda x: F.hard_sigmoid(x),
    "softsign": lambda x: F.softsign(x),
    "var": lambda x: F.var(x),
}


@pytest.mark.parametrize("name", sorted(SCALAR_OPS))
@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_python_scalars_keep_the_tensor_float_dtype(name, dtype):
    x = leaf([0.5, 1.0, 2.0], dtype=dtype)
    y = SCALAR_OPS[name](x)
    assert isinstance(y, Tensor)
    assert y.dtype == dtype, f"{name} promoted {np.dtype(dtype)} to {y.dtype}"
    y.sum().backward()
    assert x.grad.dtype == dtype


def test_float32_gradients_stay_float32_against_float64_operand():
    x = leaf([1.0, 2.0], dtype=np.float32)
    y = x * np.array([3.0, 4.0])  # a float64 ndarray may promote the result, never the gradient
    y.sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad, [3.0, 4.0])


def test_ndarray_plus_tensor_returns_tensor():
    x = leaf([1.0, 2.0])
    for y in (np.ones(2) + x, np.ones(2) * x, np.ones(2) - x, np.ones(2) / x, x + np.ones(2)):
        assert isinstance(y, Tensor)
        assert y.requires_grad
    (np.array([3.0, 4.0]) * x).sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 4.0])


def test_python_data_takes_default_float_type():
    assert Tensor([1, 2, 3]).dtype == np.float32
    assert Tensor(2.0).dtype == np.float32
    assert Tensor(np.array([1.0])).dtype == np.float64
    assert Tensor(np.array([1, 2])).dtype.kind == "i"
    assert Tensor([1.0], dtype=np.float64).dtype == np.float64


def test_comparisons_return_plain_boolean_arrays():
    x = Tensor([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(x > 1.5, [False, True, True])
    np.testing.assert_array_equal(x <= Tensor([1.0, 1.0, 5.0]), [True, False, True])


# ---- broadcasting: gradients come back in the input's shape ---------------------------------
@pytest.mark.parametrize("shape_a, shape_b", [((3, 1), (1, 4)), ((), (2, 3)), ((4,), (3, 4)),
                                              ((2, 1, 3), (4, 1)), ((1, 1), (2, 3, 4))])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_broadcast_gradients_are_unbroadcast_to_input_shapes(shape_a, shape_b, dtype):
    a = leaf(np.ones(shape_a), dtype=dtype)
    b = leaf(np.full(shape_b, 2.0), dtype=dtype)
    y = a * b + a - b
    y.sum().backward()
    out_size = int(np.prod(np.broadcast_shapes(shape_a, shape_b)))
    assert a.grad.shape == shape_a and b.grad.shape == shape_b
    assert a.grad.dtype == dtype and b.grad.dtype == dtype
    # each entry of a is copied out_size / a.size times; d/da = b + 1 = 3, d/db = a - 1 = 0
    np.testing.assert_allclose(a.grad, np.full(shape_a, 3.0 * out_size / max(a.size, 1)))
    np.testing.assert_allclose(b.grad, np.zeros(shape_b))


@pytest.mark.parametrize("grad_shape, input_shape", [((2, 3), (3, 2)), ((3,), (2, 3, 4)),
                                                     ((3,), (1, 3)), ((3,), (1, 1, 3)),
                                                     ((2, 4), (1, 2, 3))])
def test_unbroadcast_names_the_op_and_the_gradient_shape_on_a_mismatch(grad_shape, input_shape):
    # A backward that returns a gradient which broadcasting cannot explain is a bug in that op:
    # the error names the op and the shape it returned.
    with pytest.raises(ValueError, match=rf"BadOp.*{re.escape(str(grad_shape))}"):
        unbroadcast(np.ones(grad_shape), input_shape, np.float64, "BadOp")


def test_unbroadcast_sums_leading_and_size_one_axes():
    grad = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_array_equal(unbroadcast(grad, (3, 1), np.float64, "Op"),
                                  grad.sum(axis=(0, 2))[:, None])
    assert unbroadcast(grad, (), np.float32, "Op").dtype == np.float32


# ---- Variable ---------------------------------------------------------------------------------
def test_variable_is_a_trainable_named_tensor():
    v = Variable(np.zeros((2, 3)), name="kernel")
    assert isinstance(v, Tensor)
    assert v.trainable and v.requires_grad and v.name == "kernel"
    assert "kernel" in repr(v)


def test_variable_trainable_toggle_sets_requires_grad():
    v = Variable([1.0, 2.0])
    v.trainable = False
    assert not v.trainable and not v.requires_grad
    assert not (v * 2.0).requires_grad
    v.trainable = True
    assert v.trainable and v.requires_grad
    (v * 2.0).sum().backward()
    np.testing.assert_array_equal(v.grad, [2.0, 2.0])


def test_non_trainable_variable_requires_no_grad():
    assert not Variable([1.0], trainable=False).requires_grad


def test_variable_of_integers_becomes_default_float():
    assert Variable(np.array([1, 2])).dtype == np.float32
    assert Variable(np.array([1.0, 2.0])).dtype == np.float64


def test_variable_assign_replaces_value_in_place_keeping_dtype():
    v = Variable(np.zeros(3, dtype=np.float32), name="bias")
    data = v.data
    v.assign(np.array([1.0, 2.0, 3.0]))
    assert v.data is data and v.dtype == np.float32
    np.testing.assert_array_equal(v.numpy(), [1.0, 2.0, 3.0])
    v.assign(Tensor([4.0, 5.0, 6.0]))
    np.testing.assert_array_equal(v.numpy(), [4.0, 5.0, 6.0])


def test_variable_assign_wrong_shape_is_an_error_naming_both_shapes():
    v = Variable(np.zeros((2, 3)), name="kernel")
    with pytest.raises(ValueError, match=r"kernel.*\(2, 3\).*\(3, 2\)"):
        v.assign(np.zeros((3, 2)))
