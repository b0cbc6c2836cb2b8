"""Resolving a user's string identifier to an object, with an error that lists what exists."""
from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any


def resolve(identifier: Any, known: Mapping[str, Any], kind: str) -> Any:
    """Look up ``identifier`` (case-insensitive) in ``known``.

    Raises:
        ValueError: naming the ``kind``, what came, the closest known names and every known name.
    """
    key = identifier.lower() if isinstance(identifier, str) else identifier
    if key in known:
        return known[key]
    names = ", ".join(sorted(known))
    close = difflib.get_close_matches(key, list(known), n=3) if isinstance(key, str) else []
    hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    raise ValueError(f"Unknown {kind}: {identifier!r}.{hint} Known {kind} names: {names}.")
