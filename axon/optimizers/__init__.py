"""Optimizers: how weights move, given their gradients (Keras 3's classes, names and defaults).

``get`` resolves a name (``'sgd'``, ``'adagrad'``, ``'rmsprop'``, ``'adadelta'``, ``'adam'``,
``'adamw'``, ``'adamax'``, ``'nadam'``, ``'lion'``, any case), a class, an instance or a
``{"class_name", "config"}`` dict; ``serialize``/``deserialize`` write and read that dict.
Learning-rate schedules live in ``axon.optimizers.schedules``.
"""
from __future__ import annotations

from typing import Any

from axon.optimizers import schedules
from axon.optimizers.adadelta import Adadelta
from axon.optimizers.adagrad import Adagrad
from axon.optimizers.adam import Adam, AdamW
from axon.optimizers.adamax import Adamax
from axon.optimizers.base import Optimizer
from axon.optimizers.lion import Lion
from axon.optimizers.nadam import Nadam
from axon.optimizers.rmsprop import RMSprop
from axon.optimizers.sgd import SGD
from axon.utils.registry import custom_class, custom_object, resolve

ALL = {cls.__name__.lower(): cls
       for cls in (SGD, Adagrad, RMSprop, Adadelta, Adam, AdamW, Adamax, Nadam, Lion)}


def serialize(optimizer: Optimizer) -> dict:
    """``{"class_name": ..., "config": ...}`` describing ``optimizer`` (not its state)."""
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"serialize expects an Optimizer. Received: {optimizer!r}")
    return {"class_name": type(optimizer).__name__, "config": optimizer.get_config()}


def deserialize(config: dict, custom_objects: dict | None = None) -> Optimizer:
    """The optimizer that ``serialize`` described (a fresh one, with no state).

    Example:
        >>> opt = deserialize(serialize(Adam(learning_rate=0.01)))
        >>> type(opt).__name__, opt.learning_rate
        ('Adam', 0.01)
    """
    if not isinstance(config, dict) or "class_name" not in config or "config" not in config:
        raise ValueError("deserialize expects a dict with keys 'class_name' and 'config'. "
                         f"Received: {config!r}")
    custom_objects = custom_objects or {}
    name = config["class_name"]
    cls = custom_objects.get(name) or custom_class(name) or resolve(name, ALL, "optimizer")
    return cls.from_config(config["config"], custom_objects=custom_objects)


def get(identifier: Any) -> Optimizer:
    """An optimizer from a name (e.g. ``'adam'``), a class, an instance or a serialized dict.

    Example:
        >>> type(get("adamw")).__name__, get("adamw").weight_decay
        ('AdamW', 0.004)
    """
    if isinstance(identifier, Optimizer):
        return identifier
    custom = custom_object(identifier)   # a name the program supplied: custom_objects, registered
    if custom is not None:
        return get(custom)
    if isinstance(identifier, type) and issubclass(identifier, Optimizer):
        return identifier()
    if isinstance(identifier, str):
        return resolve(identifier, ALL, "optimizer")()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}. "
                     f"Expected a name ({', '.join(ALL)}), an Optimizer or a config dict.")


__all__ = ["Optimizer", "SGD", "Adagrad", "RMSprop", "Adadelta", "Adam", "AdamW", "Adamax",
           "Nadam", "Lion", "schedules", "get", "serialize", "deserialize"]
