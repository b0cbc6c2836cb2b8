"""Nested structures of lists, tuples and dicts: flatten them and rebuild them.

Used wherever a value may be one tensor or a list/dict of them (model inputs and outputs,
gradient sources).

Example:
    >>> flatten({"a": [1, 2], "b": 3})
    [1, 2, 3]
    >>> map_structure(lambda v: v * 10, ([1, 2], {"c": 3}))
    ([10, 20], {'c': 30})
    >>> pack_as({"a": [0, 0], "b": 0}, [7, 8, 9])
    {'a': [7, 8], 'b': 9}
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any


def flatten(structure: Any) -> list:
    """The leaves of a nest of lists, tuples and dicts (dicts in insertion order), in order."""
    if isinstance(structure, dict):
        return [leaf for key in structure for leaf in flatten(structure[key])]
    if isinstance(structure, list | tuple):
        return [leaf for item in structure for leaf in flatten(item)]
    return [structure]


def map_structure(fn: Callable[[Any], Any], structure: Any) -> Any:
    """``structure`` with ``fn`` applied to every leaf (lists stay lists, tuples tuples)."""
    if isinstance(structure, dict):
        return {key: map_structure(fn, value) for key, value in structure.items()}
    if isinstance(structure, list):
        return [map_structure(fn, item) for item in structure]
    if isinstance(structure, tuple):
        return tuple(map_structure(fn, item) for item in structure)
    return fn(structure)


def pack_as(structure: Any, flat: list) -> Any:
    """``flat`` (the leaves, in :func:`flatten`'s order) arranged like ``structure``."""
    leaves = iter(flat)
    return map_structure(lambda _: next(leaves), structure)
