"""Arrays on disk in the safetensors layout, written and read with NumPy only (no pickle).

Layout: an 8-byte little-endian unsigned header length ``N``; ``N`` bytes of UTF-8 JSON mapping
each tensor name to ``{"dtype", "shape", "data_offsets": [begin, end]}`` (offsets into the data
that follows), plus an optional ``"__metadata__"`` of string to string; then the raw
little-endian, C-ordered bytes. The same files load with the ``safetensors`` package, e.g. in
PyTorch with ``load_file(path)`` from its ``safetensors.torch`` module (which never unpickles).

Reading trusts nothing in the file: every size, shape and offset is checked against the bytes
actually present before any array is made, so a header that claims a 100 GB tensor is refused
without allocating it, and any malformed file raises :class:`FormatError`.
"""
from __future__ import annotations

import json
import os
import struct
import sys
from typing import Any

import numpy

from axon.saving.atomic import atomic_write

_DTYPES = {"F16": "<f2", "F32": "<f4", "F64": "<f8", "I8": "i1", "I16": "<i2", "I32": "<i4",
           "I64": "<i8", "U8": "u1", "U16": "<u2", "U32": "<u4", "U64": "<u8", "BOOL": "?"}
_NAMES = {numpy.dtype(code): name for name, code in _DTYPES.items()}
_MAX_HEADER = 100 * 1024 * 1024
_MAX_RANK = 32


class FormatError(ValueError):
    """The file is not a valid axon or safetensors file; the message says what is wrong."""


