"""Tests for axon.datasets.digits (the embedded 8x8 UCI digits)."""
from __future__ import annotations

import numpy as np
import pytest

from axon.datasets import digits


def _all_rows(split: tuple) -> np.ndarray:
    """Each sample as one row of 64 pixels and its label, sorted, to compare sets of samples."""
    (x_train, y_train), (x_test, y_test) = split
    x = np.concatenate([x_train, x_test]).reshape(-1, 64)
    y = np.concatenate([y_train, y_test])
    rows = np.column_stack([x, y])
    return rows[np.lexsort(rows.T[::-1])]


def test_shapes_dtypes_and_ranges() -> None:
    (x_train, y_train), (x_test, y_test) = digits.load_data()
    assert x_train.shape == (1438, 8, 8) and y_train.shape == (1438,)
    assert x_test.shape == (359, 8, 8) and y_test.shape == (359,)
    assert len(y_train) + len(y_test) == 1797 == digits.NUM_SAMPLES
    for array in (x_train, y_train, x_test, y_test):
        assert array.dtype == np.uint8
    assert int(max(x_train.max(), x_test.max())) == 16
    assert set(y_train.tolist()) == set(y_test.tolist()) == set(range(10))


def test_every_sample_appears_exactly_once() -> None:
    rows = _all_rows(digits.load_data(test_split=0.3, seed=1))
    np.testing.assert_array_equal(rows, _all_rows(digits.load_data(test_split=0.0)))
    np.testing.assert_array_equal(np.bincount(rows[:, -1]),
                                  [178, 182, 177, 183, 181, 182, 181, 179, 174, 180])


def test_first_sample_of_the_file_is_a_zero() -> None:
    (x, y), (x_test, _) = digits.load_data(test_split=0.0)
    assert x_test.shape == (0, 8, 8)
    first = np.array([0, 0, 5, 13, 9, 1, 0, 0], dtype=np.uint8)
    matches = np.flatnonzero((x[:, 0] == first).all(axis=1) & (x[:, 1, 2] == 13))
    assert len(matches) >= 1 and set(y[matches].tolist()) == {0}


def test_split_is_deterministic() -> None:
    first, second = digits.load_data(), digits.load_data()
    for a, b in zip(first[0] + first[1], second[0] + second[1], strict=True):
        np.testing.assert_array_equal(a, b)


def test_seed_changes_the_split() -> None:
    (_, y_a), _ = digits.load_data(seed=0)
    (_, y_b), _ = digits.load_data(seed=1)
    assert not np.array_equal(y_a, y_b)


@pytest.mark.parametrize("test_split", [0.1, 0.25, 0.5])
def test_split_is_stratified(test_split: float) -> None:
    (_, y_train), (_, y_test) = digits.load_data(test_split=test_split)
    total = np.bincount(np.concatenate([y_train, y_test]))
    np.testing.assert_array_equal(np.bincount(y_test), np.floor(test_split * total + 0.5))


@pytest.mark.parametrize(
    ("kwargs", "error", "pattern"),
    [
        ({"test_split": 1.0}, ValueError, r"test_split to be in \[0, 1\). Received: test_split=1"),
        ({"test_split": -0.1}, ValueError, r"Received: test_split=-0.1"),
        ({"test_split": "0.2"}, TypeError, r"Received: test_split='0.2' of type str"),
        ({"test_split": True}, TypeError, r"Received: test_split=True of type bool"),
        ({"seed": -1}, ValueError, r"seed to be a non-negative int. Received: seed=-1"),
        ({"seed": 1.5}, TypeError, r"Received: seed=1.5 of type float"),
    ],
)
def test_invalid_arguments(kwargs: dict, error: type, pattern: str) -> None:
    with pytest.raises(error, match=pattern):
        digits.load_data(**kwargs)


def test_accepts_numpy_scalars() -> None:
    (_, y_train), _ = digits.load_data(test_split=np.float32(0.2), seed=np.int64(113))
    (_, y_default), _ = digits.load_data()
    np.testing.assert_array_equal(y_train, y_default)
