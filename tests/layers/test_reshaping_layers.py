"""Reshape, Flatten, Permute, RepeatVector and Identity: values against NumPy and Keras golden
outputs, shapes with unknown sizes, gradients, configs, masks, errors, and a model that trains."""
from __future__ import annotations

import json
import pathlib

import numpy as np
import pytest
from layer_testing import layer_gradcheck, run_layer_test

import axon
from axon.layers import Flatten, Identity, Permute, RepeatVector, Reshape
from axon.layers.core import Flatten as CoreFlatten

rng = np.random.default_rng(3)


def test_flatten_is_still_importable_from_core():
    assert CoreFlatten is Flatten


@pytest.mark.parametrize(("target", "expected"), [((3, 4), (2, 3, 4)), ((-1, 2), (2, 6, 2)),
                                                  ((2, -1, 3), (2, 2, 2, 3)), ((12,), (2, 12)),
                                                  (12, (2, 12))])
def test_reshape_values_and_output_shape(target, expected):
    x = np.arange(24, dtype="float64").reshape(2, 12)
    layer = run_layer_test(Reshape, {"target_shape": target}, x, expected)
    np.testing.assert_array_equal(layer(x).numpy(), x.reshape(expected))


def test_reshape_compute_output_shape_with_unknown_sizes():
    assert Reshape((3, -1)).compute_output_shape((None, 6)) == (None, 3, 2)
    assert Reshape((3, -1)).compute_output_shape((None, None)) == (None, 3, None)
    assert Reshape((2, 3)).compute_output_shape((8, 3, 2)) == (8, 2, 3)


def test_reshape_gradcheck():
    layer = Reshape((2, -1), dtype="float64")
    assert layer_gradcheck(layer, rng.normal(size=(3, 2, 3)))


def test_reshape_rejects_incompatible_sizes_naming_layer_and_shapes():
    with pytest.raises(ValueError, match=r"'rs'.*\(6,\).*target_shape=\(4, -1\).*divisible by 4"):
        Reshape((4, -1), name="rs")(np.zeros((2, 6)))
    with pytest.raises(ValueError, match=r"'rs2'.*\(6,\).*target_shape=\(5,\)"):
        Reshape((5,), name="rs2")(np.zeros((2, 6)))
    layer = Reshape((3, 2))
    layer(np.zeros((1, 6)))
    assert layer(np.zeros((1, 2, 3))).shape == (1, 3, 2)  # any sample shape of 6 entries
    with pytest.raises(ValueError, match="total size"):
        layer(np.zeros((1, 7)))


@pytest.mark.parametrize("target", [(-1, -1), (0, 3), (2.0,), "3", None, (True, 2)])
def test_reshape_rejects_bad_target_shape(target):
    with pytest.raises(ValueError, match="target_shape"):
        Reshape(target)


def test_flatten_rank1_input_and_gradcheck():
    assert Flatten()(np.zeros(4)).shape == (4, 1)
    assert Flatten().compute_output_shape((None,)) == (None, 1)
    assert Flatten().compute_output_shape((None, None, 3)) == (None, None)
    layer = Flatten(dtype="float64")
    assert layer_gradcheck(layer, rng.normal(size=(2, 3, 2)))
    run_layer_test(Flatten, {}, rng.normal(size=(2, 3, 2)), (2, 6))


# ---- Permute, RepeatVector, Identity ---------------------------------------------------------
GOLDEN = json.loads((pathlib.Path(__file__).parent /
                     "reshaping_pooling_3d_keras_golden.json").read_text())


@pytest.mark.parametrize("case", [c for c in GOLDEN["cases"] if c["layer"] in
                                  ("Permute", "RepeatVector")], ids=lambda c: c["layer"])
def test_matches_keras_golden_outputs(case):
    layer = getattr(axon.layers, case["layer"])(**case["kwargs"], dtype="float64")
    np.testing.assert_array_equal(layer(np.array(case["x"])).numpy(), np.array(case["y"]))


@pytest.mark.parametrize(("dims", "shape"), [((2, 1), (2, 3, 4)), ((1, 2), (2, 3, 4)),
                                             ((3, 1, 2), (2, 3, 4, 5)), ((2, 3, 1), (2, 3, 4, 5)),
                                             ((1,), (2, 3))])
