"""Unique default names (``dense``, ``dense_1``, ...), as Keras gives them."""
from __future__ import annotations

import re
from collections import defaultdict

_counters: dict[str, int] = defaultdict(int)


def to_snake_case(name: str) -> str:
    """``'BatchNormalization'`` -> ``'batch_normalization'``."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def unique_name(prefix: str) -> str:
    """``prefix`` the first time, then ``prefix_1``, ``prefix_2``, ..."""
    count = _counters[prefix]
    _counters[prefix] += 1
    return prefix if count == 0 else f"{prefix}_{count}"