def encode_arrays(arrays: dict[str, Any], metadata: dict[str, str] | None = None) -> bytes:
    """The bytes of a safetensors file holding ``arrays`` (name -> array) and ``metadata``."""
    header: dict[str, Any] = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    blobs, offset = [], 0
    for name, value in arrays.items():
        if name == "__metadata__":
            raise ValueError("'__metadata__' is reserved by the safetensors layout; "
                             "choose another array name.")
        array = numpy.asarray(value, order="C")  # keeps 0-d arrays 0-d
        dtype = array.dtype.newbyteorder("<") if array.dtype.byteorder == ">" else array.dtype
        if numpy.dtype(dtype) not in _NAMES:
            raise TypeError(f"Cannot store array {name!r} of dtype {array.dtype}; storable dtypes: "
                            f"{', '.join(sorted(str(d) for d in _NAMES))}.")
        blob = array.astype(dtype, copy=False).tobytes()
        header[name] = {"dtype": _NAMES[numpy.dtype(dtype)], "shape": list(array.shape),
                        "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    encoded = json.dumps(header, separators=(",", ":")).encode("utf-8")
    encoded += b" " * (-len(encoded) % 8)  # align the data to 8 bytes, as the format recommends
    return b"".join([struct.pack("<Q", len(encoded)), encoded, *blobs])


def decode_arrays(raw: bytes | memoryview, source: str) -> tuple[dict[str, numpy.ndarray],
                                                                 dict[str, str]]:
    """``(arrays, metadata)`` from the bytes of a safetensors file; ``source`` names it in errors.

    Raises:
        FormatError: for anything that is not a well-formed safetensors file.
    """
    raw = memoryview(raw)
    if len(raw) < 8:
        raise FormatError(f"{source}: too short to be a safetensors file ({len(raw)} bytes).")
    (length,) = struct.unpack("<Q", raw[:8])
    if length > min(_MAX_HEADER, len(raw) - 8):
        raise FormatError(f"{source}: the header claims {length} bytes but the file holds "
                          f"{len(raw) - 8} after the length field.")
    header = parse_json(bytes(raw[8:8 + length]), f"{source}: header")
    if not isinstance(header, dict):
        raise FormatError(f"{source}: the header is not a JSON object.")
    metadata = header.pop("__metadata__", None) or {}
    if not isinstance(metadata, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                 for k, v in metadata.items()):
        raise FormatError(f"{source}: '__metadata__' must map strings to strings.")
    data = raw[8 + length:]
    entries = {}
    for name, entry in header.items():
        dtype, shape, begin, end = _checked_entry(name, entry, source)
        expected = dtype.itemsize
        for n in shape:  # Python integers: a forged shape cannot overflow to a small size
            expected *= n
        if not 0 <= begin <= end <= len(data) or end - begin != expected:
            raise FormatError(f"{source}: tensor {name!r} has offsets [{begin}, {end}] that do not "
                              f"fit its shape {shape} and dtype {entry['dtype']} ({expected} bytes) "
                              f"within the {len(data)} bytes of data.")
        entries[name] = dtype, shape, begin, end
    _check_coverage(entries, len(data), source)
    arrays = {name: numpy.frombuffer(data[begin:end], dtype=dtype).reshape(shape).copy()
              for name, (dtype, shape, begin, end) in entries.items()}
    return arrays, metadata


def _check_coverage(entries: dict, size: int, source: str) -> None:
    """The tensors' byte ranges tile the data exactly, as the layout requires: no gap, no
    overlap, nothing after the last (so bytes inserted or removed are noticed)."""
    position = 0
    for name, (_, _, begin, end) in sorted(entries.items(), key=lambda item: item[1][2:]):
        if begin != position:
            raise FormatError(f"{source}: tensor {name!r} starts at byte {begin} of the data, "
                              f"where {position} was expected (the tensors must tile the data "
                              "without gaps or overlaps).")
        position = end
    if position != size:
        raise FormatError(f"{source}: the tensors end at byte {position} of the data, but the "
                          f"file holds {size} bytes of data.")


def _checked_entry(name: str, entry: Any, source: str) -> tuple[numpy.dtype, tuple, int, int]:
    def bad(why: str) -> FormatError:
        return FormatError(f"{source}: malformed entry for tensor {name!r} ({why}): "
                           f"{str(entry)[:200]}")

    if not isinstance(entry, dict):
        raise bad("not an object")
    code, shape, offsets = entry.get("dtype"), entry.get("shape"), entry.get("data_offsets")
    if not isinstance(code, str) or code not in _DTYPES:
        raise bad(f"dtype should be one of {', '.join(_DTYPES)}")
    if not isinstance(shape, list) or len(shape) > _MAX_RANK or not all(
            type(n) is int and n >= 0 for n in shape):
        raise bad(f"shape should be a list of at most {_MAX_RANK} non-negative integers")
    if not isinstance(offsets, list) or len(offsets) != 2 or not all(
            type(n) is int for n in offsets):
        raise bad("data_offsets should be two integers")
    dtype, extent = numpy.dtype(_DTYPES[code]), 1
    for n in shape:   # NumPy refuses arrays whose extent (zero sizes aside) overflows its indices
        extent *= max(n, 1)
    if extent * dtype.itemsize > sys.maxsize:
        raise bad(f"a shape of {extent} values does not fit an array, even with no data")
    return dtype, tuple(shape), offsets[0], offsets[1]


def parse_json(raw: bytes, what: str) -> Any:
    """JSON from ``raw`` bytes, or a FormatError naming ``what`` (also for absurdly deep nesting
    or huge numbers, which Python's parser refuses with RecursionError or ValueError)."""
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise FormatError(f"{what} is not valid JSON ({type(error).__name__}: "
                          f"{str(error)[:200]}).") from None


def save_arrays(path: str | os.PathLike, arrays: dict[str, Any],
                metadata: dict[str, str] | None = None) -> None:
    """Write ``arrays`` (name -> array) atomically to ``path``."""
    encoded = encode_arrays(arrays, metadata)
    with atomic_write(path) as handle:
        handle.write(encoded)


def load_arrays(path: str | os.PathLike) -> tuple[dict[str, numpy.ndarray], dict[str, str]]:
    """Read ``(arrays, metadata)`` from a safetensors file, checking every offset."""
    with open(path, "rb") as handle:
        raw = handle.read()
    return decode_arrays(raw, os.fspath(path))
