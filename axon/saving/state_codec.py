"""Training state as JSON plus arrays: numbers, strings, lists and dicts stay JSON; every NumPy
array (and NumPy scalar) is moved into a side table of arrays stored in the safetensors layout,
and the JSON keeps ``{"__array__": name}`` in its place. Nothing is ever unpickled."""
from __future__ import annotations

from typing import Any

import numpy

from axon.saving.safetensors_format import FormatError

_MAX_DEPTH = 64


def pack_state(value: Any, arrays: dict[str, numpy.ndarray], prefix: str) -> Any:
    """``value`` as JSON-compatible data; arrays go into ``arrays`` under names from ``prefix``."""
    if isinstance(value, numpy.ndarray | numpy.generic):
        name = f"{prefix}#{len(arrays)}"
        arrays[name] = numpy.asarray(value)
        return {"__array__": name, "scalar": isinstance(value, numpy.generic)}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [pack_state(item, arrays, prefix) for item in value]
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise TypeError(f"State dictionaries need string keys. Received keys: {list(value)[:5]}")
        if "__array__" in value:
            raise TypeError("'__array__' is reserved in saved state dictionaries.")
        return {key: pack_state(item, arrays, prefix) for key, item in value.items()}
    raise TypeError(f"Cannot save state of type {type(value).__name__} ({prefix}): state holds "
                    "numbers, strings, lists, dicts and NumPy arrays.")


def unpack_state(value: Any, arrays: dict[str, numpy.ndarray], source: str, depth: int = 0) -> Any:
    """The inverse of :func:`pack_state`; a missing array raises FormatError naming ``source``."""
    if depth > _MAX_DEPTH:
        raise FormatError(f"{source}: saved state is nested deeper than {_MAX_DEPTH} levels.")
    if isinstance(value, list):
        return [unpack_state(item, arrays, source, depth + 1) for item in value]
    if isinstance(value, dict):
        if "__array__" in value:
            name = value["__array__"]
            if not isinstance(name, str) or name not in arrays:
                raise FormatError(f"{source}: saved state refers to a missing array {name!r}.")
            array = arrays[name]
            return array[()] if value.get("scalar") and array.ndim == 0 else array
        return {key: unpack_state(item, arrays, source, depth + 1) for key, item in value.items()}
    return value
