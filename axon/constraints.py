"""Weight constraints: projections applied to a weight after each optimizer update.

A constraint is a function ``w -> w'`` of the same shape. A layer takes one per weight
(``kernel_constraint=...``, ``bias_constraint=...``); the optimizer, after updating a weight
under ``no_grad``, does ``variable.assign(constraint(variable))``. A constraint receives the
Variable (or any Tensor or array) and returns a Tensor of the same shape and float type.

With ``||w||`` the L2 norm over ``axis`` (kept as a size-1 axis so it broadcasts back) and
``eps = backend.epsilon()`` (1e-7), Keras 3's formulas:

    MaxNorm(m):            w' = w * clip(||w||, 0, m) / (eps + ||w||)
    MinMaxNorm(a, b, r):   w' = w * (r * clip(||w||, a, b) + (1 - r) * ||w||) / (eps + ||w||)
    NonNeg:                w' = max(w, 0)
    UnitNorm:              w' = w / (eps + ||w||)

The ``eps`` means a norm is brought to ``m * ||w|| / (eps + ||w||)``, a hair below ``m``; a
zero column stays zero. For a ``Dense`` kernel of shape ``(input_dim, units)``, the default
``axis=0`` constrains each unit's incoming weight vector (each column).

They are written with the engine's functional ops, so outside ``no_grad`` the result is
differentiable in ``w`` (the chain rule through the norm, the clip and the division).

Layers resolve ``kernel_constraint=...`` with :func:`get`, which takes a name (``'max_norm'``,
``'min_max_norm'``, ``'non_neg'``, ``'unit_norm'``, or a class name such as ``'MaxNorm'``), a
config dict, a Constraint class or instance, or any callable ``w -> w'``.

Example:
    >>> import axon
    >>> import axon.constraints
    >>> w = axon.Tensor([[3.0, 0.1], [4.0, 0.0]])   # column norms 5 and 0.1
    >>> axon.constraints.MaxNorm(1.0)(w).numpy().astype(float).round(4).tolist()
    [[0.6, 0.1], [0.8, 0.0]]
"""
from __future__ import annotations

import inspect
import math
import numbers
from typing import Any

from axon import backend
from axon.engine import functional as F
from axon.engine.tensor import Tensor
from axon.utils.registry import custom_class, custom_object, resolve


# ---- argument checks and the shared norm ------------------------------------------------------
def _check_number(value: Any, name: str, owner: str, low: float = 0.0, high: float = math.inf) -> float:
    """``value`` as a float, after checking it is a finite real number in ``[low, high]``."""
    if (isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value)
            or not low <= value <= high):
        span = f"in [{low}, {high}]" if math.isfinite(high) else f">= {low}"
        raise ValueError(f"{owner} expects {name} to be a finite number {span}. "
                         f"Received: {name}={value!r}")
    return float(value)


def _check_axis(axis: Any, owner: str) -> int | list[int]:
    """``axis`` as an int or a list of ints (the form ``get_config`` writes and JSON keeps)."""
    if isinstance(axis, numbers.Integral) and not isinstance(axis, bool):
        return int(axis)
    if (isinstance(axis, list | tuple) and axis
            and all(isinstance(a, numbers.Integral) and not isinstance(a, bool) for a in axis)):
        return [int(a) for a in axis]
    raise ValueError(f"{owner} expects axis to be an integer or a non-empty list of integers. "
                     f"Received: axis={axis!r}")


def _as_float_tensor(w: Any) -> Tensor:
    w = w if isinstance(w, Tensor) else Tensor(w)
    if w.dtype.kind != "f":
        w = Tensor(w.data.astype(backend.floatx()))
    return w


def _norms(w: Tensor, axis: int | list[int], owner: str) -> Tensor:
    """``||w||`` over ``axis``, keeping the reduced axes (size 1) so that it broadcasts."""
    axes = [axis] if isinstance(axis, int) else axis
    if any(not -w.ndim <= a < w.ndim for a in axes):
        raise ValueError(f"{owner}(axis={axis!r}) cannot be applied to a weight of rank {w.ndim}. "
                         f"Received: weight.shape={w.shape}")
    return F.sqrt(F.sum(F.square(w), axis=axis, keepdims=True))


