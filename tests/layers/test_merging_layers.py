"""Merging layers: values against NumPy, broadcasting, gradients, shape errors, configs."""
from __future__ import annotations

import numpy as np
import pytest
from layer_testing import layer_gradcheck, run_layer_test

import axon
from axon.layers import Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply, Subtract

rng = np.random.default_rng(9)

ELEMENTWISE = [(Add, lambda xs: xs[0] + xs[1] + xs[2]), (Multiply, lambda xs: xs[0] * xs[1] * xs[2]),
               (Average, lambda xs: (xs[0] + xs[1] + xs[2]) / 3),
               (Maximum, lambda xs: np.maximum(np.maximum(xs[0], xs[1]), xs[2])),
               (Minimum, lambda xs: np.minimum(np.minimum(xs[0], xs[1]), xs[2]))]


@pytest.mark.parametrize(("cls", "reference"), ELEMENTWISE, ids=lambda v: getattr(v, "__name__", ""))
def test_elementwise_merge_values_and_roundtrip(cls, reference):
    xs = [rng.normal(size=(4, 3)) for _ in range(3)]
    layer = run_layer_test(cls, {}, xs, (4, 3), [])
    np.testing.assert_allclose(layer(xs).numpy(), reference(xs), rtol=1e-12)


@pytest.mark.parametrize(("cls", "reference"), ELEMENTWISE, ids=lambda v: getattr(v, "__name__", ""))
def test_elementwise_merge_gradcheck_with_broadcasting(cls, reference):
    layer = cls(dtype="float64")
    xs = [rng.uniform(-2, 2, size=(3, 4)), rng.uniform(-2, 2, size=(3, 1)), rng.uniform(-2, 2, size=(3, 4))]
    assert layer(xs).shape == (3, 4)
    np.testing.assert_allclose(layer(xs).numpy(), reference(xs), rtol=1e-12)
    assert layer_gradcheck(layer, *xs, multi=True)


def test_subtract_values_gradcheck_and_exactly_two_inputs():
    a, b = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    np.testing.assert_allclose(Subtract()([a, b]).numpy(), a - b)
    assert layer_gradcheck(Subtract(dtype="float64"), a, b, multi=True)
    with pytest.raises(ValueError, match=r"'sub3' \(Subtract\).*exactly 2.*3 input\(s\).*\(None, 3\)"):
        Subtract(name="sub3")([a, b, b])


def test_merge_shape_mismatch_names_layer_and_every_shape():
    shapes = r"\(None, 3\), \(None, 4\), \(None, 3\)"
    with pytest.raises(ValueError, match=r"'plus' \(Add\).*incompatible.*" + shapes):
        Add(name="plus")([np.zeros((2, 3)), np.zeros((2, 4)), np.zeros((2, 3))])
    with pytest.raises(ValueError, match="list of inputs"):
        Add()(np.zeros((2, 3)))
    layer = Multiply(name="times")
    layer([np.zeros((2, 3)), np.zeros((2, 3))])
    with pytest.raises(ValueError, match="'times' expects 2 inputs"):
        layer([np.zeros((2, 3))] * 3)


def test_merge_compute_output_shape_with_unknown_and_broadcast_sizes():
    assert Add().compute_output_shape([(None, 3), (None, 1)]) == (None, 3)
    assert Add().compute_output_shape([(None, None), (None, 3)]) == (None, None)
    assert Add().compute_output_shape([(None, 2, 3), (None, 3)]) == (None, 2, 3)
    assert Maximum().compute_output_shape([(None, 5)]) == (None, 5)
    a, b = rng.normal(size=(2, 4, 3)), rng.normal(size=(2, 3))  # b is expanded at axis 1, as Keras
    np.testing.assert_allclose(Add()([a, b]).numpy(), a + b[:, None, :])
    assert layer_gradcheck(Multiply(dtype="float64"), a, b, multi=True)


