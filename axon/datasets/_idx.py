"""Reader for the IDX format of MNIST-style datasets.

An IDX file is a big-endian header followed by the raw array:

    bytes 0-1   zero
    byte  2     type code (0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32,
                0x0E float64)
    byte  3     number of dimensions n
    4 * n       the size of each dimension, big-endian uint32
    ...         the data, C order, big-endian

So MNIST's images have the magic number 0x00000803 (uint8, 3 dimensions) and its labels
0x00000801 (uint8, 1 dimension). Files ending in ``.gz`` are decompressed on the fly.
"""
from __future__ import annotations

import gzip
import os
import struct
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import BinaryIO

import numpy as np

Split = tuple[np.ndarray, np.ndarray]

_DTYPES = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}

TRAIN_IMAGES = "train-images-idx3-ubyte.gz"
TRAIN_LABELS = "train-labels-idx1-ubyte.gz"
TEST_IMAGES = "t10k-images-idx3-ubyte.gz"
TEST_LABELS = "t10k-labels-idx1-ubyte.gz"


class IDXFormatError(ValueError):
    """A file is not a valid IDX file (bad magic number, truncated, corrupt gzip)."""


def read_idx(file: str | os.PathLike[str]) -> np.ndarray:
    """Read one IDX file (optionally gzip-compressed) into a NumPy array.

    Args:
        file: Path of the file. Names ending in ``.gz`` are decompressed.

    Returns:
        A writable array with the shape and type the header declares, in native byte order.

    Raises:
        FileNotFoundError: If ``file`` does not exist.
        IDXFormatError: If the file is not valid gzip, has a bad magic number, or holds fewer or
            more bytes than its header declares. The message names the file.

    Example:
        >>> import gzip, os, tempfile
        >>> folder = tempfile.mkdtemp()
        >>> name = os.path.join(folder, "labels-idx1-ubyte.gz")
        >>> with gzip.open(name, "wb") as f:
        ...     _ = f.write(bytes([0, 0, 8, 1, 0, 0, 0, 3, 7, 2, 1]))
        >>> read_idx(name)
        array([7, 2, 1], dtype=uint8)
    """
    file = Path(file)
    if file.name.endswith(".gz"):
        try:
            with gzip.open(file, "rb") as stream:
                return _read_stream(stream, file)
        except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
            raise IDXFormatError(
                f"{file} is not a valid gzip file ({exc}); it is probably truncated or "
                "corrupt. Delete it and provide a fresh copy."
            ) from exc
    with open(file, "rb") as stream:
        return _read_stream(stream, file)


def _read_stream(stream: BinaryIO, file: Path) -> np.ndarray:
    """Parse an IDX header and read the data that follows it into a fresh array."""
    magic = stream.read(4)
    if len(magic) < 4 or magic[0] != 0 or magic[1] != 0 or magic[2] not in _DTYPES:
        raise IDXFormatError(
            f"{file} is not an IDX file: expected a magic number 0x0000TTNN (TT a type code "
            f"among {', '.join(f'0x{c:02X}' for c in _DTYPES)}, NN the number of dimensions); "
            f"received 0x{magic.hex().upper() or 'EMPTY'}."
        )
    ndim = magic[3]
    dims_bytes = stream.read(4 * ndim)
    if len(dims_bytes) < 4 * ndim:
        raise IDXFormatError(
            f"{file} is truncated: its header declares {ndim} dimensions but ends after "
            f"{4 + len(dims_bytes)} bytes."
        )
    shape = struct.unpack(f">{ndim}I", dims_bytes)
    dtype = _DTYPES[magic[2]]
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    try:
        out = np.empty(shape, dtype=dtype)
    except (MemoryError, ValueError) as exc:
        raise IDXFormatError(
            f"{file} declares shape {shape} ({expected} bytes of data), which cannot be "
            "allocated; the header is probably corrupt."
        ) from exc
    view = memoryview(out.reshape(-1).view(np.uint8))
    filled = 0
    while filled < expected:
        n = stream.readinto(view[filled:])
        if not n:
            break
        filled += n
    if filled < expected:
        raise IDXFormatError(
            f"{file} is truncated: its header declares shape {shape} ({expected} bytes of "
            f"data) but the file holds only {filled} bytes of data."
        )
    extra = len(stream.read())
    if extra:
        raise IDXFormatError(
            f"{file} has {extra} bytes after the data its header declares (shape {shape}, "
            f"{expected} bytes); the file is probably corrupt."
        )
    if dtype.byteorder == ">":
        out = out.astype(dtype.newbyteorder("="))
    return out


def load_splits(files: Mapping[str, Path]) -> tuple[Split, Split]:
    """Read the four MNIST-style files into ``((x_train, y_train), (x_test, y_test))``.

    ``files`` maps each of the four standard file names to its path. Checks that images are a
    3-d uint8 array, labels a 1-d uint8 array, and that each split has as many labels as images.
    """
    splits = []
    for images_name, labels_name in ((TRAIN_IMAGES, TRAIN_LABELS), (TEST_IMAGES, TEST_LABELS)):
        images = read_idx(files[images_name])
        labels = read_idx(files[labels_name])
        _check(images, 3, files[images_name], "images (count, rows, columns)")
        _check(labels, 1, files[labels_name], "labels (count,)")
        if len(images) != len(labels):
            raise IDXFormatError(
                f"{files[images_name]} holds {len(images)} images but {files[labels_name]} "
                f"holds {len(labels)} labels; expected as many labels as images."
            )
        splits.append((images, labels))
    return splits[0], splits[1]


def _check(array: np.ndarray, ndim: int, file: Path, what: str) -> None:
    """Raise IDXFormatError unless ``array`` is uint8 with ``ndim`` dimensions."""
    if array.ndim != ndim or array.dtype != np.uint8:
        raise IDXFormatError(
            f"{file} should hold uint8 {what} ({ndim} dimensions); received dtype "
            f"{array.dtype} with shape {array.shape}."
        )