# ---- the constraints --------------------------------------------------------------------------
class Constraint:
    """Base class: ``constraint(w) -> w'``, a projection of the weight; the base returns ``w``.

    Subclasses implement ``__call__`` (a Tensor of ``w``'s shape) and ``get_config``;
    ``from_config(config)`` calls ``cls(**config)``.

    Example:
        >>> import axon
        >>> Constraint()(axon.Tensor([-1.0, 2.0])).numpy().tolist()
        [-1.0, 2.0]
    """

    def __call__(self, w: Any) -> Tensor:
        return w if isinstance(w, Tensor) else Tensor(w)

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict) -> Constraint:
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class MaxNorm(Constraint):
    """Caps the L2 norm of each weight vector along ``axis`` at ``max_value``.

    ``w' = w * clip(||w||, 0, max_value) / (eps + ||w||)`` with ``||w||`` the norm over ``axis``
    and ``eps = backend.epsilon()``: vectors with a norm above ``max_value`` are scaled down to it;
    the others are (up to ``eps``) unchanged. Keras 3's formula, ``eps`` included.

    Args:
        max_value: the largest norm allowed, a non-negative number (default 2).
        axis: the axis (or list of axes) the norms are taken over (default 0: for a Dense kernel
            ``(input_dim, units)``, each unit's incoming weights; for a Conv2D kernel
            ``(rows, cols, in, out)``, use ``[0, 1, 2]``).

    Example:
        >>> import axon
        >>> w = axon.Tensor([[6.0, 8.0], [0.3, 0.4]])   # row norms 10 and 0.5
        >>> MaxNorm(2.0, axis=1)(w).numpy().astype(float).round(4).tolist()
        [[1.2, 1.6], [0.3, 0.4]]
    """

    def __init__(self, max_value: float = 2, axis: int | list[int] = 0) -> None:
        self.max_value = _check_number(max_value, "max_value", "MaxNorm")
        self.axis = _check_axis(axis, "MaxNorm")

    def __call__(self, w: Any) -> Tensor:
        w = _as_float_tensor(w)
        norms = _norms(w, self.axis, "MaxNorm")
        desired = F.clip(norms, 0.0, self.max_value)
        return w * (desired / (backend.epsilon() + norms))

    def get_config(self) -> dict:
        return {"max_value": self.max_value, "axis": self.axis}


class MinMaxNorm(Constraint):
    """Keeps the L2 norm of each weight vector along ``axis`` within ``[min_value, max_value]``.

    ``w' = w * d / (eps + ||w||)`` with ``d = rate * clip(||w||, min_value, max_value)
    + (1 - rate) * ||w||``: ``rate=1`` enforces the bounds at once, a smaller rate moves the norm
    only part of the way each step. A zero vector stays zero (it has no direction to scale).

    Args:
        min_value: the smallest norm, a non-negative number (default 0.0).
        max_value: the largest norm, a number >= ``min_value`` (default 1.0).
        rate: how strictly to enforce the bounds, in ``[0, 1]`` (default 1.0). Keras does not
            check the range; we do, since a rate outside it overshoots or moves away.
        axis: the axis (or list of axes) the norms are taken over (default 0).

    Example:
        >>> import axon
        >>> c = MinMaxNorm(min_value=1.0, max_value=2.0)
        >>> c(axon.Tensor([[0.3, 6.0], [0.4, 8.0]])).numpy().astype(float).round(4).tolist()
        [[0.6, 1.2], [0.8, 1.6]]
    """

    def __init__(self, min_value: float = 0.0, max_value: float = 1.0, rate: float = 1.0,
                 axis: int | list[int] = 0) -> None:
        self.min_value = _check_number(min_value, "min_value", "MinMaxNorm")
        self.max_value = _check_number(max_value, "max_value", "MinMaxNorm")
        if self.max_value < self.min_value:
            raise ValueError("MinMaxNorm expects min_value <= max_value. "
                             f"Received: min_value={min_value!r}, max_value={max_value!r}")
        self.rate = _check_number(rate, "rate", "MinMaxNorm", high=1.0)
        self.axis = _check_axis(axis, "MinMaxNorm")

    def __call__(self, w: Any) -> Tensor:
        w = _as_float_tensor(w)
        norms = _norms(w, self.axis, "MinMaxNorm")
        desired = self.rate * F.clip(norms, self.min_value, self.max_value) + (1.0 - self.rate) * norms
        return w * (desired / (backend.epsilon() + norms))

    def get_config(self) -> dict:
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": self.axis}


class NonNeg(Constraint):
    """Makes every weight non-negative: ``w' = max(w, 0)``.

    Example:
        >>> import axon
        >>> NonNeg()(axon.Tensor([-1.0, 0.0, 2.5])).numpy().tolist()
        [0.0, 0.0, 2.5]
    """

    def __call__(self, w: Any) -> Tensor:
        w = _as_float_tensor(w)
        return F.maximum(w, 0.0)


