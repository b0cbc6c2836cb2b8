"""Arrays on disk in the safetensors layout, written and read with NumPy only (no pickle).

Layout: an 8-byte little-endian unsigned header length ``N``; ``N`` bytes of UTF-8 JSON mapping
each tensor name to ``{"dtype", "shape", "data_offsets": [begin, end]}`` (offsets into the data
that follows), plus an optional ``"__metadata__"`` of string to string; then the raw
little-endian, C-ordered bytes. The same files load with the ``safetensors`` package, e.g. in
PyTorch with ``load_file(path)`` from its ``safetensors.torch`` module (which never unpickles).
"""
from __future__ import annotations

import json
import os
import struct
from typing import Any

import numpy

from axon.saving.atomic import atomic_write

_DTYPES = {"F16": "<f2", "F32": "<f4", "F64": "<f8", "I8": "i1", "I16": "<i2", "I32": "<i4",
           "I64": "<i8", "U8": "u1", "U16": "<u2", "U32": "<u4", "U64": "<u8", "BOOL": "?"}
_NAMES = {numpy.dtype(code): name for name, code in _DTYPES.items()}
_MAX_HEADER = 100 * 1024 * 1024


class FormatError(ValueError):
    """The file is not a valid safetensors file; the message says what is wrong."""


def save_arrays(path: str | os.PathLike, arrays: dict[str, Any],
                metadata: dict[str, str] | None = None) -> None:
    """Write ``arrays`` (name -> array) atomically to ``path``."""
    header: dict[str, Any] = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    blobs, offset = [], 0
    for name, value in arrays.items():
        array = numpy.asarray(value, order="C")  # keeps 0-d arrays 0-d
        dtype = array.dtype.newbyteorder("<") if array.dtype.byteorder == ">" else array.dtype
        if numpy.dtype(dtype) not in _NAMES:
            raise TypeError(f"Cannot store array {name!r} of dtype {array.dtype}.")
        blob = array.astype(dtype, copy=False).tobytes()
        header[name] = {"dtype": _NAMES[numpy.dtype(dtype)], "shape": list(array.shape),
                        "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    encoded = json.dumps(header, separators=(",", ":")).encode("utf-8")
    encoded += b" " * (-len(encoded) % 8)  # align the data to 8 bytes, as the format recommends
    with atomic_write(path) as handle:
        handle.write(struct.pack("<Q", len(encoded)))
        handle.write(encoded)
        for blob in blobs:
            handle.write(blob)


def load_arrays(path: str | os.PathLike) -> tuple[dict[str, numpy.ndarray], dict[str, str]]:
    """Read ``(arrays, metadata)`` from a safetensors file, checking every offset."""
    with open(path, "rb") as handle:
        raw = handle.read()
    if len(raw) < 8:
        raise FormatError(f"{path}: too short to be a safetensors file ({len(raw)} bytes).")
    (length,) = struct.unpack("<Q", raw[:8])
    if length > min(_MAX_HEADER, len(raw) - 8):
        raise FormatError(f"{path}: header length {length} exceeds the file.")
    try:
        header = json.loads(raw[8:8 + length].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise FormatError(f"{path}: header is not valid JSON ({error}).") from None
    if not isinstance(header, dict):
        raise FormatError(f"{path}: header is not a JSON object.")
    metadata = header.pop("__metadata__", {}) or {}
    data = memoryview(raw)[8 + length:]
    arrays = {}
    for name, entry in header.items():
        try:
            dtype = numpy.dtype(_DTYPES[entry["dtype"]])
            shape = tuple(int(n) for n in entry["shape"])
            begin, end = (int(n) for n in entry["data_offsets"])
        except (KeyError, TypeError, ValueError):
            raise FormatError(f"{path}: malformed entry for tensor {name!r}: {entry!r}") from None
        expected = dtype.itemsize * int(numpy.prod(shape, dtype=numpy.int64))
        if not 0 <= begin <= end <= len(data) or end - begin != expected:
            raise FormatError(f"{path}: tensor {name!r} has offsets [{begin}, {end}] that do not "
                              f"fit its shape {shape} and dtype {entry['dtype']}.")
        arrays[name] = numpy.frombuffer(data[begin:end], dtype=dtype).reshape(shape).copy()
    return arrays, metadata
