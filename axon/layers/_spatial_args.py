"""Argument helpers of the spatial layers (pooling, padding, cropping, up-sampling): data formats,
per-axis integer tuples, and the rank check with a message that shows the expected layout."""
from __future__ import annotations

from typing import Any

from axon.layers import _args

DATA_FORMATS = ("channels_last", "channels_first")
_AXIS_NAMES = {1: ("steps",), 2: ("height", "width"), 3: ("depth", "height", "width")}


def data_format(value: Any, owner: str) -> str:
    """``'channels_last'`` (Keras's default image data format) for ``None``, else the value
    checked against ``'channels_last'``/``'channels_first'`` (case-insensitive, as Keras)."""
    if value is None:
        return "channels_last"
    if not isinstance(value, str) or value.lower() not in DATA_FORMATS:
        raise ValueError(f"{owner} expects data_format to be one of {DATA_FORMATS}. "
                         f"Received: data_format={value!r}")
    return value.lower()


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def int_tuple(value: Any, n: int, argument: str, owner: str, allow_zero: bool = False) -> tuple:
    """``(value,) * n`` for an int, else ``value`` as a tuple of ``n`` ints; every entry must be
    positive (or >= 0 with ``allow_zero``)."""
    entries = (value,) * n if _is_int(value) else value
    low = 0 if allow_zero else 1
    if not isinstance(entries, tuple | list) or len(entries) != n or not all(
            _is_int(v) and v >= low for v in entries):
        kind = "non-negative" if allow_zero else "positive"
        raise ValueError(f"{owner} expects {argument} to be a {kind} integer or a tuple of {n} "
                         f"{kind} integers. Received: {argument}={value!r}")
    return tuple(entries)


def pairs(value: Any, n: int, argument: str, owner: str) -> tuple:
    """``(before, after)`` per spatial axis (``n`` axes) from Keras's forms: an int (the same on
    every side), ``n`` ints (symmetric per axis) or ``n`` pairs. For ``n == 1`` the forms are an
    int or one pair ``(before, after)``."""
    if n == 1:
        return (int_tuple(value, 2, argument, owner, allow_zero=True),)
    if _is_int(value):
        return (int_tuple(value, 2, argument, owner, allow_zero=True),) * n
    if not isinstance(value, tuple | list) or len(value) != n:
        raise ValueError(f"{owner} expects {argument} to be an int, a tuple of {n} ints or a "
                         f"tuple of {n} pairs of ints ((before, after) per spatial axis). "
                         f"Received: {argument}={value!r}")
    return tuple(int_tuple(v, 2, f"entry {i} of {argument}", owner, allow_zero=True)
                 for i, v in enumerate(value))


def layout(spatial: int, data_format_value: str) -> str:
    """``'(batch, height, width, channels)'`` and the like, for error messages."""
    names = _AXIS_NAMES.get(spatial, tuple(f"d{i}" for i in range(spatial)))
    axes = names + ("channels",) if data_format_value == "channels_last" else ("channels",) + names
    return "(batch, " + ", ".join(axes) + ")"


def spatial_axes(spatial: int, data_format_value: str) -> tuple[int, ...]:
    """The spatial axes of a ``(batch, ...)`` input laid out as ``data_format_value`` says."""
    first = 1 if data_format_value == "channels_last" else 2
    return tuple(range(first, first + spatial))


def check_rank(layer: Any, shape: Any, spatial: int, data_format_value: str) -> None:
    """Raise a clear error unless ``shape`` is one input of rank ``spatial + 2``."""
    _args.single_input(layer, shape)
    if len(shape) != spatial + 2:
        raise ValueError(
            f"Layer '{layer.name}' ({type(layer).__name__}) expects an input of rank "
            f"{spatial + 2}, {layout(spatial, data_format_value)}. "
            f"Received: shape={tuple(shape)}")
