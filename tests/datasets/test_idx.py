"""Tests for the IDX reader: round trips and clear errors on corrupt files."""
from __future__ import annotations

import gzip
import struct
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from axon.datasets import IDXFormatError, read_idx
from axon.datasets._idx import TEST_IMAGES, TEST_LABELS, TRAIN_IMAGES, TRAIN_LABELS, load_splits

FILE_NAMES = (TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS)


@pytest.mark.parametrize("shape", [(5,), (3, 4, 2), (0, 28, 28)])
def test_read_idx_round_trips_uint8(
    tmp_path: Path, shape: tuple[int, ...], idx_bytes: Callable, write_gz: Callable
) -> None:
    array = np.arange(int(np.prod(shape)), dtype=np.uint8).reshape(shape)
    write_gz(tmp_path / "a.gz", idx_bytes(array))
    out = read_idx(tmp_path / "a.gz")
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out, array)
    out[...] = 0  # the result is writable


@pytest.mark.parametrize(
    ("code", "dtype"), [(0x09, ">i1"), (0x0B, ">i2"), (0x0C, ">i4"), (0x0D, ">f4"), (0x0E, ">f8")]
)
def test_read_idx_other_types_come_back_native(tmp_path: Path, code: int, dtype: str) -> None:
    array = np.array([[-3, 1], [2, 7]], dtype=dtype)
    header = bytes([0, 0, code, 2]) + struct.pack(">2I", 2, 2)
    (tmp_path / "raw").write_bytes(header + array.tobytes())
    out = read_idx(str(tmp_path / "raw"))  # not gzip: read as is
    assert out.dtype == np.dtype(dtype).newbyteorder("=")
    np.testing.assert_array_equal(out, array)


def test_bad_magic_names_the_file(tmp_path: Path, write_gz: Callable) -> None:
    write_gz(tmp_path / "bad.gz", b"\x12\x34\x08\x01" + b"\x00" * 8)
    with pytest.raises(IDXFormatError, match=r"bad\.gz is not an IDX file.*0x12340801"):
        read_idx(tmp_path / "bad.gz")


def test_empty_file(tmp_path: Path, write_gz: Callable) -> None:
    write_gz(tmp_path / "empty.gz", b"")
    with pytest.raises(IDXFormatError, match=r"empty\.gz is not an IDX file"):
        read_idx(tmp_path / "empty.gz")


def test_truncated_header(tmp_path: Path, write_gz: Callable) -> None:
    write_gz(tmp_path / "short.gz", bytes([0, 0, 8, 3, 0, 0]))
    with pytest.raises(IDXFormatError, match=r"short\.gz is truncated.*3 dimensions"):
        read_idx(tmp_path / "short.gz")


def test_truncated_data(tmp_path: Path, idx_bytes: Callable, write_gz: Callable) -> None:
    content = idx_bytes(np.zeros((4, 28, 28)))
    write_gz(tmp_path / "cut.gz", content[:-100])
    with pytest.raises(IDXFormatError, match=r"cut\.gz is truncated.*\(4, 28, 28\)"):
        read_idx(tmp_path / "cut.gz")


def test_trailing_data(tmp_path: Path, idx_bytes: Callable, write_gz: Callable) -> None:
    write_gz(tmp_path / "long.gz", idx_bytes(np.zeros(3)) + b"xyz")
    with pytest.raises(IDXFormatError, match=r"long\.gz has 3 bytes after the data"):
        read_idx(tmp_path / "long.gz")


def test_truncated_gzip_stream(tmp_path: Path, idx_bytes: Callable, write_gz: Callable) -> None:
    write_gz(tmp_path / "ok.gz", idx_bytes(np.arange(5000) % 256))
    data = (tmp_path / "ok.gz").read_bytes()
    (tmp_path / "half.gz").write_bytes(data[: len(data) // 2])
    with pytest.raises(IDXFormatError, match=r"half\.gz is not a valid gzip file"):
        read_idx(tmp_path / "half.gz")


def test_not_gzip_at_all(tmp_path: Path) -> None:
    (tmp_path / "page.gz").write_bytes(b"<html>404 Not Found</html>")
    with pytest.raises(IDXFormatError, match=r"page\.gz is not a valid gzip file"):
        read_idx(tmp_path / "page.gz")


def test_absurd_shape_is_reported_not_allocated(tmp_path: Path, write_gz: Callable) -> None:
    header = bytes([0, 0, 8, 3]) + struct.pack(">3I", 2**32 - 1, 2**32 - 1, 2**32 - 1)
    write_gz(tmp_path / "huge.gz", header)
    with pytest.raises(IDXFormatError, match=r"huge\.gz"):
        read_idx(tmp_path / "huge.gz")


def test_missing_file_is_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_idx(tmp_path / "nope.gz")


def _write_splits(
    folder: Path, idx_bytes: Callable, write_gz: Callable, n_train_labels: int = 3,
    image_ndim: int = 3,
) -> dict[str, Path]:
    image_shape = (3, 28, 28) if image_ndim == 3 else (3, 784)
    arrays = [np.zeros(image_shape), np.zeros(n_train_labels), np.zeros((2, 28, 28)), np.zeros(2)]
    for name, array in zip(FILE_NAMES, arrays, strict=True):
        write_gz(folder / name, idx_bytes(array))
    return {name: folder / name for name in FILE_NAMES}


def test_load_splits_shapes(tmp_path: Path, idx_bytes: Callable, write_gz: Callable) -> None:
    (x, y), (x_test, y_test) = load_splits(_write_splits(tmp_path, idx_bytes, write_gz))
    assert (x.shape, y.shape, x_test.shape, y_test.shape) == ((3, 28, 28), (3,), (2, 28, 28), (2,))


def test_load_splits_count_mismatch(
    tmp_path: Path, idx_bytes: Callable, write_gz: Callable
) -> None:
    with pytest.raises(IDXFormatError, match=r"3 images but .*train-labels.* 4 labels"):
        load_splits(_write_splits(tmp_path, idx_bytes, write_gz, n_train_labels=4))


def test_load_splits_wrong_rank(tmp_path: Path, idx_bytes: Callable, write_gz: Callable) -> None:
    with pytest.raises(IDXFormatError, match=r"train-images.*3 dimensions.*\(3, 784\)"):
        load_splits(_write_splits(tmp_path, idx_bytes, write_gz, image_ndim=2))


def test_load_splits_wrong_type(tmp_path: Path, idx_bytes: Callable, write_gz: Callable) -> None:
    files = _write_splits(tmp_path, idx_bytes, write_gz)
    labels = np.zeros(3, dtype=">i4")
    with gzip.open(files[FILE_NAMES[1]], "wb") as f:
        f.write(bytes([0, 0, 0x0C, 1]) + struct.pack(">I", 3) + labels.tobytes())
    with pytest.raises(IDXFormatError, match=r"train-labels.*uint8.*int32"):
        load_splits(files)
