"""Argument helpers shared by the built-in layers: checks, and resolving/serializing the
regularizer and constraint arguments of ``__init__``/``get_config``."""
from __future__ import annotations

from typing import Any

from axon import constraints, regularizers


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
