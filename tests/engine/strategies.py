"""Shared hypothesis settings, shape strategies and input generators for the engine tests.

Values are drawn with NumPy from a hypothesis-drawn seed (fast, and easy to keep away from kinks
and domain edges); shapes and axes are drawn by hypothesis.
"""
from __future__ import annotations

import numpy as np
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

FAST = settings(max_examples=15, deadline=None, database=None)
"""Settings for property tests whose examples each run a full gradient check."""

seeds = st.integers(0, 2**32 - 1)
shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)
nonscalar_shapes = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4)
broadcast_pairs = hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, min_side=1,
                                                    max_side=4)
broadcast_triples = hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, min_side=1,
                                                      max_side=4)

# Hand-picked broadcasting pairs that every binary op is checked on.
BROADCAST_PAIRS = [
    ((3, 1), (1, 4)),
    ((), (2, 3)),
    ((2, 3), ()),
    ((4,), (3, 4)),
    ((2, 1, 3), (4, 1)),
    ((1,), (2, 2)),
    ((2, 3, 4), (2, 3, 4)),
]


def axes(ndim: int, allow_none: bool = True) -> st.SearchStrategy:
    """Valid ``axis`` arguments for an array of ``ndim`` axes: None, an int (maybe negative), a
    tuple of distinct axes (maybe negative)."""
    options = [st.just(())]
    if ndim:
        options += [hnp.valid_tuple_axes(ndim, min_size=1), st.integers(-ndim, ndim - 1)]
    if allow_none:
        options.append(st.none())
    return st.one_of(*options)


def int_axis(ndim: int) -> st.SearchStrategy:
    return st.integers(-ndim, ndim - 1)


def uniform(seed: int, shape, low: float = -2.0, high: float = 2.0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(low, high, size=shape)


def positive(seed: int, shape, low: float = 0.5, high: float = 2.0) -> np.ndarray:
    return uniform(seed, shape, low, high)


def away_from_zero(seed: int, shape, margin: float = 0.1, high: float = 2.0) -> np.ndarray:
    """Values with ``margin <= |x| <= high`` and a random sign (no kink at 0 within reach)."""
    rng = np.random.default_rng(seed)
    magnitude = rng.uniform(margin, high, size=shape)
    return np.where(rng.random(size=shape) < 0.5, -magnitude, magnitude)


def distinct(seed: int, shape, gap: float = 0.25) -> np.ndarray:
    """Values at least ``gap`` apart from each other (no ties for max)."""
    rng = np.random.default_rng(seed)
    size = int(np.prod(shape, dtype=int))
    return ((rng.permutation(size) - size / 2) * gap).reshape(shape).astype(float)


def offset_grid(seed: int, shape, offset: float) -> np.ndarray:
    """Values ``0.2 k + offset``: two grids with offsets 0.05 and 0.15 are >= 0.1 apart."""
    rng = np.random.default_rng(seed)
    return 0.2 * rng.integers(-5, 6, size=shape) + offset


def away_from(seed: int, shape, points, margin: float = 0.1, low: float = -2.0,
              high: float = 2.0) -> np.ndarray:
    """Uniform values pushed at least ``margin`` away from each of ``points``."""
    x = uniform(seed, shape, low, high)
    for p in points:
        near = np.abs(x - p) < margin
        x = np.where(near, p + np.where(x >= p, margin, -margin) * 2, x)
    return x
