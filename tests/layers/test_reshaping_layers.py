"""Reshape and Flatten."""
from __future__ import annotations

import numpy as np
import pytest
from layer_testing import layer_gradcheck, run_layer_test

from axon.layers import Flatten, Reshape
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
