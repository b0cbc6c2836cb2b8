"""Movement primitives (Reshape, Transpose, BroadcastTo, GetItem, Pad, Concatenate): gradient checks
and forward values against NumPy."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import axon
from axon import Tensor
from axon.engine import functional as F

from ..strategies import FAST, int_axis, nonscalar_shapes, seeds, shapes, uniform


# ---- Reshape ----------------------------------------------------------------------------------
def _reshape_targets(shape):
    size = int(np.prod(shape, dtype=int))
    targets = [(-1,), (size,), tuple(reversed(shape)), (1, *shape, 1)]
    if shape:
        targets.append((shape[0], -1))
        targets.append((-1, shape[-1]))
    return targets


@FAST
@given(data=st.data(), shape=shapes, seed=seeds)
def test_reshape_gradcheck_with_minus_one(data, shape, seed):
    target = data.draw(st.sampled_from(_reshape_targets(shape)), label="target")
    x = uniform(seed, shape)
    assert F.reshape(Tensor(x), target).shape == x.reshape(target).shape
    assert axon.gradcheck(lambda x: F.reshape(x, target), x)


def test_reshape_method_accepts_varargs_and_tuple():
    x = Tensor(uniform(0, (2, 3)), requires_grad=True)
    assert x.reshape(3, -1).shape == (3, 2)
    assert x.reshape((6,)).shape == (6,)


# ---- Transpose --------------------------------------------------------------------------------
@FAST
@given(data=st.data(), shape=shapes, seed=seeds)
def test_transpose_gradcheck_with_axes(data, shape, seed):
    ndim = len(shape)
    axes = data.draw(st.one_of(st.none(), st.permutations(range(ndim)).map(tuple)), label="axes")
    if axes is not None and data.draw(st.booleans(), label="negative"):
        axes = tuple(a - ndim for a in axes)
    x = uniform(seed, shape)
    np.testing.assert_array_equal(F.transpose(Tensor(x), axes).numpy(), np.transpose(x, axes))
    assert axon.gradcheck(lambda x: F.transpose(x, axes), x)


def test_transpose_backward_applies_inverse_permutation():
    x = Tensor(np.zeros((2, 3, 4)), requires_grad=True)
    y = F.transpose(x, (2, 0, 1))
    g = np.arange(24.0).reshape(4, 2, 3)
    y.backward(g)
    np.testing.assert_array_equal(x.grad, np.transpose(g, (1, 2, 0)))


def test_tensor_T_reverses_axes():
    x = Tensor(uniform(0, (2, 3, 4)))
    assert x.T.shape == (4, 3, 2)
    assert x.transpose(1, 0, 2).shape == (3, 2, 4)


# ---- BroadcastTo ------------------------------------------------------------------------------
@FAST
@given(data=st.data(), target=shapes, seed=seeds)
def test_broadcast_to_gradcheck(data, target, seed):
    dropped = data.draw(st.integers(0, len(target)), label="leading axes dropped")
    ones = data.draw(st.lists(st.booleans(), min_size=len(target), max_size=len(target)),
                     label="size-1 axes")
    source = tuple(1 if one else n for n, one in zip(target, ones))[dropped:]
    x = uniform(seed, source)
    np.testing.assert_array_equal(F.broadcast_to(Tensor(x), target).numpy(),
                                  np.broadcast_to(x, target))
    assert axon.gradcheck(lambda x: F.broadcast_to(x, target), x)


def test_broadcast_to_gradient_sums_copies():
    x = Tensor(np.array([[1.0], [2.0]]), requires_grad=True)
    F.broadcast_to(x, (3, 2, 4)).sum().backward()
    np.testing.assert_array_equal(x.grad, [[12.0], [12.0]])


# ---- GetItem ----------------------------------------------------------------------------------
@FAST
@given(data=st.data(), shape=shapes, seed=seeds)
def test_getitem_gradcheck_basic_indices(data, shape, seed):
    index = data.draw(hnp.basic_indices(shape, allow_newaxis=True, allow_ellipsis=True),
                      label="index")
    x = uniform(seed, shape)
    np.testing.assert_array_equal(F.getitem(Tensor(x), index).numpy(), x[index])
    assert axon.gradcheck(lambda x: F.getitem(x, index), x)


@FAST
@given(data=st.data(), shape=nonscalar_shapes, seed=seeds)
def test_getitem_gradcheck_integer_arrays(data, shape, seed):
    index = data.draw(hnp.integer_array_indices(shape, result_shape=hnp.array_shapes(
        min_dims=1, max_dims=2, max_side=5)), label="index")
    x = uniform(seed, shape)
    np.testing.assert_array_equal(F.getitem(Tensor(x), index).numpy(), x[index])
    assert axon.gradcheck(lambda x: F.getitem(x, index), x)


@FAST
@given(data=st.data(), shape=nonscalar_shapes, seed=seeds)
def test_getitem_gradcheck_boolean_mask(data, shape, seed):
    mask = data.draw(hnp.arrays(bool, shape), label="mask")
    x = uniform(seed, shape)
    np.testing.assert_array_equal(F.getitem(Tensor(x), mask).numpy(), x[mask])
    assert axon.gradcheck(lambda x: F.getitem(x, mask), x)


def test_getitem_repeated_integer_indices_accumulate_gradient():
    x = Tensor(np.zeros(4), requires_grad=True)
    F.getitem(x, [0, 0, 2, 0, 3]).backward(np.array([1.0, 2.0, 3.0, 4.0, 5.0]))
    np.testing.assert_array_equal(x.grad, [7.0, 0.0, 3.0, 5.0])


def test_getitem_repeated_rows_accumulate_in_2d():
    x = Tensor(np.zeros((3, 2)), requires_grad=True)
    x[np.array([1, 1, 1])].sum().backward()
    np.testing.assert_array_equal(x.grad, [[0.0, 0.0], [3.0, 3.0], [0.0, 0.0]])


def test_getitem_mixed_advanced_and_basic_index_gradcheck():
    index = (np.array([2, 0, 2]), slice(None, None, -2))
    assert axon.gradcheck(lambda x: F.getitem(x, index), uniform(0, (3, 4)))


def test_getitem_boolean_mask_gradient_is_mask():
    x = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    mask = np.array([[True, False, True], [False, True, False]])
    y = x[mask]
    np.testing.assert_array_equal(y.numpy(), [0.0, 2.0, 4.0])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, mask.astype(float))


def test_getitem_with_tensor_index():
    x = Tensor(np.arange(4.0), requires_grad=True)
    y = x[Tensor(np.array([3, 3]))]
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 0.0, 2.0])


# ---- Pad --------------------------------------------------------------------------------------
@FAST
@given(data=st.data(), shape=nonscalar_shapes, seed=seeds, value=st.sampled_from([0.0, -1.5]))
def test_pad_gradcheck(data, shape, seed, value):
    widths = data.draw(st.tuples(*[st.tuples(st.integers(0, 2), st.integers(0, 2))
                                   for _ in shape]), label="pad_width")
    x = uniform(seed, shape)
    y = F.pad(Tensor(x), widths, constant_values=value)
    np.testing.assert_array_equal(y.numpy(), np.pad(x, widths, constant_values=value))
    assert axon.gradcheck(lambda x: F.pad(x, widths, constant_values=value), x)


@pytest.mark.parametrize("pad_width", [1, (1, 2), ((0, 1), (2, 0))])
def test_pad_width_forms(pad_width):
    x = uniform(0, (2, 3))
    y = F.pad(Tensor(x), pad_width)
    np.testing.assert_array_equal(y.numpy(), np.pad(x, pad_width))
    assert axon.gradcheck(lambda x: F.pad(x, pad_width), x)


# ---- Concatenate ------------------------------------------------------------------------------
@FAST
@given(data=st.data(), shape=nonscalar_shapes, seed=seeds,
       sizes=st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3)))
def test_concatenate_gradcheck_three_inputs(data, shape, seed, sizes):
    axis = data.draw(int_axis(len(shape)), label="axis")
    inputs = []
    for k, n in enumerate(sizes):
        part = list(shape)
        part[axis] = n
        inputs.append(uniform(seed + k, tuple(part)))
    y = F.concatenate([Tensor(x) for x in inputs], axis=axis)
    np.testing.assert_array_equal(y.numpy(), np.concatenate(inputs, axis=axis))
    assert axon.gradcheck(lambda a, b, c: F.concatenate([a, b, c], axis=axis), *inputs)


def test_concatenate_gradient_blocks():
    a = Tensor(np.zeros((2, 1)), requires_grad=True)
    b = Tensor(np.zeros((2, 2)), requires_grad=True)
    c = Tensor(np.zeros((2, 1)), requires_grad=True)
    g = np.arange(8.0).reshape(2, 4)
    F.concatenate([a, b, c], axis=1).backward(g)
    np.testing.assert_array_equal(a.grad, g[:, :1])
    np.testing.assert_array_equal(b.grad, g[:, 1:3])
    np.testing.assert_array_equal(c.grad, g[:, 3:])


def test_concatenate_with_constant_input_gives_gradient_to_the_others():
    a = Tensor(np.ones(2), requires_grad=True)
    y = F.concatenate([a, Tensor(np.zeros(3))])
    y.backward(np.arange(5.0))
    np.testing.assert_array_equal(a.grad, [0.0, 1.0])


def test_concatenate_of_nothing_is_an_error():
    with pytest.raises(ValueError, match="at least one"):
        F.concatenate([])
