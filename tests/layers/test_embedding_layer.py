"""Embedding: lookup values, scatter-add gradient, integer inputs, range errors, config."""
from __future__ import annotations

import numpy as np
import pytest
from layer_testing import layer_gradcheck, run_layer_test

import axon
from axon.layers import Embedding

rng = np.random.default_rng(5)


def test_embedding_lookup_matches_numpy_indexing():
    layer = Embedding(6, 3, dtype="float64")
    indices = np.array([[0, 5, 2], [2, 2, 1]])
    y = layer(indices)
    table = layer.get_weights()[0]
    assert y.shape == (2, 3, 3) and y.dtype == np.float64
    np.testing.assert_array_equal(y.numpy(), table[indices])


def test_embedding_gradient_is_a_scatter_add_over_repeated_indices():
    layer = Embedding(5, 2, dtype="float64")
    indices = np.array([[1, 3, 1], [1, 0, 3]])
    y = layer(indices)
    g = rng.normal(size=y.shape)
    (y * axon.Tensor(g)).sum().backward()
    expected = np.zeros((5, 2))
    np.add.at(expected, indices, g)
    np.testing.assert_allclose(layer.embeddings.grad, expected, rtol=1e-12)
    assert np.all(layer.embeddings.grad[[2, 4]] == 0)  # rows never looked up


def test_embedding_gradcheck_wrt_the_table():
    layer = Embedding(4, 3, dtype="float64")
    layer(np.zeros((1, 2), dtype=int))
    assert layer_gradcheck(layer, np.array([[0, 3, 3], [2, 0, 3]]))


def test_embedding_keeps_integer_inputs_and_accepts_whole_floats():
    layer = Embedding(10, 2, embeddings_initializer="ones")
    assert layer._convert_input(np.array([1, 2], dtype=np.int32)).dtype == np.int32
    np.testing.assert_array_equal(layer(np.array([[1.0, 9.0]])).numpy(), np.ones((1, 2, 2)))
    with pytest.raises(TypeError, match=r"'.*' \(Embedding\) expects integer indices.*non-integer"):
        layer(np.array([[1.5]]))
    with pytest.raises(TypeError, match="integer indices"):
        layer(np.array([["a"]]))


@pytest.mark.parametrize("bad", [10, 12, -1])
def test_embedding_out_of_range_names_layer_input_dim_and_value(bad):
    layer = Embedding(10, 2, name="words")
    with pytest.raises(ValueError, match=rf"'words'.*index {bad}.*input_dim=10"):
        layer(np.array([[0, bad, 3]]))


def test_embedding_weights_config_and_any_input_shape():
    layer = run_layer_test(Embedding, {"input_dim": 7, "output_dim": 4, "mask_zero": True},
                           np.array([[1, 2, 0], [6, 5, 4]]), (2, 3, 4), [("embeddings", (7, 4), True)])
    config = layer.get_config()
    assert config["embeddings_initializer"]["class_name"] == "RandomUniform"
    assert config["embeddings_initializer"]["config"]["minval"] == -0.05
    assert config["mask_zero"] is True and config["embeddings_regularizer"] is None
    assert layer(np.array([[1, 2, 3, 4, 5]])).shape == (1, 5, 4)  # other lengths are fine
    assert layer(np.array([3, 1])).shape == (2, 4)
    assert layer.compute_output_shape((None, None)) == (None, None, 4)


def test_embedding_mask_zero_and_initial_range():
    layer = Embedding(50, 8, mask_zero=True)
    np.testing.assert_array_equal(layer.compute_mask(np.array([[0, 3, 0]])), [[False, True, False]])
    assert Embedding(5, 2).compute_mask(np.array([[0]])) is None
    layer(np.array([[1]]))
    table = layer.get_weights()[0]
    assert table.dtype == np.float32 and np.all(np.abs(table) <= 0.05) and table.std() > 0.01


def test_embedding_regularizer_and_input_length_warning():
    with pytest.warns(UserWarning, match="input_length"):
        layer = Embedding(3, 2, input_length=5, embeddings_regularizer="l2",
                          embeddings_initializer="ones")
    layer(np.array([[0]]))
    np.testing.assert_allclose(float(layer.losses[0].item()), 0.01 * 6)
    assert "input_length" not in layer.get_config()


@pytest.mark.parametrize(("kwargs", "argument"), [
    ({"input_dim": 0, "output_dim": 2}, "input_dim"), ({"input_dim": 3, "output_dim": 2.0}, "output_dim"),
    ({"input_dim": 3, "output_dim": 2, "mask_zero": 1}, "mask_zero")])
def test_embedding_rejects_bad_config(kwargs, argument):
    with pytest.raises(ValueError, match=argument):
        Embedding(**kwargs)
