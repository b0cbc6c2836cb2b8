"""Repeatable runs."""
from __future__ import annotations

from axon import backend


def set_random_seed(seed: int) -> None:
    """Seed every random draw axon makes (weights, shuffling, dropout), NumPy's and Python's.

    Same seed, same data, same machine and thread count: the same weights and history.

    Example:
        >>> import axon
        >>> axon.utils.set_random_seed(0)
    """
    backend.seed(seed)
