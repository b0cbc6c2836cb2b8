"""Weight initializers: the starting point of gradient descent.

Variance-scaling initializers draw weights with ``Var(w) = scale / n``, where ``n`` is the fan-in
(inputs per unit), the fan-out, or their average, so activations neither vanish nor explode as
they pass through many layers:

    glorot (Xavier):  n = (fan_in + fan_out) / 2,  scale = 1   (tanh, sigmoid, softmax)
    he (Kaiming):     n = fan_in,                   scale = 2   (relu)
    lecun:            n = fan_in,                   scale = 1   (selu)

A uniform draw on ``[-limit, limit]`` has variance ``limit**2 / 3``, so ``limit = sqrt(3 scale/n)``;
a normal draw truncated at two standard deviations is widened by 1/0.8796 to keep the variance.

Besides these: constants (``zeros``, ``ones``, ``constant``, ``identity``), plain random draws
(``random_normal``, ``random_uniform``, ``truncated_normal``) and ``orthogonal`` matrices. Every
random initializer takes ``seed=``: an int repeats its draws call after call (as Keras 3); None
draws from axon's global generator, which :func:`axon.utils.set_random_seed` seeds.

Example:
    >>> import axon
    >>> w = axon.initializers.get("glorot_uniform")((784, 10))
    >>> w.shape, str(w.dtype)
    ((784, 10), 'float32')
"""
from __future__ import annotations

import math
from typing import Any

from axon import backend
from axon.utils.registry import custom_class, custom_object, function_name, resolve

_TRUNCATED_NORMAL_STD = 0.87962566103423978  # std of a unit normal truncated to [-2, 2]


def compute_fans(shape: tuple[int, ...]) -> tuple[float, float]:
    """``(fan_in, fan_out)`` of a weight of ``shape`` (a kernel ``(..., in, out)``)."""
    if len(shape) == 0:
        return 1.0, 1.0
    if len(shape) == 1:
        return float(shape[0]), float(shape[0])
    receptive_field = math.prod(shape[:-2])
    return float(shape[-2] * receptive_field), float(shape[-1] * receptive_field)


class Initializer:
    """Base: ``initializer(shape, dtype=None) -> array``."""

    def __call__(self, shape: tuple[int, ...], dtype: Any = None) -> Any:
        raise NotImplementedError

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict) -> Initializer:
        return cls(**config)


class Zeros(Initializer):
    """All weights 0."""

    def __call__(self, shape, dtype=None):
        return backend.xp.zeros(shape, dtype=dtype or backend.floatx())


class Ones(Initializer):
    """All weights 1."""

    def __call__(self, shape, dtype=None):
        return backend.xp.ones(shape, dtype=dtype or backend.floatx())


class Constant(Initializer):
    """All weights ``value``."""

    def __init__(self, value: float = 0.0) -> None:
        self.value = value

    def __call__(self, shape, dtype=None):
        return backend.xp.full(shape, self.value, dtype=dtype or backend.floatx())

    def get_config(self):
        return {"value": self.value}


class _Random(Initializer):
    """An initializer that draws; ``seed`` makes it repeatable, else the global generator does."""

    def __init__(self, seed: int | None = None) -> None:
        self.seed = seed

    def _rng(self):
        return backend.make_rng(self.seed)

    def get_config(self):
        return {"seed": self.seed}


class RandomNormal(_Random):
    """``w ~ Normal(mean, stddev**2)`` (Keras's default stddev 0.05)."""

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None) -> None:
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape, dtype=None):
        draw = self._rng().normal(self.mean, self.stddev, size=shape)
        return backend.from_host(draw, dtype=dtype or backend.floatx())

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class RandomUniform(_Random):
    """``w ~ Uniform(minval, maxval)``."""

    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed: int | None = None) -> None:
        super().__init__(seed)
        self.minval, self.maxval = minval, maxval

    def __call__(self, shape, dtype=None):
        draw = self._rng().uniform(self.minval, self.maxval, size=shape)
        return backend.from_host(draw, dtype=dtype or backend.floatx())

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


