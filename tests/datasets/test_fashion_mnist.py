"""Tests for axon.datasets.fashion_mnist on the real files in ../shared/datasets."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from axon.datasets import fashion_mnist


@pytest.fixture(scope="module")
def fashion_data(shared_datasets: Path) -> tuple:
    return fashion_mnist.load_data(path=shared_datasets / "fashion-mnist")


def test_shapes_and_dtypes(fashion_data: tuple) -> None:
    (x_train, y_train), (x_test, y_test) = fashion_data
    assert x_train.shape == (60000, 28, 28)
    assert y_train.shape == (60000,)
    assert x_test.shape == (10000, 28, 28)
    assert y_test.shape == (10000,)
    for array in (x_train, y_train, x_test, y_test):
        assert array.dtype == np.uint8


def test_known_values(fashion_data: tuple) -> None:
    (x_train, y_train), (x_test, y_test) = fashion_data
    np.testing.assert_array_equal(y_train[:5], [9, 0, 0, 3, 0])
    np.testing.assert_array_equal(y_test[:5], [9, 2, 1, 1, 6])
    assert int(x_train[0].sum()) == 76247
    assert int(x_test[0].sum()) == 33456
    assert [fashion_mnist.CLASS_NAMES[i] for i in y_train[:3]] == [
        "Ankle boot", "T-shirt/top", "T-shirt/top",
    ]


def test_classes_are_balanced(fashion_data: tuple) -> None:
    (_, y_train), (_, y_test) = fashion_data
    assert len(fashion_mnist.CLASS_NAMES) == 10
    np.testing.assert_array_equal(np.bincount(y_train), [6000] * 10)
    np.testing.assert_array_equal(np.bincount(y_test), [1000] * 10)


def test_axon_data_dir(
    shared_datasets: Path, fashion_data: tuple, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AXON_DATA_DIR", str(shared_datasets))
    (x_train, _), (_, y_test) = fashion_mnist.load_data()
    np.testing.assert_array_equal(x_train, fashion_data[0][0])
    np.testing.assert_array_equal(y_test, fashion_data[1][1])


def test_download_checksums_match_the_real_files(
    shared_datasets: Path,
    fashion_data: tuple,
    isolated_environment: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mirror = (shared_datasets / "fashion-mnist").as_uri() + "/"  # read only, never written
    monkeypatch.setattr(fashion_mnist, "_MIRRORS", [mirror])
    (_, y_train), _ = fashion_mnist.load_data()
    np.testing.assert_array_equal(y_train, fashion_data[0][1])
    assert len(list((isolated_environment / "fashion-mnist").iterdir())) == 4
