"""Saving images as PNG with the standard library only (zlib + struct), and tiling them into a grid.

PNG layout: the 8-byte signature, then chunks ``length | type | data | CRC-32``: ``IHDR``
(width, height, bit depth 8, colour type 0 = grey or 2 = RGB), ``IDAT`` (the zlib-compressed
rows, each prefixed with filter byte 0) and ``IEND``.

Example:
    >>> import numpy as np, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "ramp.png")
    >>> save_png(np.linspace(0, 1, 12).reshape(3, 4), path)
    >>> open(path, "rb").read(8) == b"\\x89PNG\\r\\n\\x1a\\n"
    True
"""
from __future__ import annotations

import os
import struct
import tempfile
import zlib
from typing import Any

import numpy

_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def to_uint8(image: Any) -> numpy.ndarray:
    """Floats in [0, 1] (clipped) or uint8 values as a uint8 array."""
    array = numpy.asarray(image)
    if array.dtype == numpy.uint8:
        return array
    if array.dtype.kind not in "fiub":
        raise TypeError(f"save_png expects numeric pixels. Received: dtype={array.dtype}")
    return (numpy.clip(array.astype(numpy.float64), 0.0, 1.0) * 255.0 + 0.5).astype(numpy.uint8)


def save_png(image: Any, path: str | os.PathLike) -> None:
    """Write a grey ``(h, w)`` / ``(h, w, 1)`` or colour ``(h, w, 3)`` image to ``path``.

    Floats are read as intensities in [0, 1]; uint8 as 0-255. The file is written to a
    temporary name in the same folder, then renamed, so a crash never leaves half a file.
    """
    pixels = to_uint8(image)
    if pixels.ndim == 3 and pixels.shape[-1] == 1:
        pixels = pixels[..., 0]
    if pixels.ndim == 2:
        colour_type = 0
    elif pixels.ndim == 3 and pixels.shape[-1] == 3:
        colour_type = 2
    else:
        raise ValueError(f"save_png expects an image of shape (h, w), (h, w, 1) or (h, w, 3). "
                         f"Received: shape={pixels.shape}")
    height, width = pixels.shape[:2]
    rows = pixels.reshape(height, -1)
    raw = b"".join(b"\x00" + row.tobytes() for row in rows)
    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    data = (_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw, 9))
            + _chunk(b"IEND", b""))
    folder = os.path.dirname(os.path.abspath(os.fspath(path)))
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".png")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise


def image_grid(images: Any, columns: int | None = None, padding: int = 2,
               background: float = 1.0) -> numpy.ndarray:
    """Tile ``images`` ``(n, h, w[, c])`` into one picture, ``columns`` per row (default
    about ``sqrt(n)``), with ``padding`` pixels of ``background`` between them."""
    array = numpy.asarray(images, dtype=numpy.float64)
    if array.ndim == 4 and array.shape[-1] == 1:
        array = array[..., 0]
    if array.ndim not in (3, 4):
        raise ValueError(f"image_grid expects images of shape (n, h, w) or (n, h, w, c). "
                         f"Received: shape={array.shape}")
    count, height, width = array.shape[:3]
    columns = columns or int(numpy.ceil(numpy.sqrt(count)))
    rows = -(-count // columns)
    shape = (rows * (height + padding) + padding, columns * (width + padding) + padding)
    grid = numpy.full(shape + array.shape[3:], background)
    for index in range(count):
        top = padding + (index // columns) * (height + padding)
        left = padding + (index % columns) * (width + padding)
        grid[top:top + height, left:left + width] = array[index]
    return grid