class TruncatedNormal(_Random):
    """``w ~ Normal(mean, stddev**2)`` truncated to ``[mean - 2 stddev, mean + 2 stddev]``.

    Draws outside the two-standard-deviation band are discarded and redrawn (as Keras), so the
    result's standard deviation is ``0.8796 * stddev``, not ``stddev``.

    Args:
        mean: the mean (default 0).
        stddev: the standard deviation before truncation (default 0.05, as Keras).
        seed: an int for repeatable draws; None draws from axon's global generator.

    Example:
        >>> w = TruncatedNormal(stddev=1.0, seed=0)((1000,), dtype="float64")
        >>> bool(abs(w).max() <= 2.0)
        True
    """

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None) -> None:
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape, dtype=None):
        draw = self.mean + self.stddev * _truncated_normal(self._rng(), shape)
        return backend.from_host(draw, dtype=dtype or backend.floatx())

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class VarianceScaling(_Random):
    """Weights with variance ``scale / n``, ``n`` from ``mode`` ('fan_in', 'fan_out', 'fan_avg'),
    drawn from ``distribution`` ('uniform', 'truncated_normal' or 'untruncated_normal')."""

    def __init__(self, scale: float = 1.0, mode: str = "fan_in",
                 distribution: str = "truncated_normal", seed: int | None = None) -> None:
        super().__init__(seed)
        if scale <= 0:
            raise ValueError(f"VarianceScaling expects scale > 0. Received: scale={scale}")
        modes, dists = ("fan_in", "fan_out", "fan_avg"), ("uniform", "truncated_normal",
                                                           "untruncated_normal", "normal")
        if mode not in modes:
            raise ValueError(f"VarianceScaling expects mode in {modes}. Received: mode={mode!r}")
        if distribution not in dists:
            raise ValueError(f"VarianceScaling expects distribution in {dists}. "
                             f"Received: distribution={distribution!r}")
        self.scale, self.mode = scale, mode
        self.distribution = "truncated_normal" if distribution == "normal" else distribution

    def __call__(self, shape, dtype=None):
        fan_in, fan_out = compute_fans(tuple(shape))
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        variance = self.scale / max(1.0, n)
        rng = self._rng()
        if self.distribution == "uniform":
            limit = math.sqrt(3.0 * variance)
            draw = rng.uniform(-limit, limit, size=shape)
        elif self.distribution == "untruncated_normal":
            draw = rng.normal(0.0, math.sqrt(variance), size=shape)
        else:
            draw = _truncated_normal(rng, shape) * (math.sqrt(variance) / _TRUNCATED_NORMAL_STD)
        return backend.from_host(draw, dtype=dtype or backend.floatx())

    def get_config(self):
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution,
                "seed": self.seed}


def _truncated_normal(rng, shape):
    """Unit normal draws, redrawn until every one lies in [-2, 2]."""
    draw = rng.standard_normal(size=tuple(shape)).reshape(tuple(shape))
    outside = abs(draw) > 2
    while outside.any():
        draw[outside] = rng.standard_normal(size=int(outside.sum()))
        outside = abs(draw) > 2
    return draw


class GlorotUniform(VarianceScaling):
    """Glorot/Xavier uniform: ``w ~ U(-l, l)``, ``l = sqrt(6 / (fan_in + fan_out))``."""

    def __init__(self, seed: int | None = None) -> None:
        super().__init__(1.0, "fan_avg", "uniform", seed)

    def get_config(self):
        return {"seed": self.seed}


class GlorotNormal(VarianceScaling):
    """Glorot/Xavier normal: truncated normal with ``std = sqrt(2 / (fan_in + fan_out))``."""

    def __init__(self, seed: int | None = None) -> None:
        super().__init__(1.0, "fan_avg", "truncated_normal", seed)

    def get_config(self):
        return {"seed": self.seed}


class HeUniform(VarianceScaling):
    """He/Kaiming uniform: ``w ~ U(-l, l)``, ``l = sqrt(6 / fan_in)``."""

    def __init__(self, seed: int | None = None) -> None:
        super().__init__(2.0, "fan_in", "uniform", seed)

    def get_config(self):
        return {"seed": self.seed}


class HeNormal(VarianceScaling):
    """He/Kaiming normal: truncated normal with ``std = sqrt(2 / fan_in)``."""

    def __init__(self, seed: int | None = None) -> None:
        super().__init__(2.0, "fan_in", "truncated_normal", seed)

    def get_config(self):
        return {"seed": self.seed}


class LecunNormal(VarianceScaling):
    """LeCun normal: truncated normal with ``std = sqrt(1 / fan_in)`` (for selu)."""

    def __init__(self, seed: int | None = None) -> None:
        super().__init__(1.0, "fan_in", "truncated_normal", seed)

    def get_config(self):
        return {"seed": self.seed}


class LecunUniform(VarianceScaling):
    """LeCun uniform: ``w ~ U(-l, l)``, ``l = sqrt(3 / fan_in)``."""

    def __init__(self, seed: int | None = None) -> None:
        super().__init__(1.0, "fan_in", "uniform", seed)

    def get_config(self):
        return {"seed": self.seed}


