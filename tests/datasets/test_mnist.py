"""Tests for axon.datasets.mnist on the real files in ../shared/datasets (never the network)."""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from axon.datasets import _files, mnist


@pytest.fixture(scope="module")
def mnist_data(shared_datasets: Path) -> tuple:
    return mnist.load_data(path=shared_datasets / "mnist")


def test_shapes_and_dtypes(mnist_data: tuple) -> None:
    (x_train, y_train), (x_test, y_test) = mnist_data
    assert x_train.shape == (60000, 28, 28)
    assert y_train.shape == (60000,)
    assert x_test.shape == (10000, 28, 28)
    assert y_test.shape == (10000,)
    for array in (x_train, y_train, x_test, y_test):
        assert array.dtype == np.uint8


def test_known_values(mnist_data: tuple) -> None:
    (x_train, y_train), (x_test, y_test) = mnist_data
    np.testing.assert_array_equal(y_train[:5], [5, 0, 4, 1, 9])
    np.testing.assert_array_equal(y_test[:5], [7, 2, 1, 0, 4])
    np.testing.assert_array_equal(x_train[0, 14, 10:18], [0, 0, 0, 81, 240, 253, 253, 119])
    assert int(x_train[0].sum()) == 27525
    assert int(x_test[0].sum()) == 18454
    assert (x_train.min(), x_train.max()) == (0, 255)


def test_label_counts(mnist_data: tuple) -> None:
    (_, y_train), (_, y_test) = mnist_data
    np.testing.assert_array_equal(
        np.bincount(y_train), [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    )
    np.testing.assert_array_equal(
        np.bincount(y_test), [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    )


def test_path_accepts_str(shared_datasets: Path, mnist_data: tuple) -> None:
    (_, y_train), _ = mnist.load_data(path=str(shared_datasets / "mnist"))
    np.testing.assert_array_equal(y_train, mnist_data[0][1])


def test_axon_data_dir(
    shared_datasets: Path, mnist_data: tuple, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AXON_DATA_DIR", str(shared_datasets))
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    np.testing.assert_array_equal(x_train, mnist_data[0][0])
    np.testing.assert_array_equal(y_test, mnist_data[1][1])


def test_download_verifies_and_caches(
    shared_datasets: Path,
    mnist_data: tuple,
    isolated_environment: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    mirror = tmp_path / "mirror"
    shutil.copytree(shared_datasets / "mnist", mirror)
    dead = (tmp_path / "no-such-mirror").as_uri() + "/"
    monkeypatch.setattr(mnist, "_MIRRORS", [dead, mirror.as_uri() + "/"])

    (x_train, y_train), (x_test, y_test) = mnist.load_data()

    np.testing.assert_array_equal(x_train, mnist_data[0][0])
    np.testing.assert_array_equal(y_test, mnist_data[1][1])
    cached = isolated_environment / "mnist"
    assert sorted(p.name for p in cached.iterdir()) == sorted(mnist._SHA256)

    def no_fetch(url: str, dest: Path) -> None:
        raise AssertionError(f"should have used the cache, fetched {url}")

    monkeypatch.setattr(_files, "_fetch", no_fetch)
    (_, y_again), _ = mnist.load_data()
    np.testing.assert_array_equal(y_again, y_train)