def test_concatenate_values_gradcheck_and_shapes():
    a, b = rng.normal(size=(2, 3, 1)), rng.normal(size=(2, 3, 4))
    layer = run_layer_test(Concatenate, {}, [a, b], (2, 3, 5), [])
    np.testing.assert_array_equal(layer([a, b]).numpy(), np.concatenate([a, b], axis=-1))
    assert layer_gradcheck(Concatenate(dtype="float64"), a, b, multi=True)
    c = rng.normal(size=(2, 2, 4))
    np.testing.assert_array_equal(Concatenate(axis=1)([b, c]).numpy(), np.concatenate([b, c], 1))
    assert layer_gradcheck(Concatenate(axis=1, dtype="float64"), b, c, multi=True)
    assert Concatenate(axis=1).compute_output_shape([(None, None, 4), (None, 2, 4)]) == (None, None, 4)
    assert Concatenate().get_config()["axis"] == -1 and Concatenate(axis=2).get_config()["axis"] == 2


def test_concatenate_errors_name_layer_axis_and_shapes():
    with pytest.raises(ValueError, match=r"'cat'.*axis 1 differs.*axis=-1.*\(None, 3, 1\), \(None, 2, 4\)"):
        Concatenate(name="cat")([np.zeros((2, 3, 1)), np.zeros((2, 2, 4))])
    with pytest.raises(ValueError, match=r"'cat0'.*batch axis.*axis=0"):
        Concatenate(axis=0, name="cat0")([np.zeros((2, 3)), np.zeros((2, 3))])
    with pytest.raises(ValueError, match="same rank"):
        Concatenate()([np.zeros((2, 3)), np.zeros((2, 3, 1))])
    with pytest.raises(ValueError, match="axis"):
        Concatenate(axis="last")


@pytest.mark.parametrize(("axes", "shape_a", "shape_b", "expected"), [
    (1, (2, 3), (2, 3), (2, 1)), ((2, 1), (2, 4, 3), (2, 3, 5), (2, 4, 5)),
    (2, (2, 4, 3), (2, 5, 3), (2, 4, 5)), (1, (2, 4, 3), (2, 4), (2, 3)),
    ((-1, 1), (2, 4, 3), (2, 3, 2), (2, 4, 2))])  # output shapes as Keras 3's Dot gives them
def test_dot_matches_einsum_and_gradcheck(axes, shape_a, shape_b, expected):
    a, b = rng.normal(size=shape_a), rng.normal(size=shape_b)
    layer = Dot(axes=axes, dtype="float64")
    y = layer([a, b])
    assert y.shape == expected
    symbolic = [(None,) + shape_a[1:], (None,) + shape_b[1:]]
    assert layer.compute_output_shape(symbolic) == (None,) + expected[1:]
    i, j = (axes, axes) if isinstance(axes, int) else axes
    i, j = i % len(shape_a), j % len(shape_b)
    reference = np.stack([np.tensordot(a[n], b[n], axes=(i - 1, j - 1)) for n in range(2)])
    np.testing.assert_allclose(y.numpy(), reference.reshape(expected), rtol=1e-12)
    assert layer_gradcheck(layer, a, b, multi=True)


def test_dot_normalize_gives_cosine_similarity():
    a, b = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    layer = Dot(axes=-1, normalize=True, dtype="float64")
    expected = (a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)
    np.testing.assert_allclose(layer([a, b]).numpy()[:, 0], expected, rtol=1e-12)
    assert layer_gradcheck(layer, a, b, multi=True)
    zero = Dot(axes=1, normalize=True)([np.zeros((1, 2)), np.ones((1, 2))])
    np.testing.assert_array_equal(zero.numpy(), [[0.0]])


def test_dot_errors_and_config():
    with pytest.raises(ValueError, match=r"'dt'.*dot axes \(3 != 4\).*\(None, 3\), \(None, 4\)"):
        Dot(axes=1, name="dt")([np.zeros((2, 3)), np.zeros((2, 4))])
    with pytest.raises(ValueError, match="batch axis"):
        Dot(axes=0)([np.zeros((2, 3)), np.zeros((2, 3))])
    with pytest.raises(ValueError, match="axes"):
        Dot(axes=(1, 2, 3))
    config = Dot(axes=(1, 2), normalize=True).get_config()
    assert config["axes"] == (1, 2) and config["normalize"] is True
    assert Dot.from_config(config).get_config() == config


def test_merge_layers_in_a_functional_graph():
    a, b = axon.Input((3,)), axon.Input((3,))
    assert Add()([a, b]).shape == (None, 3)
    assert Concatenate()([a, b]).shape == (None, 6)
    assert Dot(axes=1)([a, b]).shape == (None, 1)
    with pytest.raises(ValueError, match="incompatible"):
        Add()([a, axon.Input((4,))])
