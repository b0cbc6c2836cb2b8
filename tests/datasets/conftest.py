"""Fixtures for the dataset tests: an isolated cache, no network, tiny IDX datasets."""
from __future__ import annotations

import gzip
import hashlib
import struct
import urllib.error
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from axon.datasets import _files

FILE_NAMES = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Point the cache at a temporary folder, unset AXON_DATA_DIR and forbid the network.

    ``_fetch`` still serves ``file://`` URLs, which the download tests use as mirrors.
    Returns the cache root (``cache_dir()``).
    """
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.delenv("AXON_DATA_DIR", raising=False)
    real_fetch = _files._fetch

    def fetch_local_only(url: str, dest: Path) -> None:
        if not url.startswith("file:"):
            raise urllib.error.URLError(f"network disabled in tests (asked for {url})")
        real_fetch(url, dest)

    monkeypatch.setattr(_files, "_fetch", fetch_local_only)
    return tmp_path / "xdg-cache" / "axon" / "datasets"


def _idx_bytes(array: np.ndarray) -> bytes:
    array = np.asarray(array, dtype=np.uint8)
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.tobytes()


def _write_gz(file: Path, content: bytes) -> None:
    file.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(file, "wb") as stream:
        stream.write(content)


@pytest.fixture
def idx_bytes() -> Callable[[np.ndarray], bytes]:
    """``idx_bytes(array)``: the (uncompressed) IDX encoding of an array, as uint8."""
    return _idx_bytes


@pytest.fixture
def write_gz() -> Callable[[Path, bytes], None]:
    """``write_gz(file, content)``: write ``content`` gzip-compressed, creating folders."""
    return _write_gz


@pytest.fixture
def make_dataset() -> Callable[..., dict[str, str]]:
    """Factory writing a tiny MNIST-shaped dataset (4 files) into a folder.

    ``make_dataset(folder, marker)`` gives 3 training and 2 test images of 28x28; every label
    equals ``marker`` so tests can tell which folder a load came from. Returns the SHA-256 of
    each decompressed file, keyed by file name (a drop-in for a loader's ``_SHA256``).
    """

    def make(folder: Path, marker: int = 1) -> dict[str, str]:
        rng = np.random.default_rng(marker)
        contents = {
            FILE_NAMES[0]: _idx_bytes(rng.integers(0, 256, (3, 28, 28))),
            FILE_NAMES[1]: _idx_bytes(np.full(3, marker)),
            FILE_NAMES[2]: _idx_bytes(rng.integers(0, 256, (2, 28, 28))),
            FILE_NAMES[3]: _idx_bytes(np.full(2, marker)),
        }
        for name, content in contents.items():
            _write_gz(folder / name, content)
        return {name: hashlib.sha256(content).hexdigest() for name, content in contents.items()}

    return make