class Orthogonal(_Random):
    """A (semi-)orthogonal matrix times ``gain`` (Saxe et al., 2014), as Keras.

    The shape is flattened to ``(rows, cols) = (prod(shape[:-1]), shape[-1])``. A matrix ``A`` of
    shape ``(max(rows, cols), min(rows, cols))`` is drawn from ``Normal(0, 1)`` and factored
    ``A = Q R``; multiplying each column of ``Q`` by ``sign(R_jj)`` makes the result uniformly
    distributed over orthogonal matrices. ``Q`` is transposed when ``rows < cols``, then reshaped:
    the columns are orthonormal when ``rows >= cols`` (``W^T W = gain**2 I``), else the rows are
    (``W W^T = gain**2 I``).

    Args:
        gain: the multiplicative factor (default 1).
        seed: an int for repeatable draws; None draws from axon's global generator.

    Raises:
        ValueError: for a shape of rank below 2.

    Example:
        >>> import numpy
        >>> w = Orthogonal(seed=0)((4, 3), dtype="float64")
        >>> numpy.allclose(w.T @ w, numpy.eye(3))
        True
    """

    def __init__(self, gain: float = 1.0, seed: int | None = None) -> None:
        super().__init__(seed)
        self.gain = gain

    def __call__(self, shape, dtype=None):
        shape = tuple(shape)
        if len(shape) < 2:
            raise ValueError("Orthogonal initializer needs a shape of rank >= 2. "
                             f"Received: shape={shape} of rank {len(shape)}")
        rows, cols = math.prod(shape[:-1]), shape[-1]
        draw = self._rng().standard_normal(size=(max(rows, cols), min(rows, cols)))
        q, r = backend.xp.linalg.qr(backend.from_host(draw, dtype="float64"))
        q = q * backend.xp.sign(backend.xp.diagonal(r))
        if rows < cols:
            q = q.T
        return (self.gain * q).reshape(shape).astype(dtype or backend.floatx())

    def get_config(self):
        return {"gain": self.gain, "seed": self.seed}


class Identity(Initializer):
    """``gain`` times the identity matrix (``eye(rows, cols)`` when not square); 2-D only.

    Args:
        gain: the multiplicative factor (default 1).

    Raises:
        ValueError: for a shape that is not 2-D.

    Example:
        >>> Identity(gain=2.0)((2, 3)).tolist()
        [[2.0, 0.0, 0.0], [0.0, 2.0, 0.0]]
    """

    def __init__(self, gain: float = 1.0) -> None:
        self.gain = gain

    def __call__(self, shape, dtype=None):
        shape = tuple(shape)
        if len(shape) != 2:
            raise ValueError("Identity initializer can only be used for 2D matrices. "
                             f"Received: shape={shape} of rank {len(shape)}")
        return self.gain * backend.xp.eye(*shape, dtype=dtype or backend.floatx())

    def get_config(self):
        return {"gain": self.gain}


OrthogonalInitializer = Orthogonal
IdentityInitializer = Identity

ALL = {
    "zeros": Zeros, "ones": Ones, "constant": Constant, "identity": Identity,
    "random_normal": RandomNormal, "random_uniform": RandomUniform,
    "truncated_normal": TruncatedNormal, "orthogonal": Orthogonal,
    "variance_scaling": VarianceScaling,
    "glorot_uniform": GlorotUniform, "glorot_normal": GlorotNormal,
    "he_uniform": HeUniform, "he_normal": HeNormal,
    "lecun_normal": LecunNormal, "lecun_uniform": LecunUniform,
}
"""Keras's snake_case names. Class names (``'GlorotUniform'``) and Keras's aliases resolve too."""

_ALIASES = {
    "normal": RandomNormal, "uniform": RandomUniform, "one": Ones, "zero": Zeros,
    "orthogonalinitializer": Orthogonal, "identityinitializer": Identity,
}


def get(identifier: Any) -> Initializer | None:
    """An initializer from an identifier, as ``keras.initializers.get``.

    Args:
        identifier: None (gives None, as Keras); a name (``'he_normal'``, ``'HeNormal'``,
            ``'orthogonal'``, case-insensitive); a dict ``{"class_name", "config"}`` as
            :func:`serialize` writes; an Initializer class (built with its defaults) or instance;
            or any callable ``(shape, dtype=None) -> array``, returned unchanged.

    Raises:
        ValueError: for an unknown name (listing the known ones) or anything else.
    """
    if identifier is None:
        return None
    custom = custom_object(identifier)   # a name the program supplied: custom_objects, registered
    if custom is not None:
        return get(custom)
    if isinstance(identifier, Initializer) or callable(identifier) and not isinstance(
            identifier, type):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Initializer):
        return identifier()
    if isinstance(identifier, dict):
        cls = custom_class(identifier.get("class_name")) or resolve(
            identifier.get("class_name"), {**_by_class_name(), **_ALIASES}, "initializer")
        return cls.from_config(identifier.get("config") or {})
    if isinstance(identifier, str):
        return resolve(identifier, {**ALL, **_by_class_name(), **_ALIASES}, "initializer")()
    raise ValueError(f"Could not interpret initializer identifier: {identifier!r}")


def _by_class_name() -> dict:
    return {cls.__name__.lower(): cls for cls in ALL.values()}


def serialize(initializer: Any) -> dict | str:
    """``{'class_name': ..., 'config': ...}`` for an Initializer (a custom class by its registered
    name); a plain function by its name, which loading looks up among the custom objects."""
    if not isinstance(initializer, Initializer) and callable(initializer):
        return function_name(initializer) or getattr(initializer, "__name__", repr(initializer))
    class_name = getattr(type(initializer), "_registered_name", None) or type(initializer).__name__
    return {"class_name": class_name, "config": initializer.get_config()}
