"""Argument helpers shared by the built-in layers: checks, and resolving/serializing the
regularizer and constraint arguments of ``__init__``/``get_config``."""
from __future__ import annotations

from typing import Any

from axon import constraints, regularizers
from axon.utils.registry import function_name


def positive_int(value: Any, argument: str, owner: str) -> int:
    """``value`` if it is a positive int (not a bool), else a ValueError naming ``argument``."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{owner} expects {argument} to be a positive integer. "
                         f"Received: {argument}={value!r}")
    return value


def get_regularizer(identifier: Any) -> Any:
    """A regularizer callable (or None) from a name, dict, instance or callable."""
    return regularizers.get(identifier)


def serialize_regularizer(regularizer: Any) -> Any:
    """None; ``{'class_name': ..., 'config': ...}`` for a regularizer object; a plain function's
    name (loading looks it up among the custom objects)."""
    if regularizer is not None and not isinstance(regularizer, regularizers.Regularizer):
        return function_name(regularizer) or getattr(regularizer, "__name__", repr(regularizer))
    return regularizers.serialize(regularizer)


def get_constraint(identifier: Any, argument: str, owner: str) -> Any:
    """A constraint (None, or a callable ``w -> projected w`` applied after each update) from a
    name (``'max_norm'``, ``'non_neg'`` ...), a config dict, a Constraint class or instance, or a
    callable; see :func:`axon.constraints.get`. A bad one raises a ValueError naming ``argument``.
    """
    try:
        return constraints.get(identifier)
    except ValueError as error:
        raise ValueError(f"{owner} could not resolve {argument}: {error} "
                         f"Received: {argument}={identifier!r}") from error


def serialize_constraint(constraint: Any) -> Any:
    """None; ``{'class_name': ..., 'config': ...}`` for a constraint object; a function's name."""
    if constraint is None or isinstance(constraint, constraints.Constraint):
        return constraints.serialize(constraint)
    get_config = getattr(constraint, "get_config", None)
    if not callable(get_config):  # a plain function: its name (it cannot be restored)
        return getattr(constraint, "__name__", repr(constraint))
    return {"class_name": type(constraint).__name__, "config": get_config()}


def single_input(layer: Any, shape: Any) -> None:
    """Raise a clear error when a one-input layer is given a list of inputs."""
    if isinstance(shape, list):
        raise ValueError(f"Layer '{layer.name}' ({type(layer).__name__}) expects a single input. "
                         f"Received: a list of {len(shape)} inputs.")


def dropout_rate(value: Any, owner: str) -> float:
    """A drop probability in ``[0, 1)`` (1 would make the ``1 / (1 - rate)`` scale infinite)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 1:
        raise ValueError(f"{owner} expects rate to be a number in [0, 1). Received: rate={value!r}")
    return float(value)


def seed(value: Any, owner: str) -> int | None:
    """A layer's own seed: a non-negative int, or None (draw from axon's global generator)."""
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise ValueError(f"{owner} expects seed to be a non-negative integer or None. "
                         f"Received: seed={value!r}")
    return value


def noise_shape(value: Any, owner: str) -> tuple | None:
    """A dropout mask's shape: None, or a tuple of positive ints and Nones."""
    if value is None:
        return None
    if isinstance(value, int) or not all(
            n is None or isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in value):
        raise ValueError(f"{owner} expects noise_shape to be a tuple of positive integers or "
                         f"None. Received: noise_shape={value!r}")
    return tuple(value)


def mask_shape(layer: Any, shape: tuple) -> tuple:
    """The shape to draw ``layer``'s mask in for an input of ``shape``: ``layer.noise_shape`` with
    each None replaced by the input's size, checked to broadcast against the input."""
    wanted = layer.noise_shape
    if wanted is None:
        return tuple(shape)
    if len(wanted) != len(shape) or any(n is not None and n not in (1, s)
                                        for n, s in zip(wanted, shape)):
        raise ValueError(f"Layer '{layer.name}' ({type(layer).__name__}): noise_shape={wanted} "
                         f"does not broadcast to the input shape {tuple(shape)}; each entry must "
                         "be None, 1 or the input's size on that axis.")
    return tuple(s if n is None else n for n, s in zip(wanted, shape))
