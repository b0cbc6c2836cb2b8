"""Resolving a user's string identifier to an object, with an error that lists what exists."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def resolve(identifier: Any, known: Mapping[str, Any], kind: str) -> Any:
    """Look up ``identifier`` (case-insensitive) in ``known``.

    Raises:
        ValueError: naming the ``kind``, what came, and every known name.
    """
    key = identifier.lower() if isinstance(identifier, str) else identifier
    if key in known:
        return known[key]
    names = ", ".join(sorted(known))
    raise ValueError(f"Unknown {kind}: {identifier!r}. Known {kind} names: {names}.")