def test_permute_values_shapes_gradients_config(dims, shape):
    x = rng.normal(size=shape)
    expected = np.transpose(x, (0, *dims))
    layer = run_layer_test(Permute, {"dims": dims, "dtype": "float64"}, x, expected.shape,
                           expected_weights=[])
    np.testing.assert_array_equal(layer(x).numpy(), expected)
    assert layer_gradcheck(layer, x)
    assert layer.get_config()["dims"] == dims
    unknown = (None, None, *shape[2:])
    assert layer.compute_output_shape(unknown) == (None, *(unknown[d] for d in dims))


def test_permute_passes_a_mask_on_as_keras():
    mask = np.array([[True, False, True]])
    assert Permute((1, 3, 2)).compute_mask(None, mask) is mask
    assert Permute((2, 1)).compute_mask(None, mask) is mask  # Keras's supports_masking = True


@pytest.mark.parametrize("dims", [(0, 1), (1, 1), (2, 3), (), "12", 2, None, (1.0, 2), (True,)])
def test_permute_rejects_dims_that_are_not_a_permutation(dims):
    with pytest.raises(ValueError, match=r"Permute expects dims to be a permutation.*Received: dims="):
        Permute(dims)


def test_permute_rank_error_names_the_layer():
    with pytest.raises(ValueError, match=r"'perm' \(Permute\) with dims=\(2, 1\) expects an input "
                                         r"of rank 3.*shape=\(None, 3, 4, 5\)"):
        Permute((2, 1), name="perm")(np.zeros((2, 3, 4, 5)))


def test_repeat_vector_values_shapes_gradients_config():
    x = rng.normal(size=(3, 4))
    expected = np.repeat(x[:, None, :], 5, axis=1)
    layer = run_layer_test(RepeatVector, {"n": 5, "dtype": "float64"}, x, (3, 5, 4),
                           expected_weights=[])
    np.testing.assert_array_equal(layer(x).numpy(), expected)
    assert layer.compute_output_shape((None, None)) == (None, 5, None)
    assert layer_gradcheck(layer, x)
    tensor = axon.Tensor(x, requires_grad=True)
    layer(tensor).sum().backward()
    np.testing.assert_array_equal(tensor.grad, np.full((3, 4), 5.0))  # summed over the copies
    assert layer.get_config()["n"] == 5


@pytest.mark.parametrize("n", [0, -2, 2.5, True, "3", None])
def test_repeat_vector_rejects_a_bad_n(n):
    with pytest.raises(ValueError, match=r"RepeatVector expects n to be a positive integer. "
                                         r"Received: n="):
        RepeatVector(n)


def test_repeat_vector_rank_error_names_the_layer():
    with pytest.raises(ValueError, match=r"'rep' \(RepeatVector\) expects an input of rank 2"):
        RepeatVector(2, name="rep")(np.zeros((2, 3, 4)))


def test_identity_passes_input_and_mask_on_unchanged():
    x = rng.normal(size=(2, 3, 4))
    layer = run_layer_test(Identity, {"dtype": "float64"}, x, x.shape, expected_weights=[])
    np.testing.assert_array_equal(layer(x).numpy(), x)
    assert layer.compute_output_shape((None, None, 4)) == (None, None, 4)
    assert layer_gradcheck(layer, x)
    mask = np.array([[True, False, True]] * 2)
    assert layer.compute_mask(x, mask) is mask
    with pytest.raises(ValueError, match=r"\(Identity\) expects a single input"):
        Identity()([x, x])


def test_sequential_model_with_permute_repeat_vector_identity_trains():
    axon.utils.set_random_seed(0)
    model = axon.Sequential([axon.Input((3, 4)), Permute((2, 1)), Flatten(), axon.layers.Dense(5),
                             RepeatVector(2), Identity(), Flatten(), axon.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    data = np.random.default_rng(0)
    x, y = data.standard_normal((32, 3, 4)), data.standard_normal((32, 1))
    history = model.fit(x, y, epochs=5, batch_size=8, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert model.predict(x, verbose=0).shape == (32, 1)