class UnitNorm(Constraint):
    """Scales each weight vector along ``axis`` to unit L2 norm: ``w' = w / (eps + ||w||)``.

    Args:
        axis: the axis (or list of axes) the norms are taken over (default 0).

    Example:
        >>> import axon
        >>> w = axon.Tensor([[3.0, 0.0], [4.0, 2.0]])
        >>> UnitNorm()(w).numpy().astype(float).round(4).tolist()
        [[0.6, 0.0], [0.8, 1.0]]
    """

    def __init__(self, axis: int | list[int] = 0) -> None:
        self.axis = _check_axis(axis, "UnitNorm")

    def __call__(self, w: Any) -> Tensor:
        w = _as_float_tensor(w)
        return w / (backend.epsilon() + _norms(w, self.axis, "UnitNorm"))

    def get_config(self) -> dict:
        return {"axis": self.axis}


# Keras 3's lower-case aliases are the classes themselves (``max_norm(3)`` is ``MaxNorm(3)``).
max_norm = MaxNorm
min_max_norm = MinMaxNorm
non_neg = NonNeg
unit_norm = UnitNorm

_CLASSES = {cls.__name__: cls for cls in (Constraint, MaxNorm, MinMaxNorm, NonNeg, UnitNorm)}
ALL = {**{name.lower(): cls for name, cls in _CLASSES.items()},
       "constraint": Constraint, "max_norm": MaxNorm, "min_max_norm": MinMaxNorm,
       "non_neg": NonNeg, "unit_norm": UnitNorm}
"""Every known name (looked up case-insensitively): class names and their snake_case forms."""


def get(identifier: Any) -> Any:
    """A constraint from an identifier, as ``keras.constraints.get``.

    Args:
        identifier: None (gives None); a name (``'max_norm'``, ``'min_max_norm'``, ``'non_neg'``,
            ``'unit_norm'`` or a class name such as ``'MaxNorm'``), built with its defaults; a dict
            ``{"class_name": ..., "config": {...}}`` as :func:`serialize` writes; a Constraint
            class (instantiated with its defaults) or instance; or any callable ``w -> w'``,
            returned unchanged.

    Raises:
        ValueError: for an unknown name (listing the known ones) or anything else.

    Example:
        >>> get("max_norm").get_config()
        {'max_value': 2.0, 'axis': 0}
        >>> get({"class_name": "UnitNorm", "config": {"axis": 1}})
        UnitNorm(axis=1)
    """
    if identifier is None:
        return None
    custom = custom_object(identifier)   # a name the program supplied: custom_objects, registered
    if custom is not None:
        return get(custom)
    if isinstance(identifier, dict):
        if "class_name" not in identifier:
            raise ValueError("A constraint config dict needs a 'class_name' key. "
                             f"Received: {identifier!r}")
        cls = custom_class(identifier["class_name"]) or resolve(identifier["class_name"], ALL,
                                                                 "constraint")
        return cls.from_config(dict(identifier.get("config") or {}))
    if isinstance(identifier, str):
        return resolve(identifier, ALL, "constraint")()
    if inspect.isclass(identifier) and issubclass(identifier, Constraint):
        return identifier()
    if callable(identifier) and not inspect.isclass(identifier):
        return identifier
    raise ValueError("Could not interpret constraint identifier: expected None, a name, a config "
                     f"dict, a Constraint or a callable w -> w'. Received: {identifier!r}")


def serialize(constraint: Any) -> dict | None:
    """``{"class_name": ..., "config": ...}`` for a Constraint (None for None).

    Raises:
        ValueError: for a plain function, which has no config to write.

    Example:
        >>> serialize(MaxNorm(3))
        {'class_name': 'MaxNorm', 'config': {'max_value': 3.0, 'axis': 0}}
    """
    if constraint is None:
        return None
    if not isinstance(constraint, Constraint):
        raise ValueError("serialize expects a Constraint instance (or None); a plain function "
                         f"has no config. Received: {constraint!r}")
    class_name = getattr(type(constraint), "_registered_name", None) or type(constraint).__name__
    return {"class_name": class_name, "config": constraint.get_config()}


def deserialize(config: dict) -> Constraint:
    """The inverse of :func:`serialize`."""
    if not isinstance(config, dict):
        raise ValueError("deserialize expects a dict {'class_name': ..., 'config': ...}. "
                         f"Received: {config!r}")
    return get(config)
